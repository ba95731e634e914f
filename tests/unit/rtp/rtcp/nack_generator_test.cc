// Tests for rtp/rtcp/nack_generator.h: gaps become requests at once and then once per round trip
// (at least min_interval), at most max_requests times; arrivals clear them (recovered or late);
// age, the window and jumps give them up; wraparound, reordering, duplicates and loss bursts; the
// output feeds WriteNack; and nothing allocates per packet or per Collect.
#include "rtp/rtcp/nack_generator.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "tests/unit/allocation_counter.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr int64_t kMs = 1'000'000;

std::vector<uint16_t> Collect(NackGenerator& nack, int64_t now, int64_t rtt, size_t max = 64) {
  std::vector<uint16_t> out(max);
  out.resize(nack.Collect(now, rtt, out));
  return out;
}

using Seqs = std::vector<uint16_t>;

TEST(NackGeneratorTest, GapIsRequestedThenRetriedPerRoundTrip) {
  NackGenerator nack({});
  EXPECT_EQ(nack.OnPacket(100, 0), NackGenerator::Arrival::kNew);
  EXPECT_EQ(nack.OnPacket(103, 1 * kMs), NackGenerator::Arrival::kNew);
  EXPECT_EQ(nack.missing(), 2u);
  EXPECT_EQ(Collect(nack, 1 * kMs, 50 * kMs), (Seqs{101, 102}));
  // Not again before a round trip (50 ms) has passed.
  EXPECT_EQ(Collect(nack, 20 * kMs, 50 * kMs), Seqs{});
  EXPECT_EQ(Collect(nack, 50 * kMs, 50 * kMs), Seqs{});
  EXPECT_EQ(Collect(nack, 51 * kMs, 50 * kMs), (Seqs{101, 102}));
  // 102 arrives (the retransmission): recovered; 101 is still asked for.
  EXPECT_EQ(nack.OnPacket(102, 60 * kMs), NackGenerator::Arrival::kRecovered);
  EXPECT_EQ(nack.recovered(), 1u);
  EXPECT_EQ(nack.missing(), 1u);
  EXPECT_EQ(Collect(nack, 101 * kMs, 50 * kMs), (Seqs{101}));
  EXPECT_EQ(nack.requests(), 5u);
  // A second copy of 102 is a duplicate.
  EXPECT_EQ(nack.OnPacket(102, 102 * kMs), NackGenerator::Arrival::kDuplicate);
}

TEST(NackGeneratorTest, MinimumIntervalWithoutRoundTrip) {
  NackGenerator nack({.min_interval_ns = 10 * kMs});
  nack.OnPacket(1, 0);
  nack.OnPacket(3, 0);
  EXPECT_EQ(Collect(nack, 0, 0), (Seqs{2}));
  EXPECT_EQ(Collect(nack, 9 * kMs, 0), Seqs{});
  EXPECT_EQ(Collect(nack, 10 * kMs, 0), (Seqs{2}));
}

TEST(NackGeneratorTest, GivesUpAfterMaxRequests) {
  NackGenerator nack({.max_requests = 3, .max_age_ns = 10'000 * kMs});
  nack.OnPacket(1, 0);
  nack.OnPacket(3, 0);
  int64_t t = 0;
  size_t asked = 0;
  for (int i = 0; i < 10; ++i) {
    asked += Collect(nack, t, 20 * kMs).size();
    t += 20 * kMs;
  }
  EXPECT_EQ(asked, 3u);
  EXPECT_EQ(nack.given_up(), 1u);
  EXPECT_EQ(nack.missing(), 0u);
  // Arriving after being given up: nothing to clear.
  EXPECT_EQ(nack.OnPacket(2, t), NackGenerator::Arrival::kDuplicate);
  EXPECT_EQ(nack.recovered(), 0u);
}

TEST(NackGeneratorTest, GivesUpWhenTooOld) {
  NackGenerator nack({.max_age_ns = 100 * kMs});
  nack.OnPacket(1, 0);
  nack.OnPacket(3, 0);
  EXPECT_EQ(Collect(nack, 0, 0), (Seqs{2}));
  EXPECT_EQ(Collect(nack, 100 * kMs, 0), (Seqs{2}));
  EXPECT_EQ(Collect(nack, 101 * kMs, 0), Seqs{});
  EXPECT_EQ(nack.given_up(), 1u);
}

TEST(NackGeneratorTest, WrapAroundInAscendingOrder) {
  NackGenerator nack({});
  nack.OnPacket(65533, 0);
  nack.OnPacket(2, 0);  // 65534, 65535, 0, 1 missing
  const Seqs lost = Collect(nack, 0, 0);
  EXPECT_EQ(lost, (Seqs{65534, 65535, 0, 1}));
  // Straight into a NACK: one item, PID 65534 with BLP bits for 65535, 0, 1.
  std::vector<uint8_t> out(64);
  const size_t n = WriteNack(out, 1, 2, lost);
  ASSERT_EQ(n, 16u);
  const std::optional<NackView> view =
      NackView::Parse(*Block::Parse(std::span<const uint8_t>(out.data(), n)));
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->item_count(), 1u);
  EXPECT_EQ(view->item(0).pid, 65534);
  EXPECT_EQ(view->item(0).blp, 0x7);
}

TEST(NackGeneratorTest, ReorderingBeforeTheFirstRequest) {
  NackGenerator nack({.first_request_delay_ns = 5 * kMs});
  nack.OnPacket(10, 0);
  nack.OnPacket(12, 0);
  EXPECT_EQ(Collect(nack, 2 * kMs, 0), Seqs{});  // within the reorder delay
  EXPECT_EQ(nack.OnPacket(11, 3 * kMs), NackGenerator::Arrival::kRecovered);
  EXPECT_EQ(nack.late_arrivals(), 1u);
  EXPECT_EQ(nack.recovered(), 0u);
  EXPECT_EQ(Collect(nack, 10 * kMs, 0), Seqs{});
  EXPECT_EQ(nack.requests(), 0u);
}

TEST(NackGeneratorTest, DuplicatesAndOldPackets) {
  NackGenerator nack({.window_packets = 100});
  nack.OnPacket(500, 0);
  EXPECT_EQ(nack.OnPacket(500, 0), NackGenerator::Arrival::kDuplicate);
  EXPECT_EQ(nack.OnPacket(499, 0), NackGenerator::Arrival::kDuplicate);  // before the start
  nack.OnPacket(501, 0);
  EXPECT_EQ(nack.OnPacket(300, 0), NackGenerator::Arrival::kDuplicate);  // out of the window
  EXPECT_EQ(nack.missing(), 0u);
}

TEST(NackGeneratorTest, LossBurstWithinTheWindow) {
  NackGenerator nack({.window_packets = 1000});
  nack.OnPacket(0, 0);
  nack.OnPacket(301, 0);  // 300 lost
  EXPECT_EQ(nack.missing(), 300u);
  // An output of 100: the oldest 100 first, the rest on the next calls.
  Seqs first = Collect(nack, 0, 0, 100);
  ASSERT_EQ(first.size(), 100u);
  EXPECT_EQ(first.front(), 1);
  EXPECT_EQ(first.back(), 100);
  Seqs second = Collect(nack, 0, 0, 250);
  ASSERT_EQ(second.size(), 200u);
  EXPECT_EQ(second.front(), 101);
  EXPECT_EQ(second.back(), 300);
  // All arrive: all recovered.
  for (uint16_t seq = 1; seq <= 300; ++seq) nack.OnPacket(seq, 1 * kMs);
  EXPECT_EQ(nack.recovered(), 300u);
  EXPECT_EQ(nack.missing(), 0u);
}

TEST(NackGeneratorTest, WindowSlidesPastOldGaps) {
  NackGenerator nack({.window_packets = 100});
  nack.OnPacket(0, 0);
  nack.OnPacket(10, 0);  // 1..9 missing
  for (uint16_t seq = 11; seq <= 105; ++seq) nack.OnPacket(seq, 0);
  // The window is the last 100 numbers: 6..105. 1..5 fell out.
  EXPECT_EQ(nack.given_up(), 5u);
  EXPECT_EQ(Collect(nack, 0, 0), (Seqs{6, 7, 8, 9}));
}

TEST(NackGeneratorTest, JumpPastTheWindowGivesUpEverything) {
  NackGenerator nack({.window_packets = 100});
  nack.OnPacket(0, 0);
  nack.OnPacket(5, 0);
  EXPECT_EQ(nack.OnPacket(1000, 0), NackGenerator::Arrival::kTooFarAhead);
  EXPECT_EQ(nack.given_up(), 4u);
  EXPECT_EQ(nack.missing(), 0u);
  EXPECT_EQ(Collect(nack, 0, 0), Seqs{});
  // And carries on from the new number.
  nack.OnPacket(1002, 0);
  EXPECT_EQ(Collect(nack, 0, 0), (Seqs{1001}));
}

TEST(NackGeneratorTest, NoAllocationPerPacketOrCollect) {
  NackGenerator nack({});
  std::vector<uint16_t> out(256);
  nack.OnPacket(0, 0);
  g_allocations = 0;
  g_count_allocations = true;
  int64_t t = 0;
  for (uint32_t i = 1; i < 50000; ++i) {
    if (i % 13 != 0) nack.OnPacket(static_cast<uint16_t>(i), t);
    if (i % 7 == 0 && i > 20) nack.OnPacket(static_cast<uint16_t>(i - 20), t);  // late copies
    t += 1 * kMs;
    if (i % 10 == 0) nack.Collect(t, 30 * kMs, out);
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_GT(nack.requests(), 0u);
  EXPECT_GT(nack.given_up(), 0u);
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
