// H.265 over RTP (RFC 7798): what an RTP payload carries — NAL unit types, IRAP (keyframe)
// starts, VPS/SPS/PPS — and the SPS fields ringcast needs (profile/tier/level for the SDP
// answer, width/height for the UI). Also builds VPS/SPS/PPS payloads for a reader that joins
// mid-stream.
//
// Understood: single NAL unit packets, aggregation packets (AP, 48) and fragmentation units
// (FU, 49), without DONL fields (sprop-max-don-diff = 0, what ffmpeg, GStreamer and cameras
// send). PACI (50) is reported by type only.
//
// All functions take the RTP payload (RtpView::payload()) or a NAL unit as caller-owned bytes;
// any spans returned point into those bytes and live as long as they do. Per-packet code on
// untrusted bytes: no allocation, no exceptions; malformed input gives std::nullopt / false.
// Stateless; any thread.
#ifndef RINGCAST_RTP_CODEC_H265_H_
#define RINGCAST_RTP_CODEC_H265_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/codec/nal_common.h"

namespace ringcast::rtp::h265 {

// nal_unit_type values (H.265 Table 7-1) and RFC 7798 §4.4 packet types.
inline constexpr uint8_t kNalTrailN = 0;
inline constexpr uint8_t kNalTrailR = 1;
inline constexpr uint8_t kNalBlaWLp = 16;
inline constexpr uint8_t kNalIdrWRadl = 19;
inline constexpr uint8_t kNalIdrNLp = 20;
inline constexpr uint8_t kNalCra = 21;
inline constexpr uint8_t kNalIrapLast = 23;  // 22, 23: reserved IRAP types
inline constexpr uint8_t kNalVps = 32;
inline constexpr uint8_t kNalSps = 33;
inline constexpr uint8_t kNalPps = 34;
inline constexpr uint8_t kNalAud = 35;
inline constexpr uint8_t kNalPrefixSei = 39;
inline constexpr uint8_t kAp = 48;
inline constexpr uint8_t kFu = 49;
inline constexpr uint8_t kPaci = 50;

inline constexpr size_t kNalHeaderSize = 2;

// The type in the first byte of a NAL unit header (F:1 Type:6 LayerId:6 TID:3).
constexpr uint8_t NalType(uint8_t first_header_byte) { return (first_header_byte >> 1) & 0x3F; }

// Intra random access point pictures (BLA, IDR, CRA): where decoding can start.
constexpr bool IsIrap(uint8_t nal_type) {
  return nal_type >= kNalBlaWLp && nal_type <= kNalIrapLast;
}

// The type in the payload header: a single NAL unit's own type, or the packet type (48 AP,
// 49 FU, 50 PACI). std::nullopt for a payload shorter than the 2-byte header.
std::optional<uint8_t> PayloadType(std::span<const uint8_t> payload);

// RFC 7798 §4.4.3: the payload header and FU header of a fragmentation unit.
struct FuHeader {
  uint8_t nal_header[2] = {0, 0};  // the fragmented unit's header: payload header + FuType
  uint8_t nal_type = 0;
  bool start = false;
  bool end = false;
};
// std::nullopt unless the payload is an FU of at least 3 bytes.
std::optional<FuHeader> ParseFu(std::span<const uint8_t> payload);

// What one payload carries, as far as keyframes and parameter sets go.
struct PayloadInfo {
  uint8_t packet_type = 0;            // PayloadType()
  uint8_t first_nal_type = 0;         // the first NAL unit's type (for FU: the fragmented unit's)
  bool starts_nal = false;            // begins a NAL unit: false for FU middle/end fragments
  bool has_irap = false;              // carries the start of an IRAP slice segment
  bool has_first_irap_slice = false;  // ... with first_slice_segment_in_pic_flag set
  bool has_vps = false;
  bool has_sps = false;
  bool has_pps = false;
};
// std::nullopt for a payload under 2 bytes, a malformed AP or an FU under 3 bytes. Such a
// packet is still forwarded by the caller; it is just not a keyframe.
std::optional<PayloadInfo> InspectPayload(std::span<const uint8_t> payload);

// The packet carries (the start of) a keyframe: an IRAP slice segment (types 16-23) as a
// single NAL unit, an AP containing an IRAP slice segment or an SPS, or the start fragment of
// an FU carrying an IRAP slice segment. Not true for FU middle/end fragments.
bool IsKeyframe(const PayloadInfo& info);

// A decoder that has seen nothing before can start at this packet: its first NAL unit is a
// VPS or SPS, it is an AP holding a VPS, SPS or IRAP slice, or it starts an IRAP picture's
// first slice segment (single NAL unit or FU start). As for H.264 (see h264.h), the keyframe
// starts at the first packet of its RTP timestamp for which this holds; the track decides.
bool StartsKeyframe(const PayloadInfo& info);
// Both questions of one payload at once: rtp/codec/keyframe.h (InspectKeyframes).

// Calls on_nal(std::span<const uint8_t> nal) — the unit with its 2-byte header — for the
// NAL unit of a single-NAL packet or each unit of an AP. Delivers nothing for FU and PACI.
// Returns false (after delivering the units before the damage) for a payload under 2 bytes or a
// malformed AP (sizes not adding up, or a unit too short for its header).
template <typename OnNal>
bool ForEachNalUnit(std::span<const uint8_t> payload, OnNal&& on_nal) {
  if (payload.size() < kNalHeaderSize) return false;
  const uint8_t type = NalType(payload[0]);
  if (type == kAp) {
    bool units_ok = true;  // every unit has room for its NAL header
    const bool well_formed = codec_internal::ForEachAggregatedNal(
        payload, kNalHeaderSize, [&](std::span<const uint8_t> nal) {
          if (nal.size() < kNalHeaderSize) units_ok = false;
          if (units_ok) on_nal(nal);
        });
    return well_formed && units_ok;
  }
  if (type < kAp) on_nal(payload);
  return true;
}

// The VPS, SPS and PPS in one payload (single NAL or AP), as views into it; empty spans for
// what it does not carry. With several of a kind, the first one.
struct ParameterSets {
  std::span<const uint8_t> vps;
  std::span<const uint8_t> sps;
  std::span<const uint8_t> pps;
};
ParameterSets FindParameterSets(std::span<const uint8_t> payload);

// The fields of a sequence parameter set (H.265 §7.3.2.2) that ringcast uses.
struct Sps {
  uint8_t profile_space = 0;
  bool tier_flag = false;   // false: Main tier
  uint8_t profile_idc = 0;  // 1 Main, 2 Main 10, 3 Main Still Picture, 4 RExt, ...
  uint32_t profile_compatibility_flags = 0;
  uint64_t constraint_indicator_flags = 0;  // the 48 bits after the compatibility flags
  uint8_t level_idc = 0;                    // 30 × level: 60 is level 2
  uint32_t max_sub_layers = 1;
  uint32_t sps_id = 0;
  uint32_t chroma_format_idc = 1;
  bool separate_colour_plane = false;
  uint32_t bit_depth_luma = 8;
  uint32_t bit_depth_chroma = 8;
  uint32_t coded_width = 0;  // pic_width_in_luma_samples
  uint32_t coded_height = 0;
  uint32_t width = 0;  // after the conformance window
  uint32_t height = 0;
};

// Parses an SPS NAL unit (2-byte header of type 33 included, emulation prevention still in) as
// far as the bit depths: profile_tier_level (general and sub-layer), ids, chroma format,
// picture size and conformance window. std::nullopt for another NAL type, truncated data or
// values out of range (the picture must be 1..16888 pixels a side).
std::optional<Sps> ParseSps(std::span<const uint8_t> nal);

// Writes an AP payload (RFC 7798 §4.4.2) aggregating `nals` (each with its 2-byte header, no
// start code): F is the OR of the units' F bits, LayerId and TID the lowest of theirs. Returns
// the payload size, or 0 if `nals` is empty, a unit is shorter than 2 or longer than 65535
// bytes, or `out` is too small.
size_t WriteAp(std::span<const std::span<const uint8_t>> nals, std::span<uint8_t> out);

// RTP payloads carrying `vps`, `sps` and `pps` for a reader that joins mid-stream, built into
// `out`: one AP when it fits in max_payload_size, else three single NAL unit payloads. count
// == 0 if a unit is shorter than 2 bytes or longer than max_payload_size, or `out` is too
// small (3 × max_payload_size is always enough).
PayloadSet BuildParameterSetPayloads(std::span<const uint8_t> vps, std::span<const uint8_t> sps,
                                     std::span<const uint8_t> pps, size_t max_payload_size,
                                     std::span<uint8_t> out);

}  // namespace ringcast::rtp::h265

#endif  // RINGCAST_RTP_CODEC_H265_H_
