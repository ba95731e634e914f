// RetransmitBudget: how much one WebRTC viewer may have sent again, so that a NACK — from a
// lossy link or from a viewer that NACKs on purpose — costs the server bounded bandwidth and
// CPU, and retransmissions cannot deepen the congestion that caused the loss.
//
//   - Bytes: a token bucket credited with `percent` of every fresh packet sent to the viewer,
//     so retransmissions stay a fraction of the stream's own rate (as libwebrtc and mediasoup
//     bound RTX). It holds at most two seconds' credit (at least kMinBurstBytes, which is also
//     what it starts with: the loss of a keyframe's burst can be repaired at once).
//   - Repeats: a packet is sent again at most once per round trip (RecentResends); the viewer's
//     NACK for it repeats only when our resend was lost too, one RTT later.
//
// Plain values, no clock of its own: the owner passes the time. Worker thread (the session's).
#ifndef RINGCAST_NET_WEBRTC_RETRANSMIT_BUDGET_H_
#define RINGCAST_NET_WEBRTC_RETRANSMIT_BUDGET_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ringcast::net::webrtc {

class RetransmitBudget {
 public:
  static constexpr int64_t kMinBurstBytes = 64 * 1024;

  // `percent` of the fresh bytes may be resent (webrtc.nack_budget_percent).
  explicit RetransmitBudget(uint32_t percent = 25) : percent_(percent) {}

  void set_percent(uint32_t percent) { percent_ = percent; }
  uint32_t percent() const { return percent_; }

  // A fresh (not retransmitted) packet of `bytes` went to the viewer.
  void OnFreshSent(size_t bytes) {
    const int64_t credit = static_cast<int64_t>(bytes) * percent_;  // in 1/100 bytes
    window_credit_ += credit;
    tokens_ = std::min(tokens_ + credit, cap_);
  }

  // Whether a retransmission of `bytes` fits; when it does, it is spent.
  bool TrySpend(size_t bytes) {
    const int64_t cost = static_cast<int64_t>(bytes) * 100;
    if (cost > tokens_) return false;
    tokens_ -= cost;
    return true;
  }

  // Every few seconds at most (the session calls it with its sender reports): the bucket's size
  // follows the stream's rate over the `elapsed_ns` since the last call.
  void UpdateCap(int64_t elapsed_ns);

  // Bytes that may be resent now.
  int64_t available_bytes() const { return tokens_ / 100; }
  int64_t cap_bytes() const { return cap_ / 100; }

 private:
  uint32_t percent_;
  // Hundredths of a byte, so that small packets at a small percentage still earn credit.
  int64_t tokens_ = kMinBurstBytes * 100;
  int64_t cap_ = kMinBurstBytes * 100;
  int64_t window_credit_ = 0;  // credited since the last UpdateCap
};

// Which sequence numbers (the viewer's numbering) were resent lately, and when: a direct-mapped
// table of the last kSlots, so a number resent once per round trip at most costs no search and a
// few kilobytes per NACKing viewer and track (allocated at the first NACK).
class RecentResends {
 public:
  static constexpr size_t kSlots = 256;

  // Whether `seq` was resent less than `interval_ns` before `now_ns`.
  bool SentWithin(uint16_t seq, int64_t now_ns, int64_t interval_ns) const;
  // `seq` was resent at `now_ns`.
  void Record(uint16_t seq, int64_t now_ns);

 private:
  struct Slot {
    int64_t sent_ns = 0;
    uint16_t seq = 0;
    bool used = false;
  };
  std::unique_ptr<std::array<Slot, kSlots>> slots_;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_RETRANSMIT_BUDGET_H_
