// Tests for rtp/rtcp/reception_stats.h against RFC 3550 Appendix A.1, A.3 and A.8 worked through
// by hand: probation, the sequence wrap (cycles), loss and fraction lost per interval, reordering
// and duplicates, a restart after a jump, the 24-bit clamp, jitter from arrival times, LSR/DLSR,
// and the block written by WriteReceiverReport.
#include "rtp/rtcp/reception_stats.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/report.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr int64_t kMs = 1'000'000;
constexpr uint32_t kSsrc = 0x1234;

// Feeds packets `first`, first + 1, … (count of them) 20 ms apart with timestamps 1800 apart
// (90 kHz, 50 packets a second): no jitter.
void FeedInOrder(ReceptionStats& stats, uint16_t first, int count, int64_t* t, uint32_t* ts) {
  for (int i = 0; i < count; ++i) {
    stats.OnPacket(static_cast<uint16_t>(first + i), *ts, *t);
    *t += 20 * kMs;
    *ts += 1800;
  }
}

TEST(ReceptionStatsTest, ProbationThenCounting) {
  ReceptionStats stats(kSsrc, 90000);
  EXPECT_FALSE(stats.MakeReportBlock(0).has_value());
  // A.1: the first packet starts probation and is not counted; the second in sequence validates.
  EXPECT_FALSE(stats.OnPacket(1000, 0, 0));
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.OnPacket(1001, 1800, 20 * kMs));
  EXPECT_TRUE(stats.valid());
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.expected(), 1);
  const std::optional<ReportBlock> block = stats.MakeReportBlock(40 * kMs);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->ssrc, kSsrc);
  EXPECT_EQ(block->extended_highest_seq, 1001u);
  EXPECT_EQ(block->cumulative_lost, 0);
  EXPECT_EQ(block->fraction_lost, 0);
  EXPECT_EQ(block->last_sr, 0u);
  EXPECT_EQ(block->delay_since_last_sr, 0u);
}

TEST(ReceptionStatsTest, ProbationRestartsOnAGap) {
  ReceptionStats stats(kSsrc, 90000);
  stats.OnPacket(10, 0, 0);
  stats.OnPacket(12, 0, 0);  // not in sequence: probation starts over from 12
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.OnPacket(13, 0, 0));
  EXPECT_EQ(stats.extended_highest_seq(), 13u);
  EXPECT_EQ(stats.dropped(), 2u);
}

TEST(ReceptionStatsTest, WrapCountsCycles) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 65530, 12, &t, &ts);  // 65530 .. 65535, 0 .. 5
  // Counted from 65531 (65530 was probation): expected = (65536 + 5) - 65531 + 1 = 11.
  EXPECT_EQ(stats.extended_highest_seq(), 0x10005u);
  EXPECT_EQ(stats.expected(), 11);
  EXPECT_EQ(stats.received(), 11u);
  const std::optional<ReportBlock> block = stats.MakeReportBlock(t);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->extended_highest_seq, 0x10005u);
  EXPECT_EQ(block->cumulative_lost, 0);
  EXPECT_EQ(block->jitter, 0u);
}

TEST(ReceptionStatsTest, LossAndFractionPerInterval) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 2, &t, &ts);  // valid at 1: base 1
  // Interval 1: 2 .. 101 with 25 lost (every fourth).
  for (uint16_t seq = 2; seq <= 101; ++seq) {
    if (seq % 4 == 0) continue;
    stats.OnPacket(seq, ts, t);
  }
  std::optional<ReportBlock> block = stats.MakeReportBlock(t);
  ASSERT_TRUE(block.has_value());
  // Expected 101 (1 .. 101), received 76: lost 25. Interval expected 101, lost 25:
  // fraction = 25 × 256 / 101 = 63.
  EXPECT_EQ(block->cumulative_lost, 25);
  EXPECT_EQ(block->fraction_lost, 25 * 256 / 101);
  // Interval 2: 102 .. 201, nothing lost: fraction 0, cumulative unchanged.
  for (uint16_t seq = 102; seq <= 201; ++seq) stats.OnPacket(seq, ts, t);
  block = stats.MakeReportBlock(t);
  EXPECT_EQ(block->cumulative_lost, 25);
  EXPECT_EQ(block->fraction_lost, 0);
  // Interval 3: a burst of 50 lost, then 202 + 50 .. 301.
  for (uint16_t seq = 252; seq <= 301; ++seq) stats.OnPacket(seq, ts, t);
  block = stats.MakeReportBlock(t);
  EXPECT_EQ(block->cumulative_lost, 75);
  EXPECT_EQ(block->fraction_lost, 128);  // 50 of 100
  // Interval 4: no packets at all: expected_interval 0 → fraction 0.
  block = stats.MakeReportBlock(t);
  EXPECT_EQ(block->fraction_lost, 0);
  EXPECT_EQ(block->cumulative_lost, 75);
}

TEST(ReceptionStatsTest, ReorderedAndLateRecoverLoss) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 10, &t, &ts);  // base 1, highest 9
  stats.OnPacket(12, ts, t);           // 10, 11 missing
  EXPECT_EQ(stats.cumulative_lost(), 2);
  EXPECT_TRUE(stats.OnPacket(10, ts, t));  // late, counted
  EXPECT_TRUE(stats.OnPacket(11, ts, t));
  EXPECT_EQ(stats.cumulative_lost(), 0);
  EXPECT_EQ(stats.extended_highest_seq(), 12u);  // late packets do not move the highest
  // Late by more than kMaxMisorder (100) is a "jump", not counted.
  FeedInOrder(stats, 13, 200, &t, &ts);  // highest 212
  EXPECT_FALSE(stats.OnPacket(50, ts, t));
  EXPECT_EQ(stats.cumulative_lost(), 0);
}

TEST(ReceptionStatsTest, DuplicatesAreNotCounted) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 10, &t, &ts);
  EXPECT_FALSE(stats.OnPacket(9, ts, t));  // the highest again
  EXPECT_FALSE(stats.OnPacket(5, ts, t));  // an older one again
  stats.OnPacket(11, ts, t);
  EXPECT_TRUE(stats.OnPacket(10, ts, t));
  EXPECT_FALSE(stats.OnPacket(10, ts, t));
  EXPECT_EQ(stats.duplicates(), 3u);
  EXPECT_EQ(stats.cumulative_lost(), 0);
  EXPECT_EQ(stats.received(), 11u);
  // Across the wrap too.
  ReceptionStats wrap(kSsrc, 90000);
  FeedInOrder(wrap, 65534, 4, &t, &ts);  // 65534 (probation), 65535, 0, 1
  EXPECT_FALSE(wrap.OnPacket(65535, ts, t));
  EXPECT_EQ(wrap.duplicates(), 1u);
  EXPECT_EQ(wrap.received(), 3u);
}

TEST(ReceptionStatsTest, LargeJumpRestartsAfterTwoInOrder) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 100, 50, &t, &ts);  // highest 149
  // One packet far away: dropped (could be a stray).
  EXPECT_FALSE(stats.OnPacket(40000, ts, t));
  EXPECT_EQ(stats.extended_highest_seq(), 149u);
  // The stream continues normally: nothing changed.
  EXPECT_TRUE(stats.OnPacket(150, ts, t));
  // The sender restarted: 30000 then 30001 — the second one restarts the counts from it.
  EXPECT_FALSE(stats.OnPacket(30000, ts, t));
  EXPECT_TRUE(stats.OnPacket(30001, ts, t));
  EXPECT_EQ(stats.restarts(), 1u);
  EXPECT_EQ(stats.extended_highest_seq(), 30001u);
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.expected(), 1);
  EXPECT_TRUE(stats.OnPacket(30002, ts, t));
  EXPECT_EQ(stats.cumulative_lost(), 0);
  // A gap up to kMaxDropout is loss, not a jump.
  EXPECT_TRUE(stats.OnPacket(30002 + 2999, ts, t));
  EXPECT_EQ(stats.cumulative_lost(), 2998);
}

TEST(ReceptionStatsTest, CumulativeLostClampsTo24Bits) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 2, &t, &ts);
  // Jumps of 2999 (within kMaxDropout) lose 2998 each; 3000 of them lose ~9 million, over
  // 2^23 - 1.
  uint16_t seq = 1;
  for (int i = 0; i < 3000; ++i) {
    seq = static_cast<uint16_t>(seq + 2999);
    ASSERT_TRUE(stats.OnPacket(seq, ts, t));
  }
  EXPECT_EQ(stats.cumulative_lost(), 3000 * 2998);
  const std::optional<ReportBlock> block = stats.MakeReportBlock(t);
  EXPECT_EQ(block->cumulative_lost, 0x7FFFFF);
  EXPECT_EQ(block->fraction_lost, 255);  // 2998 of 2999: 255.9 → 255, never 256
  // Written and read back through the RR.
  std::vector<uint8_t> out(64);
  const size_t n = WriteReceiverReport(out, 0xAAAA, std::span<const ReportBlock>(&*block, 1));
  ASSERT_EQ(n, 32u);
  const std::optional<Block> rr = Block::Parse(std::span<const uint8_t>(out.data(), n));
  ASSERT_TRUE(rr.has_value());
  const std::optional<ReceiverReportView> view = ReceiverReportView::Parse(*rr);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->report_block(0), *block);
}

TEST(ReceptionStatsTest, JitterFromArrivalTimes) {
  // 8 kHz audio, 20 ms packets (160 timestamp units). Arrival alternates 20 ms and 30 ms after
  // the previous one, then 10 ms: transit changes by +80 and -80 units each packet, |D| = 80.
  ReceptionStats stats(kSsrc, 8000);
  int64_t t = 0;
  uint32_t ts = 5000;
  stats.OnPacket(0, ts, t);  // probation: no jitter sample
  uint16_t seq = 1;
  // The first counted packet only sets the transit; each later one adds a sample. With J0 = 0
  // and |D| = 80 throughout, J(n) = J(n-1) + (80 - J(n-1)) / 16 → approaches 80.
  double expected = 0;
  for (int i = 0; i < 200; ++i) {
    t += (i % 2 == 0 ? 30 : 10) * kMs;
    ts += 160;
    stats.OnPacket(seq++, ts, t);
    if (i > 0) expected += (80 - expected) / 16;
  }
  EXPECT_NEAR(stats.jitter(), expected, 1.0);
  EXPECT_NEAR(stats.jitter(), 80, 1.0);
  // Perfectly paced packets bring it back towards 0.
  for (int i = 0; i < 200; ++i) {
    t += 20 * kMs;
    ts += 160;
    stats.OnPacket(seq++, ts, t);
  }
  EXPECT_LE(stats.jitter(), 1u);
}

TEST(ReceptionStatsTest, JitterIgnoresLateAndDuplicatePackets) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 0;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 10, &t, &ts);
  // A late packet arriving much later carries an old timestamp: no jitter sample from it.
  stats.OnPacket(12, ts, t);
  stats.OnPacket(11, ts - 1800, t + 500 * kMs);
  stats.OnPacket(12, ts, t + 900 * kMs);
  EXPECT_EQ(stats.jitter(), 0u);
}

TEST(ReceptionStatsTest, LastSenderReportAndDelay) {
  ReceptionStats stats(kSsrc, 90000);
  int64_t t = 1'000 * kMs;
  uint32_t ts = 0;
  FeedInOrder(stats, 0, 5, &t, &ts);
  const uint64_t ntp = 0xAABBCCDD'EEFF0011ull;
  stats.OnSenderReport(ntp, 2'000 * kMs);
  // 1.5 s later: DLSR = 1.5 × 65536 = 98304.
  const std::optional<ReportBlock> block = stats.MakeReportBlock(3'500 * kMs);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->last_sr, 0xCCDDEEFFu);
  EXPECT_EQ(block->delay_since_last_sr, 98304u);
  // The sender's RTT from it: arrival at A = LSR + DLSR + 0.25 s (16384) → 250 ms.
  EXPECT_EQ(RoundTripMs(0xCCDDEEFFu + 98304 + 16384, *block), 250u);
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
