// Tests for rtp/reorder_buffer.h: the in-order fast path hands on the caller's own bytes; a packet
// ahead of a gap waits and goes on, copied, once the gap is filled (reordering, a late
// retransmission) or given up after max_wait (not before; Push gives up what is due as well);
// duplicates and late packets are dropped and counted; the 65535 → 0 wrap; a jump past the
// capacity; sender restarts ahead and behind (and a stray far-behind packet that is not one);
// too-large packets; next_deadline_ns; and no allocation per packet after the first wait.
#include "rtp/reorder_buffer.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/seq_num.h"
#include "tests/unit/allocation_counter.h"

namespace ringcast::rtp {
namespace {

constexpr int64_t kMs = 1'000'000;

// One RTP packet in its own buffer: a 12-byte header and `payload_size` bytes, the first two of
// which repeat the sequence number (so a delivered copy can be told from a mix-up).
class Packet {
 public:
  explicit Packet(uint16_t seq, size_t payload_size = 100) : bytes_(12 + payload_size) {
    RtpHeaderWriter writer(
        bytes_,
        {.payload_type = 96, .sequence_number = seq, .timestamp = 3000u * seq, .ssrc = 0x11223344});
    EXPECT_EQ(writer.Finish(), 12u);
    if (payload_size >= 2) {
      bytes_[12] = static_cast<uint8_t>(seq >> 8);
      bytes_[13] = static_cast<uint8_t>(seq);
    }
  }
  RtpView view() const { return *RtpView::Parse(bytes_); }
  const uint8_t* data() const { return bytes_.data(); }

 private:
  std::vector<uint8_t> bytes_;
};

// What a sink saw: the numbers in order, and where each packet's bytes were.
// Passed itself as the sink: a ReorderBuffer::Sink refers to it (absl::FunctionRef calls a
// const callable, hence the mutable records).
struct Delivered {
  mutable std::vector<uint16_t> seqs;
  mutable std::vector<const uint8_t*> data;

  void operator()(const RtpView& packet) const {
    seqs.push_back(packet.sequence_number());
    data.push_back(packet.packet().data());
    // The payload carries the number too: a slot mix-up would show here.
    const std::span<const uint8_t> payload = packet.payload();
    ASSERT_GE(payload.size(), 2u);
    EXPECT_EQ((payload[0] << 8) | payload[1], packet.sequence_number());
  }
};

using Seqs = std::vector<uint16_t>;

// Pushes a fresh packet numbered `seq` and returns what was delivered by that Push.
Seqs PushOne(ReorderBuffer& buffer, uint16_t seq, int64_t now_ns) {
  Delivered out;
  Packet packet(seq);
  buffer.Push(packet.view(), now_ns, out);
  return out.seqs;
}

Seqs FlushAt(ReorderBuffer& buffer, int64_t now_ns) {
  Delivered out;
  buffer.Flush(now_ns, out);
  return out.seqs;
}

TEST(ReorderBufferTest, InOrderPacketsGoOnAtOnceWithoutCopy) {
  ReorderBuffer buffer({});
  Delivered out;
  std::vector<Packet> packets;
  for (uint16_t seq = 1000; seq < 1010; ++seq) packets.emplace_back(seq);
  out.seqs.reserve(packets.size());  // the test's own records must not count
  out.data.reserve(packets.size());
  g_allocations = 0;
  g_count_allocations = true;
  for (const Packet& packet : packets) buffer.Push(packet.view(), 0, out);
  g_count_allocations = false;
  // Nothing waited, so not even the slots' bytes were allocated.
  EXPECT_EQ(g_allocations.load(), 0u);
  ASSERT_EQ(out.seqs.size(), 10u);
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(out.seqs[i], 1000 + i);
    EXPECT_EQ(out.data[i], packets[i].data()) << "packet " << i << " was copied";
  }
  EXPECT_EQ(buffer.delivered(), 10u);
  EXPECT_EQ(buffer.reordered(), 0u);
  EXPECT_EQ(buffer.waiting(), 0u);
  EXPECT_EQ(buffer.next_deadline_ns(), std::nullopt);
}

TEST(ReorderBufferTest, PacketsAheadOfAGapWaitAndFollowItInOrder) {
  ReorderBuffer buffer({});
  EXPECT_EQ(PushOne(buffer, 1, 0), (Seqs{1}));
  Packet p3(3), p4(4), p2(2);
  Delivered out;
  buffer.Push(p3.view(), 1 * kMs, out);
  buffer.Push(p4.view(), 2 * kMs, out);
  EXPECT_TRUE(out.seqs.empty());
  EXPECT_EQ(buffer.waiting(), 2u);
  buffer.Push(p2.view(), 3 * kMs, out);
  EXPECT_EQ(out.seqs, (Seqs{2, 3, 4}));
  // 2 went on from the caller's bytes; 3 and 4 from the buffer's copies.
  EXPECT_EQ(out.data[0], p2.data());
  EXPECT_NE(out.data[1], p3.data());
  EXPECT_NE(out.data[2], p4.data());
  EXPECT_EQ(buffer.waiting(), 0u);
  EXPECT_EQ(buffer.delivered(), 4u);
  EXPECT_EQ(buffer.reordered(), 2u);
  EXPECT_EQ(buffer.given_up(), 0u);
  EXPECT_EQ(buffer.next_deadline_ns(), std::nullopt);
  EXPECT_EQ(PushOne(buffer, 5, 4 * kMs), (Seqs{5}));
}

TEST(ReorderBufferTest, GapFilledByALateRetransmission) {
  ReorderBuffer buffer({.max_wait_ns = 200 * kMs});
  PushOne(buffer, 10, 0);
  for (uint16_t seq = 12; seq <= 15; ++seq) EXPECT_EQ(PushOne(buffer, seq, seq * kMs), Seqs{});
  EXPECT_EQ(buffer.waiting(), 4u);
  EXPECT_EQ(FlushAt(buffer, 150 * kMs), Seqs{});
  // The retransmission of 11, a round trip later: everything goes, nothing is given up.
  EXPECT_EQ(PushOne(buffer, 11, 160 * kMs), (Seqs{11, 12, 13, 14, 15}));
  EXPECT_EQ(buffer.given_up(), 0u);
  EXPECT_EQ(buffer.reordered(), 4u);
  EXPECT_EQ(FlushAt(buffer, 1000 * kMs), Seqs{});
}

TEST(ReorderBufferTest, GapGivenUpAfterMaxWaitAndNotBefore) {
  ReorderBuffer buffer({.max_wait_ns = 200 * kMs});
  PushOne(buffer, 1, 0);
  PushOne(buffer, 3, 10 * kMs);  // 2 is missing
  PushOne(buffer, 6, 50 * kMs);  // 4, 5 are missing
  EXPECT_EQ(buffer.next_deadline_ns(), 210 * kMs);
  EXPECT_EQ(FlushAt(buffer, 210 * kMs - 1), Seqs{});
  EXPECT_EQ(buffer.given_up(), 0u);
  // 3 has waited 200 ms: 2 is given up; 6 has waited only 160 ms and keeps waiting for 4 and 5.
  EXPECT_EQ(FlushAt(buffer, 210 * kMs), (Seqs{3}));
  EXPECT_EQ(buffer.given_up(), 1u);
  EXPECT_EQ(buffer.waiting(), 1u);
  EXPECT_EQ(buffer.next_deadline_ns(), 250 * kMs);
  EXPECT_EQ(FlushAt(buffer, 249 * kMs), Seqs{});
  EXPECT_EQ(FlushAt(buffer, 250 * kMs), (Seqs{6}));
  EXPECT_EQ(buffer.given_up(), 3u);
  EXPECT_EQ(buffer.next_deadline_ns(), std::nullopt);
  // Their retransmissions come too late now.
  EXPECT_EQ(PushOne(buffer, 2, 260 * kMs), Seqs{});
  EXPECT_EQ(PushOne(buffer, 5, 260 * kMs), Seqs{});
  EXPECT_EQ(buffer.late(), 2u);
  EXPECT_EQ(PushOne(buffer, 7, 270 * kMs), (Seqs{7}));
  EXPECT_EQ(buffer.delivered(), 4u);
}

TEST(ReorderBufferTest, AnOlderPacketBehindALaterGapPullsThatGapForward) {
  // 5 arrived before 3 (reordered on the way); once 5 has waited max_wait, the gaps before it go
  // too, even though 3 has not waited that long itself.
  ReorderBuffer buffer({.max_wait_ns = 100 * kMs});
  PushOne(buffer, 1, 0);
  PushOne(buffer, 5, 0);
  PushOne(buffer, 3, 40 * kMs);
  PushOne(buffer, 9, 60 * kMs);
  EXPECT_EQ(buffer.next_deadline_ns(), 100 * kMs);
  EXPECT_EQ(FlushAt(buffer, 100 * kMs), (Seqs{3, 5}));
  EXPECT_EQ(buffer.given_up(), 2u);  // 2 and 4
  EXPECT_EQ(buffer.next_deadline_ns(), 160 * kMs);
}

TEST(ReorderBufferTest, PushGivesUpWhatIsDueBeforeHandlingThePacket) {
  ReorderBuffer buffer({.max_wait_ns = 200 * kMs});
  PushOne(buffer, 1, 0);
  PushOne(buffer, 3, 0);
  // No timer ran: the next packet gives up 2, delivers 3, then itself.
  EXPECT_EQ(PushOne(buffer, 4, 300 * kMs), (Seqs{3, 4}));
  EXPECT_EQ(buffer.given_up(), 1u);
}

TEST(ReorderBufferTest, SetMaxWaitAppliesToPacketsAlreadyWaiting) {
  ReorderBuffer buffer({.max_wait_ns = 200 * kMs});
  PushOne(buffer, 1, 0);
  PushOne(buffer, 3, 0);
  buffer.set_max_wait_ns(50 * kMs);
  EXPECT_EQ(buffer.max_wait_ns(), 50 * kMs);
  EXPECT_EQ(buffer.next_deadline_ns(), 50 * kMs);
  EXPECT_EQ(FlushAt(buffer, 50 * kMs), (Seqs{3}));
}

TEST(ReorderBufferTest, DuplicatesAndLatePacketsAreDroppedAndCounted) {
  ReorderBuffer buffer({});
  PushOne(buffer, 100, 0);
  PushOne(buffer, 102, 0);
  EXPECT_EQ(PushOne(buffer, 102, 1 * kMs), Seqs{});  // a second copy of a waiting packet
  EXPECT_EQ(buffer.duplicates(), 1u);
  EXPECT_EQ(buffer.waiting(), 1u);
  EXPECT_EQ(PushOne(buffer, 100, 1 * kMs), Seqs{});  // delivered before
  EXPECT_EQ(PushOne(buffer, 90, 1 * kMs), Seqs{});   // before the stream's first packet
  EXPECT_EQ(buffer.late(), 2u);
  EXPECT_EQ(PushOne(buffer, 101, 2 * kMs), (Seqs{101, 102}));
  EXPECT_EQ(PushOne(buffer, 102, 3 * kMs), Seqs{});  // now it is behind: late
  EXPECT_EQ(buffer.late(), 3u);
  EXPECT_EQ(buffer.duplicates(), 1u);
  EXPECT_EQ(buffer.delivered(), 3u);
}

TEST(ReorderBufferTest, SequenceWrap) {
  ReorderBuffer buffer({});
  EXPECT_EQ(PushOne(buffer, 65533, 0), (Seqs{65533}));
  EXPECT_EQ(PushOne(buffer, 65535, 0), Seqs{});
  EXPECT_EQ(PushOne(buffer, 1, 0), Seqs{});
  EXPECT_EQ(PushOne(buffer, 0, 0), Seqs{});
  EXPECT_EQ(buffer.waiting(), 3u);
  EXPECT_EQ(PushOne(buffer, 65534, 0), (Seqs{65534, 65535, 0, 1}));
  EXPECT_EQ(PushOne(buffer, 65535, 0), Seqs{});  // behind, across the wrap
  EXPECT_EQ(buffer.late(), 1u);
  EXPECT_EQ(PushOne(buffer, 2, 0), (Seqs{2}));
  // A gap across the wrap given up by time.
  ReorderBuffer timed({.max_wait_ns = 10 * kMs});
  PushOne(timed, 65534, 0);
  PushOne(timed, 1, 0);
  EXPECT_EQ(FlushAt(timed, 10 * kMs), (Seqs{1}));
  EXPECT_EQ(timed.given_up(), 2u);  // 65535 and 0
}

TEST(ReorderBufferTest, JumpPastTheCapacityDeliversEverythingAndContinues) {
  ReorderBuffer buffer({.capacity = 16});
  EXPECT_EQ(buffer.capacity(), 16u);
  PushOne(buffer, 100, 0);
  PushOne(buffer, 102, 0);
  PushOne(buffer, 103, 0);
  // 116 is 15 ahead of 101 (expected next) and 117 is 16 ahead: both can wait.
  EXPECT_EQ(PushOne(buffer, 116, 0), Seqs{});
  EXPECT_EQ(PushOne(buffer, 117, 0), Seqs{});
  EXPECT_EQ(buffer.waiting(), 4u);
  // 118 is 17 ahead: it cannot; everything waiting goes, and the stream continues from 118.
  EXPECT_EQ(PushOne(buffer, 118, 0), (Seqs{102, 103, 116, 117, 118}));
  EXPECT_EQ(buffer.given_up(), 13u);  // 101, 104..115
  EXPECT_EQ(buffer.restarts(), 0u);
  EXPECT_EQ(buffer.waiting(), 0u);
  EXPECT_EQ(PushOne(buffer, 119, 0), (Seqs{119}));
  // A jump past the capacity with nothing waiting skips the numbers in between.
  EXPECT_EQ(PushOne(buffer, 1119, 0), (Seqs{1119}));
  EXPECT_EQ(buffer.given_up(), 13u + 999u);
  EXPECT_EQ(PushOne(buffer, 1000, 0), Seqs{});  // behind now: late
  EXPECT_EQ(buffer.late(), 1u);
}

TEST(ReorderBufferTest, CapacityIsClampedToAPowerOfTwo) {
  EXPECT_EQ(ReorderBuffer({.capacity = 100}).capacity(), 128u);
  EXPECT_EQ(ReorderBuffer({.capacity = 1}).capacity(), 16u);
  EXPECT_EQ(ReorderBuffer({.capacity = 1 << 20}).capacity(), 4096u);
}

TEST(ReorderBufferTest, SenderRestartAhead) {
  ReorderBuffer buffer({});
  PushOne(buffer, 100, 0);
  PushOne(buffer, 102, 0);
  // 3001 ahead of 101: a restart at once (it could not wait anyway).
  EXPECT_EQ(PushOne(buffer, 3102, 0), (Seqs{102, 3102}));
  EXPECT_EQ(buffer.restarts(), 1u);
  EXPECT_EQ(buffer.given_up(), 1u);  // 101; the numbers the restart skipped are not lost
  EXPECT_EQ(PushOne(buffer, 3103, 0), (Seqs{3103}));
  EXPECT_EQ(buffer.late(), 0u);
  // 3000 ahead is a jump past the capacity, not a restart: the numbers skipped are lost.
  EXPECT_EQ(PushOne(buffer, 6104, 0), (Seqs{6104}));
  EXPECT_EQ(buffer.restarts(), 1u);
  EXPECT_EQ(buffer.given_up(), 3001u);
}

TEST(ReorderBufferTest, AJumpOfMoreThanHalfTheNumbersIsARestartBehind) {
  // 40000 is 39899 ahead of 101, which in 16 bits is 25637 behind: it waits for the next packet
  // like any restart behind.
  ReorderBuffer buffer({});
  PushOne(buffer, 100, 0);
  EXPECT_EQ(PushOne(buffer, 40000, 0), Seqs{});
  EXPECT_EQ(PushOne(buffer, 40001, 0), (Seqs{40000, 40001}));
  EXPECT_EQ(buffer.restarts(), 1u);
  EXPECT_EQ(buffer.given_up(), 0u);
}

TEST(ReorderBufferTest, SenderRestartBehindIsTakenWhenTheNextPacketFollows) {
  ReorderBuffer buffer({});
  PushOne(buffer, 30000, 0);
  PushOne(buffer, 30002, 0);
  // 5000 is far behind: kept aside until the next packet shows whether the sender restarted.
  EXPECT_EQ(PushOne(buffer, 5000, 1 * kMs), Seqs{});
  EXPECT_TRUE(buffer.restart_pending());
  EXPECT_EQ(buffer.restarts(), 0u);
  // 5002 follows it (5001 lost or reordered): a restart. What waited goes first, then 5000;
  // 5002 waits for 5001 in the new numbering.
  EXPECT_EQ(PushOne(buffer, 5002, 2 * kMs), (Seqs{30002, 5000}));
  EXPECT_FALSE(buffer.restart_pending());
  EXPECT_EQ(buffer.restarts(), 1u);
  EXPECT_EQ(buffer.late(), 0u);
  EXPECT_EQ(PushOne(buffer, 5001, 3 * kMs), (Seqs{5001, 5002}));
  EXPECT_EQ(PushOne(buffer, 5003, 4 * kMs), (Seqs{5003}));
  EXPECT_EQ(buffer.given_up(), 1u);  // 30001
}

TEST(ReorderBufferTest, AStrayFarBehindPacketIsNotARestart) {
  ReorderBuffer buffer({});
  PushOne(buffer, 30000, 0);
  EXPECT_EQ(PushOne(buffer, 5000, 0), Seqs{});
  EXPECT_TRUE(buffer.restart_pending());
  EXPECT_EQ(PushOne(buffer, 30001, 0), (Seqs{30001}));
  EXPECT_FALSE(buffer.restart_pending());
  EXPECT_EQ(buffer.restarts(), 0u);
  EXPECT_EQ(buffer.late(), 1u);
  // A run of strays, each replacing the last, never confirms one.
  PushOne(buffer, 5000, 0);
  PushOne(buffer, 4000, 0);
  EXPECT_EQ(PushOne(buffer, 30002, 0), (Seqs{30002}));
  EXPECT_EQ(buffer.late(), 3u);
  EXPECT_EQ(buffer.restarts(), 0u);
  // A packet more than kRestartFollow after the stray does not confirm it either.
  PushOne(buffer, 5000, 0);
  EXPECT_EQ(PushOne(buffer, 5101, 0), Seqs{});  // a stray too, kept aside in its turn
  EXPECT_EQ(buffer.restarts(), 0u);
  EXPECT_EQ(buffer.late(), 4u);
  EXPECT_EQ(PushOne(buffer, 30003, 0), (Seqs{30003}));
  EXPECT_EQ(buffer.late(), 5u);

  // With the largest capacity, the next packet of the stream is within capacity of a stray
  // 3001 behind it: still not a restart.
  ReorderBuffer large({.capacity = 4096});
  PushOne(large, 10000, 0);
  EXPECT_EQ(PushOne(large, 6999, 0), Seqs{});
  EXPECT_EQ(PushOne(large, 10001, 0), (Seqs{10001}));
  EXPECT_EQ(large.restarts(), 0u);
  EXPECT_EQ(large.late(), 1u);
}

TEST(ReorderBufferTest, TooLargePacketsAreRefused) {
  ReorderBuffer buffer({.max_packet_size = 200});
  Packet small(1, 188);  // 200 bytes
  Packet large(2, 189);  // 201 bytes
  Delivered out;
  buffer.Push(small.view(), 0, out);
  // Refused even though it is next in sequence and would not have been copied.
  buffer.Push(large.view(), 0, out);
  EXPECT_EQ(buffer.refused(), 1u);
  EXPECT_EQ(out.seqs, (Seqs{1}));
  // Its number is a gap like a loss.
  EXPECT_EQ(PushOne(buffer, 3, 0), Seqs{});
  EXPECT_EQ(buffer.waiting(), 1u);
}

TEST(ReorderBufferTest, NoAllocationAfterTheFirstWait) {
  ReorderBuffer buffer({.capacity = 256, .max_wait_ns = 50 * kMs});
  std::vector<Packet> packets;
  for (uint32_t i = 0; i < 70000; ++i) packets.emplace_back(static_cast<uint16_t>(i));
  Delivered warm;
  buffer.Push(packets[0].view(), 0, warm);
  buffer.Push(packets[2].view(), 0, warm);  // the slots' bytes are allocated here
  buffer.Push(packets[1].view(), 0, warm);

  uint64_t count = 0;
  uint16_t last = 2;
  bool ordered = true;
  auto sink = [&](const RtpView& packet) {
    ordered = ordered && IsNewerSeq(packet.sequence_number(), last);
    last = packet.sequence_number();
    ++count;
  };
  g_allocations = 0;
  g_count_allocations = true;
  int64_t t = 0;
  // Every 13th packet is lost (given up by time), every 7th comes 3 packets late, past a wrap.
  for (uint32_t i = 3; i < 70000; ++i) {
    t += 1 * kMs;
    if (i % 13 == 0) continue;
    if (i % 7 == 0) continue;
    buffer.Push(packets[i].view(), t, sink);
    if (i % 7 == 3 && (i - 3) % 13 != 0) buffer.Push(packets[i - 3].view(), t, sink);
    if (i % 10 == 0) buffer.Flush(t, sink);
  }
  buffer.Flush(t + 1000 * kMs, sink);
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(last, 69999 % 65536);
  // Every number from 3 on either went on or was given up; none was late.
  EXPECT_EQ(count + buffer.given_up(), 70000u - 3u);
  EXPECT_GT(buffer.given_up(), 5000u);
  EXPECT_GT(buffer.reordered(), 10000u);
  EXPECT_EQ(buffer.late(), 0u);
  EXPECT_EQ(buffer.waiting(), 0u);
}

}  // namespace
}  // namespace ringcast::rtp
