// SeqTracker: one viewer's accounting of an RTP stream by its (cleartext) sequence numbers —
// packets, gaps, duplicates, late arrivals — and the NACK schedule for the gaps.
//
// Sequence numbers are extended to 64 bits around the highest seen (wrap-aware). A window of
// the last kWindow numbers remembers which arrived. A number skipped when a higher one arrives
// is a gap: it is put on the missing list, NACKed once after a short reorder delay and once more
// if it still has not come, then given up as lost. A missing number that arrives after its NACK
// counts as recovered; one that arrives before any NACK (reordering) as late; a number that
// arrives twice as a duplicate. Numbers further back than the window count as too_old.
//
// Per-packet code: OnPacket allocates nothing (the missing list is a fixed-capacity array; gaps
// beyond it are lost at once). One viewer, one thread.
#ifndef RINGCAST_TOOLS_LOADGEN_SEQ_TRACKER_H_
#define RINGCAST_TOOLS_LOADGEN_SEQ_TRACKER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ringcast::loadgen {

struct SeqCounts {
  uint64_t packets = 0;     // distinct packets received (duplicates not included)
  uint64_t gaps = 0;        // sequence numbers found missing when a later one arrived
  uint64_t recovered = 0;   // missing, NACKed, then arrived
  uint64_t late = 0;        // missing, arrived before any NACK (reordered)
  uint64_t lost = 0;        // missing and given up (after the NACK retry, or window overrun)
  uint64_t duplicates = 0;  // arrived twice (includes retransmissions of packets not lost)
  uint64_t too_old = 0;     // arrived further back than the window: not classified
  uint64_t nacks_sent = 0;  // NACK messages
  uint64_t nack_seqs = 0;   // sequence numbers asked for (retries included)
};

struct NackPolicy {
  bool enabled = true;
  int64_t reorder_delay_ns = 20'000'000;  // first NACK this long after the gap was seen
  int64_t retry_delay_ns = 120'000'000;   // the one retry
  int64_t give_up_ns = 400'000'000;       // after the retry: lost
};

class SeqTracker {
 public:
  static constexpr size_t kWindow = 2048;  // sequence numbers remembered (power of two)
  static constexpr size_t kMaxMissing = 256;

  explicit SeqTracker(NackPolicy policy = {}) : policy_(policy) {}

  // One RTP packet with sequence number `seq`, received at `now_ns`.
  void OnPacket(uint16_t seq, int64_t now_ns);

  // The sequence numbers to NACK now (ascending, at most out.size()); marks them NACKed and
  // expires the ones given up. Returns how many were written.
  size_t CollectNacks(int64_t now_ns, std::span<uint16_t> out);
  // Counts one NACK message carrying `seqs` numbers (the caller sent it).
  void CountNack(size_t seqs) {
    ++counts_.nacks_sent;
    counts_.nack_seqs += seqs;
  }

  bool has_missing() const { return missing_count_ > 0; }
  bool started() const { return started_; }
  // RFC 3550 §6.4.1 fields for a receiver report.
  uint32_t extended_highest() const { return static_cast<uint32_t>(highest_); }
  uint64_t expected() const { return started_ ? highest_ - base_ + 1 : 0; }
  const SeqCounts& counts() const { return counts_; }

 private:
  struct Missing {
    uint64_t seq = 0;
    int64_t seen_ns = 0;
    int64_t nacked_ns = 0;
    uint8_t nacks = 0;
  };
  bool Received(uint64_t seq) const { return (bits_[(seq / 64) % kWords] >> (seq % 64)) & 1; }
  void SetReceived(uint64_t seq, bool on);
  void AddMissing(uint64_t seq, int64_t now_ns);
  // Removes entry i (order is not kept).
  void RemoveMissing(size_t i) { missing_[i] = missing_[--missing_count_]; }

  static constexpr size_t kWords = kWindow / 64;
  NackPolicy policy_;
  bool started_ = false;
  uint64_t base_ = 0;     // first extended sequence number
  uint64_t highest_ = 0;  // highest extended sequence number
  std::array<uint64_t, kWords> bits_{};
  std::array<Missing, kMaxMissing> missing_{};
  size_t missing_count_ = 0;
  SeqCounts counts_;
};

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_SEQ_TRACKER_H_
