#include "rtp/rtcp/reception_stats.h"

#include <algorithm>

namespace ringcast::rtp::rtcp {
namespace {

constexpr uint32_t kSeqMod = 0x10000;  // RTP_SEQ_MOD
constexpr int64_t kNsPerSecond = 1'000'000'000;

}  // namespace

ReceptionStats::ReceptionStats(uint32_t ssrc, uint32_t clock_rate)
    : ssrc_(ssrc), clock_rate_(clock_rate) {}

void ReceptionStats::InitSeq(uint16_t seq) {
  base_seq_ = seq;
  max_seq_ = seq;
  bad_seq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  received_prior_ = 0;
  expected_prior_ = 0;
  seen_.reset();
  has_transit_ = false;  // the timestamps may have restarted too
}

void ReceptionStats::AdvanceSeen(uint16_t seq) {
  const uint16_t ahead = static_cast<uint16_t>(seq - max_seq_);
  if (ahead >= kDuplicateWindow) {
    seen_.reset();
    return;
  }
  for (uint16_t i = 1; i <= ahead; ++i) {
    seen_.reset(static_cast<uint16_t>(max_seq_ + i) % kDuplicateWindow);
  }
}

int64_t ReceptionStats::expected() const {
  if (!valid()) return 0;
  return int64_t{cycles_} + max_seq_ - base_seq_ + 1;
}

bool ReceptionStats::OnPacket(uint16_t seq, uint32_t rtp_timestamp, int64_t arrival_ns) {
  if (!started_) {
    started_ = true;
    first_arrival_ns_ = arrival_ns;
    InitSeq(seq);
    max_seq_ = static_cast<uint16_t>(seq - 1);
    probation_ = kMinSequential;
  }
  const uint16_t udelta = static_cast<uint16_t>(seq - max_seq_);

  if (probation_ > 0) {
    // A.1: a new source needs kMinSequential packets in sequence.
    if (seq == static_cast<uint16_t>(max_seq_ + 1)) {
      --probation_;
      max_seq_ = seq;
      if (probation_ == 0) {
        InitSeq(seq);
        MarkSeen(seq);
        ++received_;
        UpdateJitter(rtp_timestamp, arrival_ns);
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      max_seq_ = seq;
    }
    ++dropped_;
    return false;
  }

  if (udelta == 0) {
    ++duplicates_;
    return false;
  }
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap.
    if (seq < max_seq_) cycles_ += kSeqMod;  // the 16-bit number wrapped
    AdvanceSeen(seq);
    max_seq_ = seq;
    MarkSeen(seq);
    ++received_;
    UpdateJitter(rtp_timestamp, arrival_ns);
    return true;
  }
  if (udelta <= kSeqMod - kMaxMisorder) {
    // A very large jump: the sender restarted if the next packet follows this one.
    if (seq == bad_seq_) {
      ++restarts_;
      InitSeq(seq);
      MarkSeen(seq);
      ++received_;
      UpdateJitter(rtp_timestamp, arrival_ns);
      return true;
    }
    bad_seq_ = (uint32_t{seq} + 1) & (kSeqMod - 1);
    ++dropped_;
    return false;
  }
  // Late (reordered) by at most kMaxMisorder: counted once, and only from the base on. A number
  // above the highest belongs to the previous cycle.
  const int64_t extended = int64_t{cycles_} - (seq > max_seq_ ? kSeqMod : 0) + seq;
  if (extended < int64_t{base_seq_}) {
    ++dropped_;
    return false;
  }
  if (Seen(seq)) {
    ++duplicates_;
    return false;
  }
  MarkSeen(seq);
  ++received_;
  return true;
}

void ReceptionStats::UpdateJitter(uint32_t rtp_timestamp, int64_t arrival_ns) {
  // The arrival time in RTP timestamp units, from the first packet on (so the product cannot
  // overflow), modulo 2^32 like the timestamps.
  const int64_t since = arrival_ns - first_arrival_ns_;
  const int64_t units = (since / kNsPerSecond) * clock_rate_ +
                        (since % kNsPerSecond) * int64_t{clock_rate_} / kNsPerSecond;
  const uint32_t transit = static_cast<uint32_t>(units) - rtp_timestamp;
  if (has_transit_) {
    const int32_t d = static_cast<int32_t>(transit - transit_);
    const uint64_t magnitude = static_cast<uint64_t>(d < 0 ? -int64_t{d} : int64_t{d});
    // A.8: J += (|D| - J) / 16, with J kept × 16.
    jitter_q4_ += magnitude - ((jitter_q4_ + 8) >> 4);
  }
  transit_ = transit;
  has_transit_ = true;
}

void ReceptionStats::OnSenderReport(uint64_t ntp_timestamp, int64_t arrival_ns) {
  has_sr_ = true;
  last_sr_ = NtpMiddle32(ntp_timestamp);
  last_sr_arrival_ns_ = arrival_ns;
}

std::optional<ReportBlock> ReceptionStats::MakeReportBlock(int64_t now_ns) {
  if (!valid()) return std::nullopt;
  ReportBlock block;
  block.ssrc = ssrc_;

  // A.3: cumulative and interval loss.
  const int64_t expected_now = expected();
  const int64_t lost = expected_now - static_cast<int64_t>(received_);
  block.cumulative_lost = static_cast<int32_t>(std::clamp<int64_t>(lost, -0x800000, 0x7FFFFF));
  const int64_t expected_interval = expected_now - expected_prior_;
  expected_prior_ = expected_now;
  const int64_t received_interval = static_cast<int64_t>(received_ - received_prior_);
  received_prior_ = received_;
  const int64_t lost_interval = expected_interval - received_interval;
  if (expected_interval > 0 && lost_interval > 0) {
    block.fraction_lost =
        static_cast<uint8_t>(std::min<int64_t>((lost_interval << 8) / expected_interval, 255));
  }

  block.extended_highest_seq = extended_highest_seq();
  block.jitter = jitter();
  if (has_sr_) {
    block.last_sr = last_sr_;
    // DLSR in 1/65536 s.
    const int64_t since = std::max<int64_t>(now_ns - last_sr_arrival_ns_, 0);
    const int64_t dlsr =
        (since / kNsPerSecond) * 65536 + (since % kNsPerSecond) * 65536 / kNsPerSecond;
    block.delay_since_last_sr = static_cast<uint32_t>(std::min<int64_t>(dlsr, UINT32_MAX));
  }
  return block;
}

}  // namespace ringcast::rtp::rtcp
