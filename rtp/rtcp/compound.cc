#include "rtp/rtcp/compound.h"

#include "rtp/byte_io.h"

namespace ringcast::rtp::rtcp {

bool IsRtcp(std::span<const uint8_t> bytes) {
  return bytes.size() >= kHeaderSize && (bytes[0] >> 6) == kVersion && bytes[1] >= 192 &&
         bytes[1] <= 223;
}

std::optional<Block> Block::Parse(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  if ((bytes[0] >> 6) != kVersion) return std::nullopt;
  if (bytes[1] < kPacketTypeSr || bytes[1] > kPacketTypePsfb) return std::nullopt;
  const size_t size = (size_t{LoadBe16(bytes.data() + 2)} + 1) * 4;
  if (size > bytes.size()) return std::nullopt;
  const std::span<const uint8_t> block = bytes.first(size);
  size_t body_size = size - kHeaderSize;
  if ((bytes[0] & 0x20) != 0) {
    // RFC 3550 §6.4.1: the last octet counts the padding octets, itself included.
    const size_t padding = block[size - 1];
    if (padding == 0 || padding > body_size) return std::nullopt;
    body_size -= padding;
  }
  return Block(block, block.subspan(kHeaderSize, body_size));
}

std::optional<Block> CompoundReader::Next() {
  if (rest_.empty() || malformed_) return std::nullopt;
  std::optional<Block> block = Block::Parse(rest_);
  if (!block) {
    malformed_ = true;
    rest_ = {};
    return std::nullopt;
  }
  rest_ = rest_.subspan(block->bytes().size());
  return block;
}

bool IsValidCompound(std::span<const uint8_t> packet, bool require_report_first) {
  CompoundReader reader(packet);
  bool first = true;
  while (std::optional<Block> block = reader.Next()) {
    if (first && require_report_first && block->packet_type() != kPacketTypeSr &&
        block->packet_type() != kPacketTypeRr) {
      return false;
    }
    first = false;
  }
  return !first && !reader.malformed();
}

void WriteHeader(uint8_t* out, uint8_t count, uint8_t packet_type, size_t block_size) {
  out[0] = static_cast<uint8_t>((kVersion << 6) | (count & 0x1F));
  out[1] = packet_type;
  StoreBe16(out + 2, static_cast<uint16_t>(block_size / 4 - 1));
}

}  // namespace ringcast::rtp::rtcp
