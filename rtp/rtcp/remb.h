// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2): PSFB FMT 15
// (application layer feedback) whose FCI starts with the ASCII identifier "REMB", then the number
// of SSRCs (8 bits), the bitrate as a 6-bit exponent and an 18-bit mantissa (bps = mantissa <<
// exponent), and the SSRCs the estimate applies to. The media source SSRC field is 0.
//
// Ownership: RembView points into the Block's bytes (see compound.h) and is valid only while
// those are. WriteRemb writes into a caller's buffer; nothing is allocated. Untrusted input:
// std::nullopt for anything malformed. Plain values, any thread.
#ifndef RINGCAST_RTP_RTCP_REMB_H_
#define RINGCAST_RTP_RTCP_REMB_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {

inline constexpr uint8_t kFmtApplicationLayer = 15;  // PSFB
inline constexpr size_t kRembFixedSize = 20;         // header, two SSRCs, "REMB", num/exp/mantissa
inline constexpr size_t kRembMaxSsrcs = 255;

// A REMB: PSFB FMT 15, "REMB", and every SSRC the count announces present (extra bytes after
// them are ignored). A bitrate that does not fit 64 bits (mantissa << exponent overflows) is
// refused.
class RembView {
 public:
  static std::optional<RembView> Parse(const Block& block);

  uint32_t sender_ssrc() const;
  uint64_t bitrate_bps() const { return bitrate_bps_; }
  size_t ssrc_count() const { return fci_[4]; }
  uint32_t ssrc(size_t i) const;  // i < ssrc_count() (DCHECKed)

 private:
  RembView(std::span<const uint8_t> body, std::span<const uint8_t> fci, uint64_t bitrate)
      : body_(body), fci_(fci), bitrate_bps_(bitrate) {}
  std::span<const uint8_t> body_;
  std::span<const uint8_t> fci_;
  uint64_t bitrate_bps_ = 0;
};

// The exponent/mantissa pair for `bitrate_bps`: the smallest exponent whose mantissa fits 18
// bits; the mantissa is rounded down, so the encoded rate never exceeds the estimate.
struct RembBitrate {
  uint8_t exponent = 0;   // 0..63
  uint32_t mantissa = 0;  // 0..0x3FFFF
};
RembBitrate EncodeRembBitrate(uint64_t bitrate_bps);

// Writes a REMB for `ssrcs` (0..255 of them) at the start of `out`. Returns its size (20 + 4 ×
// SSRCs), or 0 if it does not fit or there are too many SSRCs.
size_t WriteRemb(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t bitrate_bps,
                 std::span<const uint32_t> ssrcs);

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_REMB_H_
