#include "rtp/hub/relay.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace ringcast::rtp::hub {

PacketRelay::PacketRelay(size_t capacity_bytes)
    : capacity_(std::bit_ceil(std::max<size_t>(capacity_bytes, 64 << 10))),
      ring_(std::make_unique<uint8_t[]>(capacity_)) {}

bool PacketRelay::Push(uint8_t track, const HistoryPacket& packet) {
  const size_t size = Aligned(sizeof(Record) + packet.bytes.size());
  const size_t offset = tail_local_ & (capacity_ - 1);
  const size_t contiguous = capacity_ - offset;
  const size_t needed = size <= contiguous ? size : contiguous + size;
  if (capacity_ - (tail_local_ - cached_head_) < needed) {
    cached_head_ = head_.load(std::memory_order_acquire);
    if (capacity_ - (tail_local_ - cached_head_) < needed) {
      dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return false;
    }
  }
  if (size > contiguous) {  // pad to the end; the record starts at 0
    Record padding{.size = static_cast<uint32_t>(contiguous), .track = kPadding};
    std::memcpy(ring_.get() + offset, &padding, sizeof(padding));
    tail_local_ += contiguous;
  }
  Record header{.size = static_cast<uint32_t>(size),
                .track = track,
                .flags = static_cast<uint8_t>((packet.keyframe ? 1 : 0) | (packet.marker ? 2 : 0)),
                .payload_size = packet.payload_size,
                .timestamp = packet.timestamp,
                .bytes = static_cast<uint32_t>(packet.bytes.size()),
                .seq = packet.seq,
                .arrival_ns = packet.arrival_ns};
  uint8_t* at = ring_.get() + (tail_local_ & (capacity_ - 1));
  std::memcpy(at, &header, sizeof(header));
  std::memcpy(at + sizeof(header), packet.bytes.data(), packet.bytes.size());
  tail_local_ += size;
  tail_.store(tail_local_, std::memory_order_release);
  pushed_.store(pushed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  pushed_since_wake_ = true;
  return true;
}

bool PacketRelay::WakeWanted() {
  if (!pushed_since_wake_) return false;
  pushed_since_wake_ = false;
  return !wake_pending_.exchange(true, std::memory_order_acq_rel);
}

bool PacketRelay::Next(HistoryPacket& packet, uint8_t& track) {
  while (true) {
    if (head_local_ == cached_tail_) {
      cached_tail_ = tail_.load(std::memory_order_acquire);
      if (head_local_ == cached_tail_) return false;
    }
    const uint8_t* at = ring_.get() + (head_local_ & (capacity_ - 1));
    Record header;
    std::memcpy(&header, at, sizeof(header));
    head_local_ += header.size;
    if (header.track == kPadding) continue;
    track = header.track;
    packet = HistoryPacket{.bytes = {at + sizeof(header), header.bytes},
                           .seq = header.seq,
                           .timestamp = header.timestamp,
                           .arrival_ns = header.arrival_ns,
                           .keyframe = (header.flags & 1) != 0,
                           .marker = (header.flags & 2) != 0,
                           .payload_size = header.payload_size};
    return true;
  }
}

}  // namespace ringcast::rtp::hub
