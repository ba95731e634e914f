// ReorderBuffer: puts the packets of one incoming RTP stream (a WHIP publisher's) back in
// sequence order before they reach the path's Track, which keeps only packets newer than the last
// one it took. Lost packets are asked for again with NACKs (rtcp/nack_generator.h) and their
// retransmissions arrive late; the packets behind such a gap wait here until it is filled or
// until waiting longer is pointless, and then go on in order.
//
//   Push ─▶ next in sequence? ─yes─▶ deliver (the caller's bytes, no copy), then the buffered
//                                     packets that are now contiguous
//                              ─no──▶ ahead: copied into a slot, waits
//                                     behind what was delivered: dropped (late)
//   Flush (timer) ─▶ a packet has waited max_wait_ns: the numbers missing before it are given up
//                    and the packets up to it and the run after it are delivered
//
// Sequence numbers are compared against the next one expected with wrap-aware 16-bit distance
// (seq_num.h) and kept as unwrapped 64-bit numbers. The first packet starts the stream. A packet
// more than `capacity` ahead cannot be held: everything waiting is delivered (its gaps given up)
// and the stream continues from that packet. A jump of more than kRestartJump is a sender that
// restarted its numbering (RFC 3550 A.1's MAX_DROPOUT): counted as a restart, and the stream
// continues from the new number rather than dropping everything after it as late. Ahead, past the
// capacity, that is decided at once (the packet could not wait anyway). Behind, it takes a second
// packet: the far-behind one is kept aside, and if the next packet follows it (at most
// kRestartFollow ahead of it) the restart is taken — both go on, the first one included;
// otherwise it was a stray and is dropped as late. RFC 3550 A.1 waits for the next packet the
// same way, so that one stale packet cannot pull the stream back. Packets larger than
// max_packet_size are refused (counted) whether or not they would have waited, so that a stream
// behaves the same with and without loss.
//
// Ownership: the buffer owns its slots: capacity + 1 packet slots (the extra one holds a
// restart's first packet), their bytes ((capacity + 1) × max_packet_size) allocated once, when
// the first packet has to be kept, and nothing per packet after that. The RtpView passed to Push
// is the caller's and is only read during the call; the views handed to the sink (the caller's
// own for the fast path, a slot's otherwise) are valid only during the sink call. The sink must
// not call back into the same buffer.
//
// Thread: one owner (the worker the stream's packets arrive on).
#ifndef RINGCAST_RTP_REORDER_BUFFER_H_
#define RINGCAST_RTP_REORDER_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "rtp/rtp_packet.h"

namespace ringcast::rtp {

class ReorderBuffer {
 public:
  struct Options {
    size_t capacity = 512;              // packets held at most (a power of two, 16..4096)
    size_t max_packet_size = 1500;      // larger packets are refused (counted)
    int64_t max_wait_ns = 200'000'000;  // how long a packet may wait behind a gap
  };

  // A jump of more than this many sequence numbers (ahead, past the capacity, or behind) is a
  // sender that restarted its numbering: RFC 3550 A.1's MAX_DROPOUT, the threshold Track uses.
  static constexpr int64_t kRestartJump = 3000;
  // A far-behind packet is a restart if the next packet is at most this far ahead of it. RFC 3550
  // A.1 wants exactly the next number; this lets the new numbering lose or reorder a few (A.1's
  // MAX_MISORDER), and keeps the confirming packet far from anything the stream could take.
  static constexpr int64_t kRestartFollow = 100;
  static constexpr size_t kMinCapacity = 16;
  static constexpr size_t kMaxCapacity = 4096;

  // Called with each packet that leaves the buffer, in sequence order; see the file comment for
  // how long `packet` is valid.
  using Sink = absl::FunctionRef<void(const RtpView& packet)>;

  // A capacity out of range is clamped and rounded up to a power of two; max_packet_size is at
  // least the 12-byte RTP header.
  explicit ReorderBuffer(const Options& options);

  ReorderBuffer(const ReorderBuffer&) = delete;
  ReorderBuffer& operator=(const ReorderBuffer&) = delete;

  // One packet of this stream arrived at `now_ns` (CLOCK_MONOTONIC). Gaps due to be given up (as
  // Flush would) are given up first. Then a packet next in sequence goes to `deliver` at once,
  // not copied, followed by the buffered packets now contiguous with it; a packet ahead of a gap
  // is copied into a slot and waits; a packet at or behind the next one expected (already
  // delivered or given up) is dropped as late; a second copy of a waiting packet is dropped as a
  // duplicate; a packet larger than max_packet_size is refused.
  void Push(const RtpView& packet, int64_t now_ns, Sink deliver);

  // Gives up the gaps before every packet that has waited max_wait_ns: the packets up to the
  // last such packet are delivered in order past the missing numbers (counted in given_up()),
  // then the run contiguous with it; packets behind a later gap that have not waited that long
  // keep waiting. Call it when next_deadline_ns() comes; calling it more often is cheap.
  void Flush(int64_t now_ns, Sink deliver);

  // When Flush next has something to do (the oldest waiting packet's arrival + max_wait_ns), or
  // std::nullopt when nothing is waiting.
  std::optional<int64_t> next_deadline_ns() const;

  // The caller adapts the wait to the round-trip time (a retransmission needs at least one).
  void set_max_wait_ns(int64_t ns) { max_wait_ns_ = std::max<int64_t>(ns, 0); }
  int64_t max_wait_ns() const { return max_wait_ns_; }
  size_t capacity() const { return slots_.size(); }

  // Packets waiting behind a gap now (≤ capacity()); a packet kept aside as the possible start of
  // a restart behind is not counted (restart_pending()).
  size_t waiting() const { return waiting_; }
  bool restart_pending() const { return candidate_.seq != kEmpty; }
  // Packets handed to the sink, at once or after waiting.
  uint64_t delivered() const { return delivered_; }
  // Packets handed to the sink after having waited behind a gap.
  uint64_t reordered() const { return reordered_; }
  // Packets dropped because their number was already delivered or given up: a retransmission
  // that came too late, or a second copy of a delivered packet (the two are not told apart); and
  // a far-behind packet that no packet following it confirmed as a restart.
  uint64_t late() const { return late_; }
  // Second copies of a packet that was waiting.
  uint64_t duplicates() const { return duplicates_; }
  // Sequence numbers skipped without their packet (not counting the numbers a restart skips).
  uint64_t given_up() const { return given_up_; }
  // Packets larger than max_packet_size.
  uint64_t refused() const { return refused_; }
  // Jumps of more than kRestartJump taken as the sender restarting its numbering.
  uint64_t restarts() const { return restarts_; }

 private:
  static constexpr int64_t kEmpty = INT64_MIN;

  struct Slot {
    int64_t seq = kEmpty;  // the unwrapped number of the packet held; kEmpty: none
    int64_t arrival_ns = 0;
    size_t size = 0;
  };

  Slot& SlotOf(int64_t seq) { return slots_[static_cast<uint64_t>(seq) & (slots_.size() - 1)]; }
  // The bytes of a slot, or of candidate_ (stored after the slots).
  uint8_t* BytesOf(const Slot& slot) {
    const size_t index = &slot == &candidate_ ? slots_.size() : &slot - slots_.data();
    return bytes_.data() + index * max_packet_size_;
  }
  // Copies `packet` (number `seq`) into `slot`.
  void Copy(const RtpView& packet, int64_t seq, int64_t now_ns, Slot& slot);
  // Keeps `packet` (number `seq`, ahead of next_) waiting in its slot.
  void Hold(const RtpView& packet, int64_t seq, int64_t now_ns);
  // Hands a held packet to `deliver` and empties its slot.
  void Release(Slot& slot, Sink deliver);
  // Delivers the waiting packets numbered next_, next_ + 1, … while there are any.
  void DeliverRun(Sink deliver);
  // Delivers every waiting packet up to `last` (a number < next_ + capacity), giving up the
  // numbers missing before it; next_ becomes last + 1. `last` < next_ does nothing.
  void DeliverThrough(int64_t last, Sink deliver);
  // After packets left: the oldest arrival among those still waiting.
  void RecomputeOldest();
  // A packet at `seq` that cannot be held: everything waiting goes, then the packet itself.
  void Jump(const RtpView& packet, int64_t seq, bool restart, Sink deliver);
  // The packet after candidate_ arrived with number `seq`: if it follows the candidate, the
  // restart is taken (Jump delivers the candidate); otherwise the candidate is dropped as late.
  void ResolveCandidate(uint16_t seq, Sink deliver);

  std::vector<Slot> slots_;
  Slot candidate_;              // a far-behind packet: the first of a restarted numbering?
  std::vector<uint8_t> bytes_;  // (capacity + 1) × max_packet_size_, allocated on first use
  size_t max_packet_size_;
  int64_t max_wait_ns_;

  bool started_ = false;
  int64_t next_ = 0;       // the unwrapped number expected next: all below it are done
  int64_t highest_ = 0;    // the highest waiting number (meaningful while waiting_ > 0)
  int64_t oldest_ns_ = 0;  // the oldest arrival among waiting packets (same)
  size_t waiting_ = 0;
  bool oldest_stale_ = false;  // the packet that arrived first left: oldest_ns_ must be found
  bool delivering_ = false;    // inside the sink: calling back in is a caller bug (DCHECK)

  uint64_t delivered_ = 0;
  uint64_t reordered_ = 0;
  uint64_t late_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t given_up_ = 0;
  uint64_t refused_ = 0;
  uint64_t restarts_ = 0;
};

}  // namespace ringcast::rtp

#endif  // RINGCAST_RTP_REORDER_BUFFER_H_
