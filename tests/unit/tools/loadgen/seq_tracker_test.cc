#include "tools/loadgen/seq_tracker.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringcast::loadgen {
namespace {

constexpr int64_t kMs = 1'000'000;

std::vector<uint16_t> Nacks(SeqTracker& t, int64_t now) {
  uint16_t out[64];
  const size_t n = t.CollectNacks(now, out);
  return {out, out + n};
}

TEST(SeqTrackerTest, InOrderStreamHasNoGaps) {
  SeqTracker t;
  for (uint16_t s = 65500; s != 100; ++s) t.OnPacket(s, 0);  // across the wrap
  EXPECT_EQ(t.counts().packets, 136u);
  EXPECT_EQ(t.counts().gaps, 0u);
  EXPECT_EQ(t.expected(), 136u);
  EXPECT_FALSE(t.has_missing());
}

TEST(SeqTrackerTest, GapNackedAfterReorderDelayThenRecovered) {
  SeqTracker t;
  t.OnPacket(10, 0);
  t.OnPacket(13, 1 * kMs);  // 11 and 12 missing
  EXPECT_EQ(t.counts().gaps, 2u);
  EXPECT_TRUE(Nacks(t, 5 * kMs).empty());  // within the reorder delay
  EXPECT_EQ(Nacks(t, 25 * kMs), (std::vector<uint16_t>{11, 12}));
  EXPECT_TRUE(Nacks(t, 30 * kMs).empty());  // retry not due yet
  t.OnPacket(11, 31 * kMs);
  EXPECT_EQ(t.counts().recovered, 1u);
  EXPECT_EQ(Nacks(t, 200 * kMs), (std::vector<uint16_t>{12}));  // the one retry
  EXPECT_TRUE(Nacks(t, 300 * kMs).empty());
  EXPECT_EQ(t.counts().lost, 0u);
  Nacks(t, 700 * kMs);  // given up
  EXPECT_EQ(t.counts().lost, 1u);
  EXPECT_FALSE(t.has_missing());
}

TEST(SeqTrackerTest, ReorderedBeforeNackIsLateAndRepeatIsDuplicate) {
  SeqTracker t;
  t.OnPacket(1, 0);
  t.OnPacket(3, 0);
  t.OnPacket(2, 1 * kMs);
  EXPECT_EQ(t.counts().late, 1u);
  EXPECT_EQ(t.counts().recovered, 0u);
  t.OnPacket(2, 2 * kMs);
  t.OnPacket(3, 2 * kMs);
  EXPECT_EQ(t.counts().duplicates, 2u);
  EXPECT_EQ(t.counts().packets, 3u);
}

TEST(SeqTrackerTest, NackOrderAcrossTheWrap) {
  SeqTracker t;
  t.OnPacket(65533, 0);
  t.OnPacket(2, 0);  // 65534, 65535, 0, 1 missing
  EXPECT_EQ(Nacks(t, 50 * kMs), (std::vector<uint16_t>{65534, 65535, 0, 1}));
}

TEST(SeqTrackerTest, DisabledNackOnlyExpires) {
  SeqTracker t(NackPolicy{.enabled = false});
  t.OnPacket(1, 0);
  t.OnPacket(5, 0);
  EXPECT_TRUE(Nacks(t, 100 * kMs).empty());
  Nacks(t, 1000 * kMs);
  EXPECT_EQ(t.counts().lost, 3u);
}

TEST(SeqTrackerTest, HugeJumpCountsLostWithoutChasing) {
  SeqTracker t;
  t.OnPacket(0, 0);
  t.OnPacket(30000, 0);
  EXPECT_EQ(t.counts().gaps, 29999u);
  EXPECT_GT(t.counts().lost, 29999u - SeqTracker::kWindow);
  t.OnPacket(1, 0);  // far behind the window
  EXPECT_EQ(t.counts().too_old, 1u);
}

}  // namespace
}  // namespace ringcast::loadgen
