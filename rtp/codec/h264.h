// H.264 over RTP (RFC 6184): what an RTP payload carries — NAL unit types, keyframe starts,
// SPS/PPS — and the SPS fields the rest of ringcast needs (profile-level-id for the SDP answer,
// width/height for the UI). Also builds SPS/PPS payloads for a reader that joins mid-stream.
//
// Packetization modes 0 and 1 are understood: single NAL unit packets (types 1-23), STAP-A
// (24) and FU-A (28). The interleaved-mode types (STAP-B, MTAP16/24, FU-B) are reported by
// type but not looked into; ringcast never negotiates packetization-mode=2.
//
// All functions take the RTP payload (RtpView::payload()) or a NAL unit as caller-owned bytes;
// any spans returned point into those bytes and live as long as they do. Per-packet code on
// untrusted bytes: no allocation, no exceptions; malformed input gives std::nullopt / false.
// Stateless; any thread.
#ifndef RINGCAST_RTP_CODEC_H264_H_
#define RINGCAST_RTP_CODEC_H264_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/codec/nal_common.h"

namespace ringcast::rtp::h264 {

// nal_unit_type values (H.264 Table 7-1) and RFC 6184 §5.2 packet types.
inline constexpr uint8_t kNalSlice = 1;
inline constexpr uint8_t kNalIdr = 5;
inline constexpr uint8_t kNalSei = 6;
inline constexpr uint8_t kNalSps = 7;
inline constexpr uint8_t kNalPps = 8;
inline constexpr uint8_t kNalAud = 9;
inline constexpr uint8_t kStapA = 24;
inline constexpr uint8_t kStapB = 25;
inline constexpr uint8_t kMtap16 = 26;
inline constexpr uint8_t kMtap24 = 27;
inline constexpr uint8_t kFuA = 28;
inline constexpr uint8_t kFuB = 29;

// The type in a NAL unit header byte (F:1 NRI:2 Type:5).
constexpr uint8_t NalType(uint8_t header) { return header & 0x1F; }

// The type in the payload's first byte: a single NAL unit's own type, or the packet type
// (24 STAP-A, 28 FU-A, ...). std::nullopt for an empty payload.
std::optional<uint8_t> PayloadType(std::span<const uint8_t> payload);

// RFC 6184 §5.8: the FU indicator and FU header of an FU-A packet.
struct FuAHeader {
  uint8_t nal_header = 0;  // the fragmented unit's header: F and NRI of the indicator + type
  bool start = false;
  bool end = false;
};
// std::nullopt unless the payload is an FU-A of at least 2 bytes.
std::optional<FuAHeader> ParseFuA(std::span<const uint8_t> payload);

// What one payload carries, as far as keyframes and parameter sets go.
struct PayloadInfo {
  uint8_t packet_type = 0;           // PayloadType()
  uint8_t first_nal_type = 0;        // the first NAL unit's type (for FU-A: the fragmented unit's)
  bool starts_nal = false;           // begins a NAL unit: false for FU-A middle/end fragments
  bool has_idr = false;              // carries the start of an IDR slice
  bool has_first_idr_slice = false;  // ... whose first_mb_in_slice is 0 (the picture's first)
  bool has_sps = false;
  bool has_pps = false;
};
// std::nullopt for an empty payload, a malformed STAP-A (sizes not adding up) or an FU-A
// shorter than 2 bytes. Such a packet is still forwarded by the caller; it is just not a
// keyframe.
std::optional<PayloadInfo> InspectPayload(std::span<const uint8_t> payload);

// The packet carries (the start of) a keyframe: an IDR slice as a single NAL unit, a STAP-A
// containing an IDR slice or an SPS, or the start fragment of an FU-A carrying an IDR slice.
// Not true for FU-A middle/end fragments or for non-IDR slices.
bool IsKeyframe(const PayloadInfo& info);

// A decoder that has seen nothing before can start at this packet: its first NAL unit is an
// SPS, it is a STAP-A holding an SPS or an IDR slice, or it starts an IDR picture's first slice
// (single NAL unit or FU-A start fragment, first_mb_in_slice 0). In one access unit several
// packets may qualify (ffmpeg sends SPS, PPS, SEI, then the IDR's FU-A; GStreamer puts an AUD
// before the SPS in its STAP-A): the keyframe starts at the first packet of that RTP timestamp
// for which this is true, which the track decides. When the IDR start is the first, the
// decoder needs SPS/PPS from elsewhere (BuildParameterSetPayloads from the cached ones).
// An SPS counts on its own because encoders send one ahead of IDR pictures; a track that must
// be sure confirms an IsKeyframe() packet in the same timestamp.
bool StartsKeyframe(const PayloadInfo& info);
// Both questions of one payload at once: rtp/codec/keyframe.h (InspectKeyframes).

// Calls on_nal(std::span<const uint8_t> nal) — the unit with its header byte — for the
// complete NAL unit of a single-NAL packet or each unit of a STAP-A. Delivers nothing for
// fragments and interleaved-mode types. Returns false (after delivering the units before the
// damage) for an empty payload or a malformed STAP-A.
template <typename OnNal>
bool ForEachNalUnit(std::span<const uint8_t> payload, OnNal&& on_nal) {
  if (payload.empty()) return false;
  const uint8_t type = NalType(payload[0]);
  if (type == kStapA) return codec_internal::ForEachAggregatedNal(payload, 1, on_nal);
  if (type >= 1 && type <= 23) on_nal(payload);
  return true;
}

// The SPS and PPS in one payload (single NAL or STAP-A), as views into it; empty spans for
// what it does not carry. With several of a kind, the first one.
struct ParameterSets {
  std::span<const uint8_t> sps;
  std::span<const uint8_t> pps;
};
ParameterSets FindParameterSets(std::span<const uint8_t> payload);

// The fields of a sequence parameter set (H.264 §7.3.2.1.1) that ringcast uses.
struct Sps {
  uint8_t profile_idc = 0;
  uint8_t constraint_flags = 0;  // constraint_set0_flag (0x80) .. set5 (0x04) + 2 reserved bits
  uint8_t level_idc = 0;
  uint32_t sps_id = 0;
  uint32_t chroma_format_idc = 1;  // 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t log2_max_frame_num = 0;
  uint32_t pic_order_cnt_type = 0;
  uint32_t max_num_ref_frames = 0;
  bool frame_mbs_only = true;
  uint32_t coded_width = 0;   // macroblocks × 16
  uint32_t coded_height = 0;  // map units × 16, × 2 for field coding
  uint32_t width = 0;         // after the cropping rectangle
  uint32_t height = 0;

  // RFC 6184 §8.1 profile-level-id: profile_idc, constraint byte, level_idc (0x42C00C).
  uint32_t profile_level_id() const {
    return (uint32_t{profile_idc} << 16) | (uint32_t{constraint_flags} << 8) | level_idc;
  }
};

// Parses an SPS NAL unit (header byte of type 7 included, emulation prevention still in):
// profile, constraints, level, the high-profile chroma/bit-depth fields (skipping scaling
// lists), POC fields, frame size and cropping. VUI is not read. std::nullopt for another NAL
// type, truncated data or values out of range (the picture must be 1..16384 pixels a side).
std::optional<Sps> ParseSps(std::span<const uint8_t> nal);

// Writes a STAP-A payload (RFC 6184 §5.7.1) aggregating `nals` (each with its header byte, no
// start code) into `out`: F is the OR of the units' F bits and NRI the largest of theirs, as
// §5.7.1 asks. Returns the payload size, or 0 if `nals` is empty, a unit is empty or over
// 65535 bytes, or `out` is too small.
size_t WriteStapA(std::span<const std::span<const uint8_t>> nals, std::span<uint8_t> out);

// RFC 6184 §6: packetization-mode 0 allows single NAL unit packets only; 1 adds STAP-A/FU-A.
enum class PacketizationMode { kSingleNal = 0, kNonInterleaved = 1 };

// RTP payloads carrying `sps` and `pps` for a reader that joins mid-stream, built into `out`:
// one STAP-A when the mode allows it and it fits in max_payload_size, else two single NAL unit
// payloads. count == 0 if a unit is empty, longer than max_payload_size, or `out` is too small
// (2 × max_payload_size is always enough).
PayloadSet BuildParameterSetPayloads(std::span<const uint8_t> sps, std::span<const uint8_t> pps,
                                     PacketizationMode mode, size_t max_payload_size,
                                     std::span<uint8_t> out);

}  // namespace ringcast::rtp::h264

#endif  // RINGCAST_RTP_CODEC_H264_H_
