// Tests for rtp/rtcp/transport_feedback_recorder.h: every recorded packet is reported once and in
// order, across the 16-bit wrap, with losses, duplicates and reordering; a packet that arrives
// after it was reported lost is reported again; messages split at the size bound and at deltas
// that do not fit; the window bounds what is remembered; nothing allocates per packet.
#include "rtp/rtcp/transport_feedback_recorder.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/transport_feedback.h"
#include "tests/unit/allocation_counter.h"

namespace ringcast::rtp::rtcp {
namespace {

constexpr int64_t kMs = 1'000'000;

struct Reported {
  std::vector<TransportFeedbackPacket> packets;
  std::vector<TransportFeedbackView> views;  // valid while `storage` is
  std::vector<std::vector<uint8_t>> storage;
};

// Drains the recorder: every message it writes, parsed.
Reported Drain(TransportFeedbackRecorder& recorder, size_t buffer = 1500) {
  Reported reported;
  reported.storage.reserve(1000);
  for (;;) {
    std::vector<uint8_t> out(buffer);
    const size_t n = recorder.WriteFeedback(out, 0xA, 0xB);
    if (n == 0) break;
    out.resize(n);
    reported.storage.push_back(std::move(out));
    const std::optional<Block> block = Block::Parse(reported.storage.back());
    EXPECT_TRUE(block.has_value());
    if (!block) break;
    const std::optional<TransportFeedbackView> view = TransportFeedbackView::Parse(*block);
    EXPECT_TRUE(view.has_value());
    if (!view) break;
    reported.views.push_back(*view);
    TransportFeedbackReader reader = view->packets();
    while (std::optional<TransportFeedbackPacket> p = reader.Next()) reported.packets.push_back(*p);
  }
  return reported;
}

TEST(TransportFeedbackRecorderTest, ReportsEachPacketOnceAcrossTheWrap) {
  TransportFeedbackRecorder recorder({});
  int64_t t = 1'000 * kMs;
  // 65530 .. 65535, 0 .. 9 with 2 and 3 lost.
  for (uint32_t i = 0; i < 16; ++i) {
    const uint16_t seq = static_cast<uint16_t>(65530 + i);
    if (seq == 2 || seq == 3) continue;
    recorder.OnPacket(seq, t);
    t += 5 * kMs;
  }
  EXPECT_TRUE(recorder.has_unreported());
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.views.size(), 1u);
  EXPECT_EQ(reported.views[0].base_seq(), 65530);
  EXPECT_EQ(reported.views[0].status_count(), 16);
  ASSERT_EQ(reported.packets.size(), 16u);
  for (uint32_t i = 0; i < 16; ++i) {
    const uint16_t seq = static_cast<uint16_t>(65530 + i);
    EXPECT_EQ(reported.packets[i].seq, seq);
    EXPECT_EQ(reported.packets[i].received, seq != 2 && seq != 3) << seq;
  }
  // Arrival spacing survives: 5 ms = 20 ticks between consecutive received packets.
  EXPECT_EQ(reported.packets[1].arrival_ticks - reported.packets[0].arrival_ticks, 20);
  EXPECT_FALSE(recorder.has_unreported());
  EXPECT_EQ(Drain(recorder).views.size(), 0u);

  // The next message continues after 9, with the next feedback packet count.
  recorder.OnPacket(11, t);
  const Reported next = Drain(recorder);
  ASSERT_EQ(next.views.size(), 1u);
  EXPECT_EQ(next.views[0].base_seq(), 10);
  EXPECT_EQ(next.views[0].feedback_count(), 1);
  ASSERT_EQ(next.packets.size(), 2u);
  EXPECT_FALSE(next.packets[0].received);
  EXPECT_TRUE(next.packets[1].received);
}

TEST(TransportFeedbackRecorderTest, DuplicatesKeepTheFirstArrival) {
  TransportFeedbackRecorder recorder({});
  recorder.OnPacket(1, 100 * kMs);
  recorder.OnPacket(2, 110 * kMs);
  recorder.OnPacket(2, 150 * kMs);
  recorder.OnPacket(1, 160 * kMs);
  EXPECT_EQ(recorder.duplicates(), 2u);
  EXPECT_EQ(recorder.received(), 2u);
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.packets.size(), 2u);
  EXPECT_EQ(reported.packets[1].arrival_ticks - reported.packets[0].arrival_ticks, 40);
}

TEST(TransportFeedbackRecorderTest, ReorderedPacketsInOneMessage) {
  TransportFeedbackRecorder recorder({});
  recorder.OnPacket(10, 100 * kMs);
  recorder.OnPacket(12, 101 * kMs);
  recorder.OnPacket(11, 102 * kMs);  // arrived after 12
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.packets.size(), 3u);
  EXPECT_TRUE(reported.packets[1].received);
  // 11 arrived 4 ticks after 12, so 12's arrival - 11's is negative: a large delta.
  EXPECT_EQ(reported.packets[2].arrival_ticks - reported.packets[1].arrival_ticks, -4);
}

TEST(TransportFeedbackRecorderTest, LateArrivalAfterReportedLostIsReportedAgain) {
  TransportFeedbackRecorder recorder({});
  recorder.OnPacket(100, 100 * kMs);
  recorder.OnPacket(102, 102 * kMs);
  Reported first = Drain(recorder);
  ASSERT_EQ(first.packets.size(), 3u);
  EXPECT_FALSE(first.packets[1].received);
  recorder.OnPacket(101, 140 * kMs);
  recorder.OnPacket(103, 141 * kMs);
  const Reported second = Drain(recorder);
  ASSERT_EQ(second.views.size(), 1u);
  EXPECT_EQ(second.views[0].base_seq(), 101);
  ASSERT_EQ(second.packets.size(), 3u);  // 101, 102 again, 103
  EXPECT_TRUE(second.packets[0].received);
  EXPECT_TRUE(second.packets[1].received);
  EXPECT_TRUE(second.packets[2].received);
}

TEST(TransportFeedbackRecorderTest, SplitsAtTheSizeBound) {
  TransportFeedbackRecorder recorder({.window = 4096, .max_message_size = 100});
  int64_t t = 0;
  for (uint16_t seq = 0; seq < 1000; ++seq) {
    recorder.OnPacket(seq, t);
    t += 30 * kMs;  // 120 ticks: small, 1 byte each
  }
  const Reported reported = Drain(recorder);
  EXPECT_GT(reported.views.size(), 5u);
  for (const std::vector<uint8_t>& message : reported.storage) EXPECT_LE(message.size(), 100u);
  ASSERT_EQ(reported.packets.size(), 1000u);
  for (uint16_t seq = 0; seq < 1000; ++seq) {
    EXPECT_EQ(reported.packets[seq].seq, seq);
    EXPECT_TRUE(reported.packets[seq].received);
  }
  for (size_t i = 0; i < reported.views.size(); ++i) {
    EXPECT_EQ(reported.views[i].feedback_count(), static_cast<uint8_t>(i));
  }
}

TEST(TransportFeedbackRecorderTest, SplitsWhereTheDeltaDoesNotFit) {
  TransportFeedbackRecorder recorder({});
  recorder.OnPacket(1, 0);
  recorder.OnPacket(2, 10'000 * kMs);  // 10 s later: past 16 signed bits of 250 µs
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.views.size(), 2u);
  EXPECT_EQ(reported.views[0].base_seq(), 1);
  EXPECT_EQ(reported.views[1].base_seq(), 2);
  EXPECT_EQ(reported.views[1].reference_time(), 10'000u / 64);
}

TEST(TransportFeedbackRecorderTest, WindowBoundsMemory) {
  TransportFeedbackRecorder recorder({.window = 64, .max_message_size = 1200});
  recorder.OnPacket(0, 0);
  recorder.OnPacket(1, 1 * kMs);
  // 200 ahead: 0 .. 137 (0 and 1 received, the rest not) slide out of the 64-packet window
  // unreported.
  recorder.OnPacket(201, 2 * kMs);
  EXPECT_EQ(recorder.forgotten(), 138u);
  // Too old now.
  recorder.OnPacket(100, 3 * kMs);
  EXPECT_EQ(recorder.late(), 1u);
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.views.size(), 1u);
  EXPECT_EQ(reported.views[0].base_seq(), 201 - 63);
  EXPECT_EQ(reported.views[0].status_count(), 64);
  EXPECT_EQ(reported.views[0].received_count(), 1u);
}

TEST(TransportFeedbackRecorderTest, ReorderedBeforeTheFirstPacket) {
  TransportFeedbackRecorder recorder({});
  recorder.OnPacket(5, 10 * kMs);
  recorder.OnPacket(3, 11 * kMs);
  const Reported reported = Drain(recorder);
  ASSERT_EQ(reported.views.size(), 1u);
  EXPECT_EQ(reported.views[0].base_seq(), 3);
  ASSERT_EQ(reported.packets.size(), 3u);
  EXPECT_TRUE(reported.packets[0].received);
  EXPECT_FALSE(reported.packets[1].received);
  EXPECT_TRUE(reported.packets[2].received);
}

TEST(TransportFeedbackRecorderTest, NoAllocationPerPacketOrMessage) {
  TransportFeedbackRecorder recorder({});
  std::vector<uint8_t> out(1500);
  recorder.OnPacket(0, 0);
  ASSERT_GT(recorder.WriteFeedback(out, 1, 2), 0u);
  g_allocations = 0;
  g_count_allocations = true;
  int64_t t = 0;
  for (uint32_t i = 1; i < 20000; ++i) {
    if (i % 17 == 0) continue;
    recorder.OnPacket(static_cast<uint16_t>(i), t);
    t += 1 * kMs;
    if (i % 50 == 0) {
      while (recorder.WriteFeedback(out, 1, 2) > 0) {
      }
    }
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
