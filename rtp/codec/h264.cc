#include "rtp/codec/h264.h"

#include <algorithm>
#include <array>

#include "rtp/codec/bit_reader.h"

namespace ringcast::rtp::h264 {
namespace {

// A slice's first syntax element is first_mb_in_slice, ue(v): 0 is coded as a single 1 bit, so
// the picture's first slice is the one whose first data byte has its top bit set.
bool IsFirstSliceOfPicture(std::span<const uint8_t> slice_data) {
  return !slice_data.empty() && (slice_data[0] & 0x80) != 0;
}

void NoteNal(std::span<const uint8_t> nal, bool first, PayloadInfo& info) {
  const uint8_t type = NalType(nal[0]);
  if (first) info.first_nal_type = type;
  switch (type) {
    case kNalIdr:
      info.has_idr = true;
      if (IsFirstSliceOfPicture(nal.subspan(1))) info.has_first_idr_slice = true;
      break;
    case kNalSps:
      info.has_sps = true;
      break;
    case kNalPps:
      info.has_pps = true;
      break;
    default:
      break;
  }
}

// H.264 §7.3.2.1.1.1 scaling_list(): only skipped, but the deltas must be read to know where
// it ends. delta_scale is in -128..127.
bool SkipScalingList(RbspBitReader& reader, int size) {
  int last_scale = 8;
  int next_scale = 8;
  for (int j = 0; j < size; ++j) {
    if (next_scale != 0) {
      const int32_t delta = reader.ReadSe();
      if (!reader.ok() || delta < -128 || delta > 127) return false;
      next_scale = (last_scale + delta + 256) % 256;
    }
    last_scale = next_scale == 0 ? last_scale : next_scale;
  }
  return true;
}

// Profiles whose SPS carries chroma_format_idc, bit depths and scaling matrices (§7.3.2.1.1).
bool HasChromaInfo(uint8_t profile_idc) {
  switch (profile_idc) {
    case 100:
    case 110:
    case 122:
    case 244:
    case 44:
    case 83:
    case 86:
    case 118:
    case 128:
    case 138:
    case 139:
    case 134:
    case 135:
      return true;
    default:
      return false;
  }
}

constexpr uint64_t kMaxPictureSide = 16384;

// RFC 6184 §5.7.1: a STAP-A's header has F = the OR of the units' F bits and NRI the largest
// of theirs. Every unit is non-empty (checked by the callers).
uint8_t StapAHeader(std::span<const std::span<const uint8_t>> nals) {
  uint8_t forbidden = 0;
  uint8_t nri = 0;
  for (std::span<const uint8_t> nal : nals) {
    forbidden |= nal[0] & 0x80;
    nri = std::max(nri, static_cast<uint8_t>(nal[0] & 0x60));
  }
  return static_cast<uint8_t>(forbidden | nri | kStapA);
}

}  // namespace

std::optional<uint8_t> PayloadType(std::span<const uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  return NalType(payload[0]);
}

std::optional<FuAHeader> ParseFuA(std::span<const uint8_t> payload) {
  if (payload.size() < 2 || NalType(payload[0]) != kFuA) return std::nullopt;
  FuAHeader header;
  header.nal_header = static_cast<uint8_t>((payload[0] & 0xE0) | (payload[1] & 0x1F));
  header.start = (payload[1] & 0x80) != 0;
  header.end = (payload[1] & 0x40) != 0;
  return header;
}

std::optional<PayloadInfo> InspectPayload(std::span<const uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  PayloadInfo info;
  info.packet_type = NalType(payload[0]);
  if (info.packet_type >= 1 && info.packet_type <= 23) {
    info.starts_nal = true;
    NoteNal(payload, /*first=*/true, info);
  } else if (info.packet_type == kStapA) {
    info.starts_nal = true;
    bool first = true;
    const bool well_formed =
        codec_internal::ForEachAggregatedNal(payload, 1, [&](std::span<const uint8_t> nal) {
          NoteNal(nal, first, info);
          first = false;
        });
    if (!well_formed) return std::nullopt;
  } else if (info.packet_type == kFuA) {
    const std::optional<FuAHeader> fu = ParseFuA(payload);
    if (!fu) return std::nullopt;
    info.first_nal_type = NalType(fu->nal_header);
    info.starts_nal = fu->start;
    if (fu->start && info.first_nal_type == kNalIdr) {
      info.has_idr = true;
      info.has_first_idr_slice = IsFirstSliceOfPicture(payload.subspan(2));
    }
  }
  // 0, 30, 31 (reserved) and the interleaved-mode types: reported by type only.
  return info;
}

bool IsKeyframe(const PayloadInfo& info) {
  return info.has_idr || (info.packet_type == kStapA && info.has_sps);
}

bool StartsKeyframe(const PayloadInfo& info) {
  if (!info.starts_nal) return false;
  return info.first_nal_type == kNalSps || info.has_sps || info.has_first_idr_slice;
}

ParameterSets FindParameterSets(std::span<const uint8_t> payload) {
  ParameterSets found;
  ForEachNalUnit(payload, [&found](std::span<const uint8_t> nal) {
    const uint8_t type = NalType(nal[0]);
    if (type == kNalSps && found.sps.empty()) found.sps = nal;
    if (type == kNalPps && found.pps.empty()) found.pps = nal;
  });
  return found;
}

std::optional<Sps> ParseSps(std::span<const uint8_t> nal) {
  if (nal.size() < 4 || NalType(nal[0]) != kNalSps) return std::nullopt;
  RbspBitReader r(nal.subspan(1));
  Sps sps;
  sps.profile_idc = static_cast<uint8_t>(r.ReadBits(8));
  sps.constraint_flags = static_cast<uint8_t>(r.ReadBits(8));
  sps.level_idc = static_cast<uint8_t>(r.ReadBits(8));
  sps.sps_id = r.ReadUe();
  if (!r.ok() || sps.sps_id > 31) return std::nullopt;

  if (HasChromaInfo(sps.profile_idc)) {
    sps.chroma_format_idc = r.ReadUe();
    if (sps.chroma_format_idc > 3) return std::nullopt;
    if (sps.chroma_format_idc == 3) sps.separate_colour_plane = r.ReadFlag();
    const uint32_t bit_depth_luma_minus8 = r.ReadUe();
    const uint32_t bit_depth_chroma_minus8 = r.ReadUe();
    if (bit_depth_luma_minus8 > 6 || bit_depth_chroma_minus8 > 6) return std::nullopt;
    sps.bit_depth_luma = 8 + bit_depth_luma_minus8;
    sps.bit_depth_chroma = 8 + bit_depth_chroma_minus8;
    r.ReadFlag();        // qpprime_y_zero_transform_bypass_flag
    if (r.ReadFlag()) {  // seq_scaling_matrix_present_flag
      const int lists = sps.chroma_format_idc != 3 ? 8 : 12;
      for (int i = 0; i < lists; ++i) {
        if (r.ReadFlag() && !SkipScalingList(r, i < 6 ? 16 : 64)) return std::nullopt;
      }
    }
    if (!r.ok()) return std::nullopt;
  }

  const uint32_t log2_max_frame_num_minus4 = r.ReadUe();
  if (log2_max_frame_num_minus4 > 12) return std::nullopt;
  sps.log2_max_frame_num = log2_max_frame_num_minus4 + 4;
  sps.pic_order_cnt_type = r.ReadUe();
  if (sps.pic_order_cnt_type > 2) return std::nullopt;
  if (sps.pic_order_cnt_type == 0) {
    if (r.ReadUe() > 12) return std::nullopt;  // log2_max_pic_order_cnt_lsb_minus4
  } else if (sps.pic_order_cnt_type == 1) {
    r.ReadFlag();                       // delta_pic_order_always_zero_flag
    r.ReadSe();                         // offset_for_non_ref_pic
    r.ReadSe();                         // offset_for_top_to_bottom_field
    const uint32_t cycle = r.ReadUe();  // num_ref_frames_in_pic_order_cnt_cycle
    if (cycle > 255) return std::nullopt;
    for (uint32_t i = 0; i < cycle && r.ok(); ++i) r.ReadSe();
  }
  sps.max_num_ref_frames = r.ReadUe();
  r.ReadFlag();  // gaps_in_frame_num_value_allowed_flag
  const uint64_t width_mbs = uint64_t{r.ReadUe()} + 1;
  const uint64_t height_map_units = uint64_t{r.ReadUe()} + 1;
  sps.frame_mbs_only = r.ReadFlag();
  if (!sps.frame_mbs_only) r.ReadFlag();  // mb_adaptive_frame_field_flag
  r.ReadFlag();                           // direct_8x8_inference_flag
  uint64_t crop_left = 0, crop_right = 0, crop_top = 0, crop_bottom = 0;
  if (r.ReadFlag()) {  // frame_cropping_flag
    crop_left = r.ReadUe();
    crop_right = r.ReadUe();
    crop_top = r.ReadUe();
    crop_bottom = r.ReadUe();
  }
  if (!r.ok()) return std::nullopt;

  const uint64_t field_factor = sps.frame_mbs_only ? 1 : 2;
  const uint64_t coded_width = width_mbs * 16;
  const uint64_t coded_height = height_map_units * 16 * field_factor;
  if (coded_width > kMaxPictureSide + 16 || coded_height > kMaxPictureSide + 32) {
    return std::nullopt;
  }
  // §7.4.2.1.1: the cropping offsets count in CropUnitX / CropUnitY samples.
  uint64_t crop_unit_x = 1;
  uint64_t crop_unit_y = field_factor;
  if (sps.chroma_format_idc != 0 && !sps.separate_colour_plane) {
    crop_unit_x = sps.chroma_format_idc == 3 ? 1 : 2;
    crop_unit_y = (sps.chroma_format_idc == 1 ? 2 : 1) * field_factor;
  }
  const uint64_t crop_x = crop_unit_x * (crop_left + crop_right);
  const uint64_t crop_y = crop_unit_y * (crop_top + crop_bottom);
  if (crop_x >= coded_width || crop_y >= coded_height) return std::nullopt;
  const uint64_t width = coded_width - crop_x;
  const uint64_t height = coded_height - crop_y;
  if (width > kMaxPictureSide || height > kMaxPictureSide) return std::nullopt;
  sps.coded_width = static_cast<uint32_t>(coded_width);
  sps.coded_height = static_cast<uint32_t>(coded_height);
  sps.width = static_cast<uint32_t>(width);
  sps.height = static_cast<uint32_t>(height);
  return sps;
}

size_t WriteStapA(std::span<const std::span<const uint8_t>> nals, std::span<uint8_t> out) {
  for (std::span<const uint8_t> nal : nals) {
    if (nal.empty()) return 0;
  }
  const std::array<uint8_t, 1> header = {StapAHeader(nals)};
  return codec_internal::WriteAggregationPacket(header, nals, out);
}

PayloadSet BuildParameterSetPayloads(std::span<const uint8_t> sps, std::span<const uint8_t> pps,
                                     PacketizationMode mode, size_t max_payload_size,
                                     std::span<uint8_t> out) {
  if (sps.empty() || pps.empty()) return PayloadSet{};
  const std::array<std::span<const uint8_t>, 2> nals = {sps, pps};
  const std::array<uint8_t, 1> header = {StapAHeader(nals)};
  std::span<const uint8_t> aggregate_header;  // empty: single NAL units only
  if (mode == PacketizationMode::kNonInterleaved) aggregate_header = header;
  return codec_internal::BuildPayloads(nals, aggregate_header, max_payload_size, out);
}

}  // namespace ringcast::rtp::h264
