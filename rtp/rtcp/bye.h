// RTCP BYE (PT 203, RFC 3550 §6.6): a viewer or source leaving. View over a received block and a
// writer.
//
// Ownership: ByeView points into the Block's bytes, valid only while those are. The writer writes
// into a caller's buffer and returns the bytes written or 0; no allocation. Any thread.
#ifndef RINGCAST_RTP_RTCP_BYE_H_
#define RINGCAST_RTP_RTCP_BYE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

class ByeView {
 public:
  // PT 203 with SC SSRCs present; the optional reason (length octet + text) must fit the block.
  static std::optional<ByeView> Parse(const Block& block);

  size_t ssrc_count() const { return ssrc_count_; }
  uint32_t ssrc(size_t i) const;  // i < ssrc_count() (DCHECKed)
  // Empty if there is none.
  std::string_view reason() const { return reason_; }

 private:
  ByeView(std::span<const uint8_t> body, size_t count, std::string_view reason)
      : body_(body), ssrc_count_(count), reason_(reason) {}
  std::span<const uint8_t> body_;
  size_t ssrc_count_ = 0;
  std::string_view reason_;
};

// Writes a BYE for 1..31 SSRCs with an optional reason (≤ 255 bytes), zero-padded to 32 bits.
// Returns the size, or 0 if the arguments are out of range or it does not fit.
size_t WriteBye(std::span<uint8_t> out, std::span<const uint32_t> ssrcs,
                std::string_view reason = {});

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_BYE_H_
