// The sending side of H.264 over RTP: an Annex B elementary stream (what `ffmpeg -f h264`
// writes) split into NAL units and access units, and an RFC 6184 packetization-mode=1
// packetizer that turns one access unit into RTP payloads — single NAL unit packets, FU-A
// fragments for larger units, optionally one STAP-A for the SPS + PPS in front of a keyframe.
// Also the a=fmtp line a sender announces for such a stream (profile-level-id from the SPS,
// sprop-parameter-sets).
//
// Ownership: every span handed out points into the caller's bytes (the stream that was split)
// and lives as long as they do. Packetizer writes each payload into a buffer the caller owns
// and allocates nothing. Splitting and grouping allocate (set-up time: the demo clip is split
// once when it is loaded); packetizing does not. Plain values, no shared state: any thread.
#ifndef RINGCAST_RTP_CODEC_H264_PACKETIZER_H_
#define RINGCAST_RTP_CODEC_H264_PACKETIZER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ringcast::rtp::h264 {

// --- Annex B -----------------------------------------------------------------------------------

// The next NAL unit of an Annex B byte stream (H.264 Annex B.1) at or after `offset`, which is
// advanced past it: the bytes between a 3-byte start code (00 00 01; a 4-byte one is a zero
// byte + that) and the next start code or the end, without the trailing zero bytes that belong
// to the byte stream (trailing_zero_8bits, the leading zero of a 4-byte start code). Bytes
// before the first start code are skipped, empty units too. std::nullopt at the end.
std::optional<std::span<const uint8_t>> NextAnnexBNal(std::span<const uint8_t> stream,
                                                      size_t& offset);

// Every NAL unit of `stream`, in order (NextAnnexBNal until the end).
std::vector<std::span<const uint8_t>> SplitAnnexB(std::span<const uint8_t> stream);

// --- Access units ------------------------------------------------------------------------------

// True for the VCL NAL unit types (coded slices, 1..5).
constexpr bool IsVcl(uint8_t nal_type) { return nal_type >= 1 && nal_type <= 5; }

// H.264 §7.4.1.2.3: after a VCL NAL unit, a new access unit starts at an access unit
// delimiter, SPS, PPS, SEI or a type 14..18 unit, or at the first slice of the next primary
// picture. Pictures here are told apart by first_mb_in_slice == 0 (every picture starts with
// its macroblock 0; arbitrary slice order, a Baseline-only feature encoders do not use, is not
// handled). `after_vcl` says whether a VCL unit came since the current access unit began.
bool StartsAccessUnit(std::span<const uint8_t> nal, bool after_vcl);

// One access unit: the NAL units of one picture and what precedes it (parameter sets, SEI),
// as views into the split stream.
struct AccessUnit {
  std::vector<std::span<const uint8_t>> nals;
  bool has_idr = false;  // an IDR slice (type 5): a decoder can start here given SPS/PPS
  bool has_sps = false;
  bool has_pps = false;

  size_t size_bytes() const;  // the NAL units' bytes, without start codes
};

// Groups NAL units (SplitAnnexB's) into access units with StartsAccessUnit. Units before the
// first VCL unit go into the first access unit; a trailing run without a VCL unit (an end of
// sequence, a lone SEI) is appended to the last one.
std::vector<AccessUnit> GroupAccessUnits(std::span<const std::span<const uint8_t>> nals);

// --- RFC 6184 packetization-mode=1 -------------------------------------------------------------

struct PacketizerOptions {
  // The largest RTP payload written (the RTP header comes on top). 1200 keeps a packet with
  // SRTP and a few header extensions inside a 1280-byte IPv6 path MTU.
  size_t max_payload_size = 1200;
  // A run of consecutive SPS/PPS units (as in front of every IDR) goes out as one STAP-A
  // (RFC 6184 §5.7.1) when it fits; otherwise each is a single NAL unit packet.
  bool aggregate_parameter_sets = true;
};

// One payload Packetizer::Next() wrote.
struct PacketizedPayload {
  size_t size = 0;    // bytes written at the start of the caller's buffer
  bool last = false;  // the access unit's last payload: its RTP packet carries the marker bit
};

// Packetizes one access unit at a time into caller buffers:
//
//   Packetizer packetizer({.max_payload_size = 1200});
//   packetizer.Start(au.nals);
//   while (auto payload = packetizer.Next(buffer)) Send(buffer.first(payload->size),
//                                                     /*marker=*/payload->last);
//
// A NAL unit of up to max_payload_size bytes is a single NAL unit packet (RFC 6184 §5.6);
// a larger one is split into FU-A fragments (§5.8): FU indicator with the unit's F and NRI and
// type 28, FU header with S on the first fragment, E on the last and the unit's type, then
// the unit's bytes after its header. Fragments carry max_payload_size - 2 of those bytes each
// except the last, so an access unit's fragments form one run of equal-size packets (one GSO
// send). Empty units are skipped. Nothing is allocated.
class Packetizer {
 public:
  // The smallest max_payload_size: an FU-A fragment needs its 2 header bytes and 1 data byte.
  static constexpr size_t kMinPayloadSize = 3;

  explicit Packetizer(const PacketizerOptions& options = {});

  // Begins an access unit; any unfinished one is dropped. `nals` (each unit with its header
  // byte, no start code) and the bytes they point to must stay valid until Next() has
  // returned the last payload.
  void Start(std::span<const std::span<const uint8_t>> nals);

  // Writes the next payload of the access unit into `out`, which must hold max_payload_size
  // bytes. std::nullopt when the access unit is done (or `out` is too small, a caller bug).
  std::optional<PacketizedPayload> Next(std::span<uint8_t> out);

  bool done() const { return nal_index_ >= nals_.size(); }
  const PacketizerOptions& options() const { return options_; }

 private:
  // Moves to the next non-empty unit at or after nal_index_.
  void SkipEmptyNals();
  // How many units from nal_index_ on go into one STAP-A; 0 or 1 means none.
  size_t ParameterSetRun() const;

  PacketizerOptions options_;
  std::span<const std::span<const uint8_t>> nals_;
  size_t nal_index_ = 0;
  size_t fragment_offset_ = 0;  // FU-A: bytes of the current unit already sent (after its header)
};

// The a=fmtp parameters for an H.264 stream sent in packetization-mode 1 (RFC 6184 §8.1):
// "packetization-mode=1;profile-level-id=42c01f;sprop-parameter-sets=<SPS>,<PPS>" with
// profile-level-id from the SPS (profile_idc, constraint flags, level_idc; lower-case hex) and
// the two units base64-encoded (RFC 4648 §4, padded). std::nullopt if `sps` does not parse
// (ParseSps) or `pps` is not a PPS.
std::optional<std::string> BuildFmtp(std::span<const uint8_t> sps, std::span<const uint8_t> pps);

}  // namespace ringcast::rtp::h264

#endif  // RINGCAST_RTP_CODEC_H264_PACKETIZER_H_
