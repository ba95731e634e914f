#include "rtp/rtcp/remb.h"

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr uint8_t kIdentifier[4] = {'R', 'E', 'M', 'B'};
constexpr uint32_t kMaxMantissa = 0x3FFFF;

}  // namespace

std::optional<RembView> RembView::Parse(const Block& block) {
  if (block.packet_type() != kPacketTypePsfb || block.count() != kFmtApplicationLayer) {
    return std::nullopt;
  }
  const std::span<const uint8_t> body = block.body();
  if (body.size() < 16) return std::nullopt;  // two SSRCs, identifier, num/exp/mantissa
  const std::span<const uint8_t> fci = body.subspan(8);
  for (size_t i = 0; i < 4; ++i) {
    if (fci[i] != kIdentifier[i]) return std::nullopt;
  }
  const size_t count = fci[4];
  if (fci.size() < 8 + 4 * count) return std::nullopt;
  const uint8_t exponent = fci[5] >> 2;
  const uint64_t mantissa = (uint64_t{fci[5] & 0x3u} << 16) | LoadBe16(fci.data() + 6);
  const uint64_t bitrate = mantissa << exponent;
  if ((bitrate >> exponent) != mantissa) return std::nullopt;  // does not fit 64 bits
  return RembView(body, fci, bitrate);
}

uint32_t RembView::sender_ssrc() const { return LoadBe32(body_.data()); }

uint32_t RembView::ssrc(size_t i) const {
  DCHECK(i < ssrc_count());
  return LoadBe32(fci_.data() + 8 + 4 * i);
}

RembBitrate EncodeRembBitrate(uint64_t bitrate_bps) {
  uint8_t exponent = 0;
  while ((bitrate_bps >> exponent) > kMaxMantissa) ++exponent;
  return RembBitrate{exponent, static_cast<uint32_t>(bitrate_bps >> exponent)};
}

size_t WriteRemb(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t bitrate_bps,
                 std::span<const uint32_t> ssrcs) {
  if (ssrcs.size() > kRembMaxSsrcs) return 0;
  const size_t size = kRembFixedSize + 4 * ssrcs.size();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, kFmtApplicationLayer, kPacketTypePsfb, size);
  StoreBe32(p + 4, sender_ssrc);
  StoreBe32(p + 8, 0);  // media source: unused, always 0
  for (size_t i = 0; i < 4; ++i) p[12 + i] = kIdentifier[i];
  const RembBitrate rate = EncodeRembBitrate(bitrate_bps);
  p[16] = static_cast<uint8_t>(ssrcs.size());
  p[17] = static_cast<uint8_t>((rate.exponent << 2) | (rate.mantissa >> 16));
  StoreBe16(p + 18, static_cast<uint16_t>(rate.mantissa));
  for (size_t i = 0; i < ssrcs.size(); ++i) StoreBe32(p + 20 + 4 * i, ssrcs[i]);
  return size;
}

}  // namespace ringcast::rtp::rtcp
