// ReceptionStats: what a receiver reports about one incoming SSRC in its RTCP receiver reports
// (RFC 3550 §6.4.1), kept the way RFC 3550 Appendix A.1 (sequence validation), A.3 (expected and
// lost packets) and A.8 (interarrival jitter) do, and turned into a ReportBlock for
// WriteReceiverReport (report.h).
//
// Sequence numbers: a new source is valid after kMinSequential packets in sequence (the first of
// them is not counted, as in A.1); after that a packet up to kMaxDropout ahead of the highest is
// in order (a smaller number than the highest means the 16-bit counter wrapped: one more cycle),
// one up to kMaxMisorder behind is late (counted, unless it is a duplicate), and anything else is
// a jump: dropped, unless the next packet follows it in sequence, which means the sender
// restarted its sequence numbers — the counts then start again from that packet. Duplicates of
// the last kDuplicateWindow sequence numbers are recognised by a bitmap and not counted (A.1
// would count them and let the loss go negative); duplicates() counts them.
//
// Jitter: the transit time of each in-order packet is its arrival time in RTP timestamp units
// (the clock rate given) minus its RTP timestamp; jitter is the running average of the change in
// transit, J += (|D| - J) / 16, kept × 16 in integer arithmetic (A.8).
//
// Memory is fixed (a small bitmap); nothing allocates. Thread: one owner (the worker the
// session's packets arrive on).
#ifndef RINGCAST_RTP_RTCP_RECEPTION_STATS_H_
#define RINGCAST_RTP_RTCP_RECEPTION_STATS_H_

#include <algorithm>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/rtcp/report.h"

namespace ringcast::rtp::rtcp {

class ReceptionStats {
 public:
  // RFC 3550 A.1's constants.
  static constexpr uint32_t kMinSequential = 2;
  static constexpr uint32_t kMaxDropout = 3000;
  static constexpr uint32_t kMaxMisorder = 100;
  static constexpr uint32_t kDuplicateWindow = 512;  // ≥ kMaxMisorder, a power of two

  // `clock_rate`: the RTP timestamp rate of the stream (90000 video, 48000 Opus); > 0.
  ReceptionStats(uint32_t ssrc, uint32_t clock_rate);

  // An RTP packet of this SSRC arrived at `arrival_ns` (CLOCK_MONOTONIC). Returns true if it
  // was counted (valid, in order or late), false if it was dropped by validation (probation, a
  // jump, a duplicate).
  bool OnPacket(uint16_t seq, uint32_t rtp_timestamp, int64_t arrival_ns);

  // A sender report of this SSRC arrived: its NTP timestamp becomes LSR, and DLSR counts from
  // `arrival_ns`.
  void OnSenderReport(uint64_t ntp_timestamp, int64_t arrival_ns);

  // The report block as of `now_ns`; starts a new interval for fraction_lost (call it once per
  // report sent). std::nullopt while the source is not valid yet (nothing to report).
  std::optional<ReportBlock> MakeReportBlock(int64_t now_ns);

  uint32_t ssrc() const { return ssrc_; }
  bool valid() const { return probation_ == 0; }
  // (cycles << 16) + highest sequence number; 0 before the source is valid.
  uint32_t extended_highest_seq() const { return static_cast<uint32_t>(cycles_ + max_seq_); }
  int64_t expected() const;
  uint64_t received() const { return received_; }
  // expected - received, not clamped (may be negative only briefly: a late packet counted
  // after the interval that expected it).
  int64_t cumulative_lost() const { return expected() - static_cast<int64_t>(received_); }
  // RTP timestamp units.
  uint32_t jitter() const {
    return static_cast<uint32_t>(std::min<uint64_t>(jitter_q4_ >> 4, UINT32_MAX));
  }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t restarts() const { return restarts_; }
  uint64_t dropped() const { return dropped_; }  // probation, jumps

 private:
  void InitSeq(uint16_t seq);
  void MarkSeen(uint16_t seq) { seen_.set(seq % kDuplicateWindow); }
  bool Seen(uint16_t seq) const { return seen_.test(seq % kDuplicateWindow); }
  // Clears the bitmap for the numbers after max_seq_ up to `seq` (the new highest).
  void AdvanceSeen(uint16_t seq);
  void UpdateJitter(uint32_t rtp_timestamp, int64_t arrival_ns);

  uint32_t ssrc_;
  uint32_t clock_rate_;

  // RFC 3550 A.1 source state.
  uint16_t max_seq_ = 0;
  uint32_t cycles_ = 0;  // shifted count of seq number cycles
  uint32_t base_seq_ = 0;
  uint32_t bad_seq_ = 0x10001;  // RTP_SEQ_MOD + 1: no jump pending
  uint32_t probation_ = kMinSequential;
  bool started_ = false;
  uint64_t received_ = 0;
  int64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;
  std::bitset<kDuplicateWindow> seen_;

  // A.8 jitter.
  bool has_transit_ = false;
  uint32_t transit_ = 0;
  uint64_t jitter_q4_ = 0;  // jitter × 16 (64 bits: a timestamp jump cannot overflow it)
  int64_t first_arrival_ns_ = 0;

  // The last SR.
  bool has_sr_ = false;
  uint32_t last_sr_ = 0;
  int64_t last_sr_arrival_ns_ = 0;

  uint64_t duplicates_ = 0;
  uint64_t restarts_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace ringcast::rtp::rtcp

#endif  // RINGCAST_RTP_RTCP_RECEPTION_STATS_H_
