// NackGenerator: decides which packets of one incoming RTP stream to ask for again with generic
// NACKs (RFC 4585 §6.2.1, written by WriteNack in feedback.h). It stores no packets, only which
// sequence numbers are missing: a gap in the arriving numbers marks the numbers in it missing;
// Collect(), called periodically, returns the missing numbers due a request now; a missing
// number is cleared when its packet arrives (recovered) and given up when it was asked for
// max_requests times, is older than max_age_ns, or falls out of the last window_packets numbers.
//
// A number is asked for first as soon as Collect runs after the gap is seen (plus
// first_request_delay_ns, which lets slightly reordered packets arrive first), then again only
// when max(rtt, min_interval_ns) has passed since the last request — a retransmission cannot
// arrive sooner than a round trip. A jump ahead of more than window_packets (a loss burst too long
// to repair, or the sender restarting its numbers) gives up everything and asks for nothing:
// OnPacket returns kTooFarAhead, and the caller should ask for a keyframe (PLI) instead.
//
// Retransmissions that arrive in an RTX stream (RFC 4588) are fed with their original sequence
// number (the OSN in the RTX payload). Memory: one slot per window packet, allocated at
// construction; OnPacket and Collect allocate nothing. Thread: one owner (the session's worker).
#ifndef RINGCAST_RTP_RTCP_NACK_GENERATOR_H_
#define RINGCAST_RTP_RTCP_NACK_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtp/seq_num.h"

namespace ringcast::rtp::rtcp {

class NackGenerator {
 public:
  struct Options {
    size_t window_packets = 1000;          // missing numbers tracked behind the newest
    uint32_t max_requests = 10;            // requests per missing number
    int64_t max_age_ns = 1'000'000'000;    // since the gap was seen
    int64_t min_interval_ns = 10'000'000;  // between two requests for the same number, at least
    int64_t first_request_delay_ns = 0;    // from seeing the gap to the first request
  };

  enum class Arrival {
    kNew,          // the newest so far (possibly after a gap, now missing)
    kRecovered,    // a missing number arrived (after a request, or late before one)
    kDuplicate,    // seen before, or older than the window
    kTooFarAhead,  // a jump past the window: everything missing was given up
  };

  explicit NackGenerator(const Options& options);

  // A packet with sequence number `seq` arrived at `now_ns` (CLOCK_MONOTONIC).
  Arrival OnPacket(uint16_t seq, int64_t now_ns);

  // Writes into `out` the numbers to NACK now, oldest first (wrap-aware ascending, as WriteNack
  // wants), and counts a request for each; returns how many. Numbers due that do not fit `out`
  // stay due for the next call. `rtt_ns`: the current round-trip estimate (0 if unknown).
  size_t Collect(int64_t now_ns, int64_t rtt_ns, std::span<uint16_t> out);

  // Numbers missing now (not yet recovered or given up).
  size_t missing() const { return missing_; }
  // Missing numbers that arrived after at least one request.
  uint64_t recovered() const { return recovered_; }
  // Missing numbers that arrived before any request (reordering).
  uint64_t late_arrivals() const { return late_arrivals_; }
  // Missing numbers given up (too many requests, too old, out of the window, jumps).
  uint64_t given_up() const { return given_up_; }
  uint64_t requests() const { return requests_; }

 private:
  struct Slot {
    int64_t seq = -1;  // the unwrapped number this slot tracks while missing; -1: none
    int64_t missing_since_ns = 0;
    int64_t last_request_ns = 0;
    uint32_t requests = 0;
  };

  Slot& SlotOf(int64_t seq) { return slots_[static_cast<size_t>(seq) % slots_.size()]; }
  void GiveUp(Slot& slot);
  void GiveUpAll();

  Options options_;
  std::vector<Slot> slots_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  int64_t highest_ = 0;
  int64_t oldest_missing_ = 0;  // no missing number is below this (a scan start)
  size_t missing_ = 0;
  uint64_t recovered_ = 0;
  uint64_t late_arrivals_ = 0;
  uint64_t given_up_ = 0;
  uint64_t requests_ = 0;
};

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_NACK_GENERATOR_H_
