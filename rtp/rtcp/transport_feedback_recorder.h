// TransportFeedbackRecorder: the receive side of transport-wide congestion control. It records
// when each packet carrying a transport-wide sequence number arrived (every media SSRC of one
// transport shares the counter) and writes the transport-wide feedback messages
// (transport_feedback.h) that report them, each packet once, oldest first.
//
// Arrivals are kept in a ring of `window` slots keyed by the unwrapped sequence number, so memory
// is fixed at construction and recording a packet allocates nothing. A packet more than `window`
// behind the newest is dropped (late()); unreported packets the window slides past are never
// reported (forgotten()). A packet that arrives after feedback already called it lost is
// recorded, and the next message starts at it, so the sender learns it arrived after all
// (repeating what was reported after it, which the format allows). The transport-wide counter
// runs for the whole session and never restarts, so there is no restart detection here.
//
// Thread: one owner (the session's worker); no shared state.
#ifndef RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_RECORDER_H_
#define RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_RECORDER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "rtp/rtcp/transport_feedback.h"
#include "rtp/seq_num.h"

namespace ringcast::rtp::rtcp {

class TransportFeedbackRecorder {
 public:
  struct Options {
    // Packets remembered behind the newest: a power of two, 16..32768.
    size_t window = 4096;
    // The largest message WriteFeedback builds (fits one datagram with SRTCP's overhead); at
    // least 64.
    size_t max_message_size = 1200;
  };

  explicit TransportFeedbackRecorder(const Options& options);

  // A packet with transport-wide sequence number `seq` arrived at `arrival_ns` (CLOCK_MONOTONIC).
  // A duplicate keeps the first arrival.
  void OnPacket(uint16_t seq, int64_t arrival_ns);

  // True if some recorded packet has not been reported yet.
  bool has_unreported() const { return started_ && begin_ < end_; }

  // Writes the next feedback message into `out`: the unreported packets from the oldest, as many
  // as fit max_message_size (and `out`), up to the last received one that fits. Returns its
  // size, or 0 if there is nothing to report or `out` cannot hold one packet's message. Call
  // again while it returns more than 0 to report everything; each message takes the next
  // feedback packet count.
  size_t WriteFeedback(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc);

  // Counters for stats.
  uint64_t received() const { return received_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t late() const { return late_; }
  // Sequence numbers (received or not) the window slid past before they were reported.
  uint64_t forgotten() const { return forgotten_; }
  uint64_t messages() const { return messages_; }

 private:
  static constexpr int64_t kNone = INT64_MIN;

  int64_t& Slot(int64_t seq) { return arrivals_[static_cast<size_t>(seq) & mask_]; }
  int64_t Slot(int64_t seq) const { return arrivals_[static_cast<size_t>(seq) & mask_]; }

  std::vector<int64_t> arrivals_;  // arrival ns by unwrapped seq & mask_, or kNone
  size_t mask_;
  TransportFeedbackBuilder builder_;
  SeqUnwrapper unwrapper_;
  bool started_ = false;
  int64_t begin_ = 0;        // the oldest unreported sequence number
  int64_t end_ = 0;          // one past the newest received
  int64_t valid_begin_ = 0;  // slots for [valid_begin_, end_) hold this window's values
  uint8_t feedback_count_ = 0;
  uint64_t received_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t late_ = 0;
  uint64_t forgotten_ = 0;
  uint64_t messages_ = 0;
};

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_TRANSPORT_FEEDBACK_RECORDER_H_
