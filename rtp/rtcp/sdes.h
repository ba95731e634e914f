// RTCP Source Description (PT 202, RFC 3550 §6.5): the CNAME writer every compound packet we send
// needs (RFC 3550 §6.1: SR or RR first, then SDES with CNAME), and a reader over received items.
//
// Ownership: SdesItem values point into the Block's bytes and are valid only while those are.
// The writer writes into a caller's buffer and returns the bytes written or 0; no allocation.
// Untrusted input: the reader stops and sets malformed() at the first bad chunk. Any thread.
#ifndef RINGCAST_RTP_RTCP_SDES_H_
#define RINGCAST_RTP_RTCP_SDES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

inline constexpr uint8_t kSdesCname = 1;

// One item of one chunk.
struct SdesItem {
  uint32_t ssrc = 0;  // the chunk's SSRC/CSRC
  uint8_t type = 0;   // 1 CNAME, 2 NAME, … 8 PRIV
  std::string_view value;
};

// Visits every item of every chunk of an SDES block, in order. Each chunk is an SSRC, items
// (type, length, text), and a null octet plus padding to the next 32-bit boundary. Walks at most
// the block's SC chunks.
class SdesReader {
 public:
  // `block` must be an SDES block; any other type yields no items and malformed().
  explicit SdesReader(const Block& block);

  std::optional<SdesItem> Next();
  bool malformed() const { return malformed_; }

 private:
  std::span<const uint8_t> body_;
  size_t offset_ = 0;
  size_t chunks_left_ = 0;
  bool in_chunk_ = false;
  uint32_t ssrc_ = 0;
  bool malformed_ = false;
};

// Writes an SDES block with one chunk: `ssrc` and its CNAME (1..255 bytes). Returns the size (a
// multiple of 4), or 0 if the CNAME is empty or too long or the block does not fit.
size_t WriteSdesCname(std::span<uint8_t> out, uint32_t ssrc, std::string_view cname);

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_SDES_H_
