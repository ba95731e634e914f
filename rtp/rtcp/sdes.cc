#include "rtp/rtcp/sdes.h"

#include <cstring>

#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {

SdesReader::SdesReader(const Block& block) {
  if (block.packet_type() != kPacketTypeSdes) {
    malformed_ = true;
    return;
  }
  body_ = block.body();
  chunks_left_ = block.count();
}

std::optional<SdesItem> SdesReader::Next() {
  while (!malformed_) {
    if (!in_chunk_) {
      if (chunks_left_ == 0) return std::nullopt;
      if (body_.size() - offset_ < 4) break;
      ssrc_ = LoadBe32(body_.data() + offset_);
      offset_ += 4;
      in_chunk_ = true;
      --chunks_left_;
    }
    if (offset_ >= body_.size()) break;
    const uint8_t type = body_[offset_];
    if (type == 0) {
      // End of the item list: the null octet, then padding to the next 32-bit boundary
      // (the body starts on one).
      offset_ = (offset_ + 4) & ~size_t{3};
      if (offset_ > body_.size()) break;
      in_chunk_ = false;
      continue;
    }
    if (body_.size() - offset_ < 2) break;
    const size_t length = body_[offset_ + 1];
    if (body_.size() - offset_ - 2 < length) break;
    const char* text = reinterpret_cast<const char*>(body_.data() + offset_ + 2);
    offset_ += 2 + length;
    return SdesItem{ssrc_, type, std::string_view(text, length)};
  }
  malformed_ = true;
  return std::nullopt;
}

size_t WriteSdesCname(std::span<uint8_t> out, uint32_t ssrc, std::string_view cname) {
  if (cname.empty() || cname.size() > 255) return 0;
  // header, SSRC, type, length, text, then at least one null octet up to a 32-bit boundary.
  const size_t unpadded = kHeaderSize + 4 + 2 + cname.size() + 1;
  const size_t size = (unpadded + 3) & ~size_t{3};
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteHeader(p, 1, kPacketTypeSdes, size);
  StoreBe32(p + 4, ssrc);
  p[8] = kSdesCname;
  p[9] = static_cast<uint8_t>(cname.size());
  std::memcpy(p + 10, cname.data(), cname.size());
  std::memset(p + 10 + cname.size(), 0, size - 10 - cname.size());
  return size;
}

}  // namespace ringcast::rtp::rtcp
