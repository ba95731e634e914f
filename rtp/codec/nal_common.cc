#include "rtp/codec/nal_common.h"

#include <cstring>

namespace ringcast::rtp::codec_internal {

size_t WriteAggregationPacket(std::span<const uint8_t> header,
                              std::span<const std::span<const uint8_t>> nals,
                              std::span<uint8_t> out) {
  if (nals.empty()) return 0;
  size_t needed = header.size();
  for (std::span<const uint8_t> nal : nals) {
    if (nal.empty() || nal.size() > 0xFFFF) return 0;
    needed += 2 + nal.size();
  }
  if (needed > out.size()) return 0;
  uint8_t* p = out.data();
  if (!header.empty()) std::memcpy(p, header.data(), header.size());
  size_t offset = header.size();
  for (std::span<const uint8_t> nal : nals) {
    p[offset] = static_cast<uint8_t>(nal.size() >> 8);
    p[offset + 1] = static_cast<uint8_t>(nal.size());
    std::memcpy(p + offset + 2, nal.data(), nal.size());
    offset += 2 + nal.size();
  }
  return offset;
}

PayloadSet BuildPayloads(std::span<const std::span<const uint8_t>> nals,
                         std::span<const uint8_t> aggregate_header, size_t max_payload_size,
                         std::span<uint8_t> out) {
  PayloadSet result;
  if (nals.empty() || nals.size() > PayloadSet::kMaxPayloads) return result;
  if (!aggregate_header.empty()) {
    size_t aggregate_size = aggregate_header.size();
    for (std::span<const uint8_t> nal : nals) aggregate_size += 2 + nal.size();
    if (aggregate_size <= max_payload_size) {
      const size_t written = WriteAggregationPacket(aggregate_header, nals, out);
      if (written == 0) return result;
      result.payloads[0] = out.first(written);
      result.count = 1;
      return result;
    }
  }
  size_t offset = 0;
  for (std::span<const uint8_t> nal : nals) {
    if (nal.empty() || nal.size() > max_payload_size || nal.size() > out.size() - offset) {
      return PayloadSet{};
    }
    std::memcpy(out.data() + offset, nal.data(), nal.size());
    result.payloads[result.count++] = out.subspan(offset, nal.size());
    offset += nal.size();
  }
  return result;
}

}  // namespace ringcast::rtp::codec_internal
