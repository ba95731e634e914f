#include "rtp/codec/h265.h"

#include <algorithm>
#include <array>

#include "rtp/codec/bit_reader.h"

namespace ringcast::rtp::h265 {
namespace {

// A slice segment header starts with first_slice_segment_in_pic_flag (§7.3.6.1).
bool IsFirstSliceSegment(std::span<const uint8_t> slice_data) {
  return !slice_data.empty() && (slice_data[0] & 0x80) != 0;
}

void NoteNal(std::span<const uint8_t> nal, bool first, PayloadInfo& info) {
  const uint8_t type = NalType(nal[0]);
  if (first) info.first_nal_type = type;
  if (IsIrap(type)) {
    info.has_irap = true;
    if (IsFirstSliceSegment(nal.subspan(kNalHeaderSize))) info.has_first_irap_slice = true;
  }
  if (type == kNalVps) info.has_vps = true;
  if (type == kNalSps) info.has_sps = true;
  if (type == kNalPps) info.has_pps = true;
}

// §7.3.3 profile_tier_level(1, max_sub_layers_minus1): keeps the general part, skips the
// sub-layer parts.
void ReadProfileTierLevel(RbspBitReader& r, uint32_t max_sub_layers_minus1, Sps& sps) {
  sps.profile_space = static_cast<uint8_t>(r.ReadBits(2));
  sps.tier_flag = r.ReadFlag();
  sps.profile_idc = static_cast<uint8_t>(r.ReadBits(5));
  sps.profile_compatibility_flags = r.ReadBits(32);
  sps.constraint_indicator_flags = (uint64_t{r.ReadBits(16)} << 32) | r.ReadBits(32);
  sps.level_idc = static_cast<uint8_t>(r.ReadBits(8));
  std::array<bool, 8> profile_present{};
  std::array<bool, 8> level_present{};
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    profile_present[i] = r.ReadFlag();
    level_present[i] = r.ReadFlag();
  }
  if (max_sub_layers_minus1 > 0) {
    for (uint32_t i = max_sub_layers_minus1; i < 8; ++i) r.SkipBits(2);  // reserved_zero_2bits
  }
  for (uint32_t i = 0; i < max_sub_layers_minus1; ++i) {
    if (profile_present[i]) r.SkipBits(88);
    if (level_present[i]) r.SkipBits(8);
  }
}

constexpr uint64_t kMaxPictureSide = 16888;  // sqrt(8 × MaxLumaPs) at level 6.2

// RFC 7798 §4.4.2: an AP's payload header has F = the OR of the units' F bits, LayerId and TID
// the lowest of theirs. Every unit has its 2-byte header (checked by the callers).
std::array<uint8_t, 2> ApHeader(std::span<const std::span<const uint8_t>> nals) {
  uint8_t forbidden = 0;
  uint8_t layer_id = 63;
  uint8_t tid = 7;
  for (std::span<const uint8_t> nal : nals) {
    forbidden |= nal[0] & 0x80;
    layer_id = std::min(layer_id, static_cast<uint8_t>(((nal[0] & 1) << 5) | (nal[1] >> 3)));
    tid = std::min(tid, static_cast<uint8_t>(nal[1] & 0x07));
  }
  return {static_cast<uint8_t>(forbidden | (kAp << 1) | (layer_id >> 5)),
          static_cast<uint8_t>(((layer_id & 0x1F) << 3) | tid)};
}

}  // namespace

std::optional<uint8_t> PayloadType(std::span<const uint8_t> payload) {
  if (payload.size() < kNalHeaderSize) return std::nullopt;
  return NalType(payload[0]);
}

std::optional<FuHeader> ParseFu(std::span<const uint8_t> payload) {
  if (payload.size() < 3 || NalType(payload[0]) != kFu) return std::nullopt;
  FuHeader header;
  header.nal_type = payload[2] & 0x3F;
  header.nal_header[0] = static_cast<uint8_t>((payload[0] & 0x81) | (header.nal_type << 1));
  header.nal_header[1] = payload[1];
  header.start = (payload[2] & 0x80) != 0;
  header.end = (payload[2] & 0x40) != 0;
  return header;
}

std::optional<PayloadInfo> InspectPayload(std::span<const uint8_t> payload) {
  if (payload.size() < kNalHeaderSize) return std::nullopt;
  PayloadInfo info;
  info.packet_type = NalType(payload[0]);
  if (info.packet_type < kAp) {
    info.starts_nal = true;
    NoteNal(payload, /*first=*/true, info);
  } else if (info.packet_type == kAp) {
    info.starts_nal = true;
    bool first = true;
    bool units_ok = true;
    const bool well_formed = codec_internal::ForEachAggregatedNal(
        payload, kNalHeaderSize, [&](std::span<const uint8_t> nal) {
          if (nal.size() < kNalHeaderSize) {
            units_ok = false;
            return;
          }
          NoteNal(nal, first, info);
          first = false;
        });
    if (!well_formed || !units_ok) return std::nullopt;
  } else if (info.packet_type == kFu) {
    const std::optional<FuHeader> fu = ParseFu(payload);
    if (!fu) return std::nullopt;
    info.first_nal_type = fu->nal_type;
    info.starts_nal = fu->start;
    if (fu->start && IsIrap(fu->nal_type)) {
      info.has_irap = true;
      info.has_first_irap_slice = IsFirstSliceSegment(payload.subspan(3));
    }
  }
  return info;
}

bool IsKeyframe(const PayloadInfo& info) {
  return info.has_irap || (info.packet_type == kAp && info.has_sps);
}

bool StartsKeyframe(const PayloadInfo& info) {
  if (!info.starts_nal) return false;
  return info.first_nal_type == kNalVps || info.first_nal_type == kNalSps || info.has_vps ||
         info.has_sps || info.has_first_irap_slice;
}

ParameterSets FindParameterSets(std::span<const uint8_t> payload) {
  ParameterSets found;
  ForEachNalUnit(payload, [&found](std::span<const uint8_t> nal) {
    const uint8_t type = NalType(nal[0]);
    if (type == kNalVps && found.vps.empty()) found.vps = nal;
    if (type == kNalSps && found.sps.empty()) found.sps = nal;
    if (type == kNalPps && found.pps.empty()) found.pps = nal;
  });
  return found;
}

std::optional<Sps> ParseSps(std::span<const uint8_t> nal) {
  if (nal.size() < kNalHeaderSize + 1 || NalType(nal[0]) != kNalSps) return std::nullopt;
  RbspBitReader r(nal.subspan(kNalHeaderSize));
  Sps sps;
  r.SkipBits(4);  // sps_video_parameter_set_id
  const uint32_t max_sub_layers_minus1 = r.ReadBits(3);
  if (max_sub_layers_minus1 > 6) return std::nullopt;
  sps.max_sub_layers = max_sub_layers_minus1 + 1;
  r.ReadFlag();  // sps_temporal_id_nesting_flag
  ReadProfileTierLevel(r, max_sub_layers_minus1, sps);
  sps.sps_id = r.ReadUe();
  if (!r.ok() || sps.sps_id > 15) return std::nullopt;
  sps.chroma_format_idc = r.ReadUe();
  if (sps.chroma_format_idc > 3) return std::nullopt;
  if (sps.chroma_format_idc == 3) sps.separate_colour_plane = r.ReadFlag();
  const uint64_t coded_width = r.ReadUe();
  const uint64_t coded_height = r.ReadUe();
  uint64_t left = 0, right = 0, top = 0, bottom = 0;
  if (r.ReadFlag()) {  // conformance_window_flag
    left = r.ReadUe();
    right = r.ReadUe();
    top = r.ReadUe();
    bottom = r.ReadUe();
  }
  const uint32_t bit_depth_luma_minus8 = r.ReadUe();
  const uint32_t bit_depth_chroma_minus8 = r.ReadUe();
  if (!r.ok() || bit_depth_luma_minus8 > 8 || bit_depth_chroma_minus8 > 8) return std::nullopt;
  sps.bit_depth_luma = 8 + bit_depth_luma_minus8;
  sps.bit_depth_chroma = 8 + bit_depth_chroma_minus8;

  if (coded_width == 0 || coded_height == 0 || coded_width > kMaxPictureSide + 64 ||
      coded_height > kMaxPictureSide + 64) {
    return std::nullopt;
  }
  // §7.4.3.2.1: conformance window offsets count in SubWidthC / SubHeightC luma samples
  // (1 for monochrome, 4:4:4 and separate colour planes).
  uint64_t sub_width = 1;
  uint64_t sub_height = 1;
  if (!sps.separate_colour_plane && (sps.chroma_format_idc == 1 || sps.chroma_format_idc == 2)) {
    sub_width = 2;
    sub_height = sps.chroma_format_idc == 1 ? 2 : 1;
  }
  const uint64_t crop_x = sub_width * (left + right);
  const uint64_t crop_y = sub_height * (top + bottom);
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

size_t WriteAp(std::span<const std::span<const uint8_t>> nals, std::span<uint8_t> out) {
  if (nals.empty()) return 0;
  for (std::span<const uint8_t> nal : nals) {
    if (nal.size() < kNalHeaderSize) return 0;
  }
  return codec_internal::WriteAggregationPacket(ApHeader(nals), nals, out);
}

PayloadSet BuildParameterSetPayloads(std::span<const uint8_t> vps, std::span<const uint8_t> sps,
                                     std::span<const uint8_t> pps, size_t max_payload_size,
                                     std::span<uint8_t> out) {
  const std::array<std::span<const uint8_t>, 3> nals = {vps, sps, pps};
  for (std::span<const uint8_t> nal : nals) {
    if (nal.size() < kNalHeaderSize) return PayloadSet{};
  }
  return codec_internal::BuildPayloads(nals, ApHeader(nals), max_payload_size, out);
}

}  // namespace ringcast::rtp::h265
