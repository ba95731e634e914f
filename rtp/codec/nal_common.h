// Pieces shared by the H.264 (RFC 6184) and H.265 (RFC 7798) payload code: walking an
// aggregation packet (STAP-A / AP: a payload header, then 16-bit size + NAL unit, repeated),
// writing one, and PayloadSet, the few RTP payloads built for a reader that joins mid-stream.
//
// Everything here works on caller-owned bytes, allocates nothing and runs on any thread.
#ifndef RINGCAST_RTP_CODEC_NAL_COMMON_H_
#define RINGCAST_RTP_CODEC_NAL_COMMON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ringcast::rtp {

// Up to three RTP payloads (parameter sets) built into a caller's buffer; the spans point into
// that buffer and live as long as it does. count == 0 means nothing could be built.
struct PayloadSet {
  static constexpr size_t kMaxPayloads = 3;
  std::array<std::span<const uint8_t>, kMaxPayloads> payloads{};
  size_t count = 0;

  std::span<const std::span<const uint8_t>> view() const { return {payloads.data(), count}; }
};

namespace codec_internal {

// Calls on_nal(std::span<const uint8_t> nal) for each NAL unit of an aggregation packet whose
// payload header is `header_size` bytes. Returns false — after delivering the units before
// it — if a size field is zero, runs past the end, or a lone byte trails the last unit; true
// if the whole payload was consumed.
template <typename OnNal>
bool ForEachAggregatedNal(std::span<const uint8_t> payload, size_t header_size, OnNal&& on_nal) {
  if (payload.size() <= header_size) return false;
  size_t offset = header_size;
  while (offset < payload.size()) {
    if (payload.size() - offset < 2) return false;
    const size_t size = (size_t{payload[offset]} << 8) | payload[offset + 1];
    offset += 2;
    if (size == 0 || size > payload.size() - offset) return false;
    on_nal(payload.subspan(offset, size));
    offset += size;
  }
  return true;
}

// Writes `header` then, per NAL unit, its 16-bit size and bytes. Returns the bytes written, or
// 0 if `nals` is empty, a unit is empty or longer than 65535 bytes, or `out` is too small.
size_t WriteAggregationPacket(std::span<const uint8_t> header,
                              std::span<const std::span<const uint8_t>> nals,
                              std::span<uint8_t> out);

// One payload per NAL unit (copied into `out`), or — if `aggregate_header` is not empty — one
// aggregation packet with all of them when it fits in `max_payload_size`. Fails (count 0) if a
// unit is empty, does not fit `max_payload_size` on its own, or `out` is too small.
PayloadSet BuildPayloads(std::span<const std::span<const uint8_t>> nals,
                         std::span<const uint8_t> aggregate_header, size_t max_payload_size,
                         std::span<uint8_t> out);

}  // namespace codec_internal
}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_CODEC_NAL_COMMON_H_
