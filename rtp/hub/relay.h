// PacketRelay: a path's packets, from the worker that owns the path to one other worker that
// serves some of its viewers — the one channel between workers that carries media.
//
// A camera with more viewers than one worker can serve keeps its Track on its owner; every other
// worker that serves viewers of it holds a replica Track (rtp/hub/replica.h), fed once per packet
// through one relay: the owner copies each stored packet in (Push), the remote worker copies it
// out into its replica's History (Drain), and its viewers are served from there, NACK and fast
// start included. One copy per packet per worker, none per viewer, no lock per packet.
//
// Layout: a byte ring of records, each a fixed header (size, track, flags, the packet's facts)
// followed by the packet's bytes, 32-byte aligned. A record never wraps: when the end of the ring
// is too close, a padding record fills it and the next record starts at offset 0.
//
// Threads and memory ordering — exactly one producer thread (the owner's worker) and exactly one
// consumer thread (the remote worker):
//   - `tail_` counts bytes written. Only the producer writes it: it fills a record, then
//     publishes it with tail_.store(release). The consumer reads tail_ with acquire, which makes
//     every byte of every record below that tail visible to it.
//   - `head_` counts bytes consumed. Only the consumer writes it: it reads a record, then frees it
//     with head_.store(release). The producer reads head_ with acquire before it overwrites that
//     space, so the consumer's reads of it happen before the producer's new writes.
//   - Each side keeps a private copy of the other's counter (cached_head_, cached_tail_) and
//     reloads it only when the ring looks full or empty, so the shared cache lines are touched
//     once per batch, not per packet. The two counters live on separate cache lines.
// `wake_pending_` decides whether the producer posts a wake-up to the consumer's ring (Ring::Post):
// only when none is pending. The producer sets it with exchange(acq_rel) after publishing tail_;
// the consumer clears it with exchange(acq_rel) before it loads tail_. If the producer found a
// wake-up pending, the consumer's clearing exchange reads the value that exchange wrote, so it
// synchronises with it and its tail_ load sees the record — no record is left without a
// wake-up, and each drain sees everything pushed before it was woken.
// A full ring drops the record (counted as `dropped`): the replica then shows a gap, as loss on
// the way in would. Capacity is sized by the owner at subscription (a GOP and the NACK window,
// with room to spare).
#ifndef RINGCAST_RTP_HUB_RELAY_H_
#define RINGCAST_RTP_HUB_RELAY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtp/history.h"

namespace ringcast::rtp::hub {

class PacketRelay {
 public:
  // `capacity_bytes` is rounded up to a power of two (at least 64 KiB).
  explicit PacketRelay(size_t capacity_bytes);
  PacketRelay(const PacketRelay&) = delete;
  PacketRelay& operator=(const PacketRelay&) = delete;

  // Producer thread only. Copies `packet` of track `track` in; false when there is no room
  // (dropped and counted). Returns at once: the consumer is not woken here (WakeWanted).
  bool Push(uint8_t track, const HistoryPacket& packet);
  // Producer: true when a wake-up should be posted to the consumer (something was pushed and no
  // wake-up is pending); it then counts as pending.
  bool WakeWanted();

  // Consumer thread only. Calls on_packet(uint8_t track, const HistoryPacket& packet) for every
  // record in order; `packet.bytes` points into the ring and is valid during the call. Returns
  // how many were delivered.
  template <typename OnPacket>
  size_t Drain(OnPacket&& on_packet);

  // Any thread (relaxed: figures).
  uint64_t pushed() const { return pushed_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  size_t capacity() const { return capacity_; }

 private:
  struct Record {
    uint32_t size = 0;  // the whole record, header and padding included; track 0xFF: padding
    uint8_t track = 0;
    uint8_t flags = 0;  // 1: keyframe, 2: marker
    uint16_t payload_size = 0;
    uint32_t timestamp = 0;
    uint32_t bytes = 0;  // the packet's length
    uint64_t seq = 0;
    int64_t arrival_ns = 0;
  };
  static constexpr uint8_t kPadding = 0xFF;
  // Records start on 32-byte boundaries, so a padding record's header always fits.
  static size_t Aligned(size_t n) { return (n + 31) & ~size_t{31}; }

  // The consumer's half of Drain, out of line.
  bool Next(HistoryPacket& packet, uint8_t& track);

  const size_t capacity_;
  std::unique_ptr<uint8_t[]> ring_;
  // Producer's.
  uint64_t tail_local_ = 0;
  uint64_t cached_head_ = 0;
  bool pushed_since_wake_ = false;
  // Consumer's.
  uint64_t head_local_ = 0;
  uint64_t cached_tail_ = 0;

  alignas(64) std::atomic<uint64_t> tail_{0};  // written by the producer only (release)
  alignas(64) std::atomic<uint64_t> head_{0};  // written by the consumer only (release)
  alignas(64) std::atomic<bool> wake_pending_{false};
  std::atomic<uint64_t> pushed_{0};
  std::atomic<uint64_t> dropped_{0};
};

template <typename OnPacket>
size_t PacketRelay::Drain(OnPacket&& on_packet) {
  wake_pending_.exchange(false, std::memory_order_acq_rel);  // a push from now on wakes us again
  size_t delivered = 0;
  HistoryPacket packet;
  uint8_t track = 0;
  while (Next(packet, track)) {
    on_packet(track, packet);
    ++delivered;
    head_.store(head_local_, std::memory_order_release);  // the record's space is the producer's
  }
  head_.store(head_local_, std::memory_order_release);  // trailing padding, if any
  return delivered;
}

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_RELAY_H_
