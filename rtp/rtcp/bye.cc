#include "rtp/rtcp/bye.h"

#include <cstring>

#include "core/check.h"
#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {

std::optional<ByeView> ByeView::Parse(const Block& block) {
  if (block.packet_type() != kPacketTypeBye) return std::nullopt;
  const std::span<const uint8_t> body = block.body();
  const size_t count = block.count();
  if (body.size() < 4 * count) return std::nullopt;
  std::string_view reason;
  const size_t rest = body.size() - 4 * count;
  if (rest > 0) {
    const size_t length = body[4 * count];
    if (rest - 1 < length) return std::nullopt;
    reason = std::string_view(reinterpret_cast<const char*>(body.data() + 4 * count + 1), length);
  }
  return ByeView(body, count, reason);
}

uint32_t ByeView::ssrc(size_t i) const {
  DCHECK(i < ssrc_count_);
  return LoadBe32(body_.data() + 4 * i);
}

size_t WriteBye(std::span<uint8_t> out, std::span<const uint32_t> ssrcs, std::string_view reason) {
  if (ssrcs.empty() || ssrcs.size() > kMaxCount || reason.size() > 255) return 0;
  size_t size = kHeaderSize + 4 * ssrcs.size();
  if (!reason.empty()) size += (1 + reason.size() + 3) & ~size_t{3};
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, static_cast<uint8_t>(ssrcs.size()), kPacketTypeBye, size);
  for (size_t i = 0; i < ssrcs.size(); ++i) StoreBe32(p + 4 + 4 * i, ssrcs[i]);
  if (!reason.empty()) {
    uint8_t* r = p + 4 + 4 * ssrcs.size();
    r[0] = static_cast<uint8_t>(reason.size());
    std::memcpy(r + 1, reason.data(), reason.size());
    std::memset(r + 1 + reason.size(), 0, size - (r + 1 + reason.size() - p));
  }
  return size;
}

}  // namespace ringcast::rtp::rtcp
