// RTCP common header (RFC 3550 §6.4.1 / §6.1) and a walker over the blocks of a compound RTCP
// packet, plus the RFC 5761 rtcp-mux demux test.
//
// A compound packet is a run of RTCP blocks ("packets" in RFC 3550), each starting with the
// 4-byte common header: version (2), padding bit, a 5-bit count (RC/SC/FMT), the packet type
// and the length in 32-bit words minus one. CompoundReader hands out one Block at a time; the
// typed parsers (report.h, feedback.h, sdes.h, bye.h) take a Block.
//
// Ownership: a Block is a view into the caller's bytes (a receive-ring buffer, after SRTCP
// decryption) and valid only while they are, i.e. during the call that received the packet.
// Per-packet code on untrusted bytes: no allocation, no exceptions; nothing is read outside the
// span given. Plain values: any thread.
#ifndef RINGCAST_RTP_RTCP_COMPOUND_H_
#define RINGCAST_RTP_RTCP_COMPOUND_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ringcast::rtp::rtcp {

inline constexpr size_t kHeaderSize = 4;
inline constexpr uint8_t kVersion = 2;
inline constexpr uint8_t kMaxCount = 31;  // the 5-bit RC / SC / FMT field

// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).
inline constexpr uint8_t kPacketTypeSr = 200;
inline constexpr uint8_t kPacketTypeRr = 201;
inline constexpr uint8_t kPacketTypeSdes = 202;
inline constexpr uint8_t kPacketTypeBye = 203;
inline constexpr uint8_t kPacketTypeApp = 204;
inline constexpr uint8_t kPacketTypeRtpfb = 205;  // transport-layer feedback
inline constexpr uint8_t kPacketTypePsfb = 206;   // payload-specific feedback

// RFC 5761 §4: on a multiplexed port a datagram is RTCP if its first byte says version 2 and its
// second byte is 192..223 (RTP payload types 64..95 with the marker bit, which rtcp-mux forbids
// for RTP). Only a demux decision; CompoundReader validates the rest.
bool IsRtcp(std::span<const uint8_t> bytes);

// One RTCP block with a validated common header.
class Block {
 public:
  // Validates the header at the start of `bytes`: at least 4 bytes, version 2, packet type
  // 200..206, (length + 1) × 4 bytes present; with the P bit set, the last byte of the block
  // (the padding count, which counts itself) is non-zero and at most the
  // body size. Returns std::nullopt otherwise. The block may be shorter than `bytes`.
  static std::optional<Block> Parse(std::span<const uint8_t> bytes);

  uint8_t packet_type() const { return bytes_[1]; }
  // The 5-bit count field: reception report count (SR/RR), source count (SDES/BYE) or
  // feedback message type FMT (RTPFB/PSFB).
  uint8_t count() const { return bytes_[0] & 0x1F; }
  bool has_padding() const { return (bytes_[0] & 0x20) != 0; }
  // The whole block, header and padding included: (length + 1) × 4 bytes.
  std::span<const uint8_t> bytes() const { return bytes_; }
  // After the 4-byte header, without padding.
  std::span<const uint8_t> body() const { return body_; }

 private:
  Block(std::span<const uint8_t> bytes, std::span<const uint8_t> body)
      : bytes_(bytes), body_(body) {}

  std::span<const uint8_t> bytes_;
  std::span<const uint8_t> body_;
};

// Walks the blocks of a compound packet:
//
//   CompoundReader reader(packet);
//   while (std::optional<Block> block = reader.Next()) { ... }
//   if (reader.malformed()) drop / count the packet;
//
// A block whose header is invalid (see Block::Parse) or whose length runs past the end ends
// the walk and sets malformed(); blocks before it were valid.
class CompoundReader {
 public:
  explicit CompoundReader(std::span<const uint8_t> packet) : rest_(packet) {}

  std::optional<Block> Next();
  bool malformed() const { return malformed_; }

 private:
  std::span<const uint8_t> rest_;
  bool malformed_ = false;
};

// True if `packet` is one or more valid blocks filling it exactly. With `require_report_first`
// the first block must be an SR or RR, as RFC 3550 §6.1 requires of compound packets (RFC 5506
// reduced-size RTCP, e.g. a lone NACK, does not).
bool IsValidCompound(std::span<const uint8_t> packet, bool require_report_first);

// Writes a common header at out[0..3] for a block of `block_size` bytes (a multiple of 4, at
// least 4); the caller has checked that out has 4 bytes. Used by every writer in rtp/rtcp/.
void WriteHeader(uint8_t* out, uint8_t count, uint8_t packet_type, size_t block_size);

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_COMPOUND_H_
