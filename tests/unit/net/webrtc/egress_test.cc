// UdpEgress over loopback on a real io_uring: what the receiver gets (count, sizes, bytes,
// order) and how many sendmsg operations carried it, with GSO on and off.
#include "net/webrtc/egress.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <vector>

#include "core/clock.h"
#include "core/ring.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "tests/unit/allocation_counter.h"

namespace ringcast::net::webrtc {
namespace {

class EgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<core::Ring>> ring = core::Ring::Create({});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(ring).value();
    absl::StatusOr<SocketAddress> any = ParseSocketAddress("127.0.0.1:0");
    ASSERT_TRUE(any.ok());
    absl::StatusOr<Fd> sender = BindUdp(*any);
    absl::StatusOr<Fd> receiver = BindUdp(*any);
    ASSERT_TRUE(sender.ok() && receiver.ok());
    sender_ = std::move(sender).value();
    receiver_ = std::move(receiver).value();
    int rcvbuf = 8 << 20;
    setsockopt(receiver_.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    absl::StatusOr<SocketAddress> to =
        ParseSocketAddress("127.0.0.1:" + std::to_string(*LocalPort(receiver_.get())));
    ASSERT_TRUE(to.ok());
    destination_.set_address(*to);
  }

  // Queues a packet of `size` bytes whose bytes all equal `fill`.
  void Queue(UdpEgress& egress, size_t size, uint8_t fill) {
    UdpEgress::Slot slot = egress.Reserve();
    ASSERT_FALSE(slot.bytes.empty());
    memset(slot.bytes.data(), fill, size);
    egress.Commit(destination_, slot, size);
  }

  // Runs the ring until every send completed, then reads what arrived.
  std::vector<std::vector<uint8_t>> Receive(UdpEgress& egress, size_t expected) {
    int64_t give_up = core::NowNs() + 5 * core::kNsPerSec;
    while (
        (egress.stats().packets + egress.stats().errors < expected || egress.slots_in_use() > 0) &&
        core::NowNs() < give_up) {
      ring_->RunOnce(10 * core::kNsPerMs);
    }
    std::vector<std::vector<uint8_t>> datagrams;
    uint8_t buffer[2048];
    for (;;) {
      ssize_t n = recv(receiver_.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n < 0) break;
      datagrams.emplace_back(buffer, buffer + n);
    }
    return datagrams;
  }

  std::unique_ptr<core::Ring> ring_;
  Fd sender_;
  Fd receiver_;
  UdpEgress::Destination destination_;
};

TEST_F(EgressTest, EqualSizeRunsLeaveAsOneGsoSendEach) {
  UdpEgress egress(*ring_, sender_.get(), {});
  if (!egress.gso()) GTEST_SKIP() << "kernel without UDP_SEGMENT";
  // A frame: 10 fragments of 1200 bytes and a 700-byte tail, then a 300-byte packet and
  // another 1200-byte run of 3.
  for (int i = 0; i < 10; ++i) Queue(egress, 1200, static_cast<uint8_t>(i));
  Queue(egress, 700, 10);
  Queue(egress, 300, 11);
  for (int i = 0; i < 3; ++i) Queue(egress, 1200, static_cast<uint8_t>(12 + i));
  egress.Flush();
  std::vector<std::vector<uint8_t>> got = Receive(egress, 15);
  ASSERT_EQ(got.size(), 15u);
  for (size_t i = 0; i < got.size(); ++i) {
    size_t want = i < 10 ? 1200 : i == 10 ? 700 : i == 11 ? 300 : 1200;
    EXPECT_EQ(got[i].size(), want) << i;
    EXPECT_EQ(got[i].front(), i) << i;
    EXPECT_EQ(got[i].back(), i) << i;
  }
  // [10 × 1200 + 700], [300], [3 × 1200].
  EXPECT_EQ(egress.stats().sendmsgs, 3u);
  EXPECT_EQ(egress.stats().packets, 15u);
  EXPECT_EQ(egress.slots_in_use(), 0u);
}

TEST_F(EgressTest, WithoutGsoEachPacketIsOneSend) {
  UdpEgress egress(*ring_, sender_.get(), {.gso = false});
  for (int i = 0; i < 5; ++i) Queue(egress, 1000, static_cast<uint8_t>(i));
  egress.Flush();
  std::vector<std::vector<uint8_t>> got = Receive(egress, 5);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(egress.stats().sendmsgs, 5u);
}

TEST_F(EgressTest, LongRunsAreSplitUnderTheSixtyFourKilobyteLimit) {
  UdpEgress egress(*ring_, sender_.get(), {});
  if (!egress.gso()) GTEST_SKIP() << "kernel without UDP_SEGMENT";
  for (int i = 0; i < 120; ++i) Queue(egress, 1200, static_cast<uint8_t>(i));
  egress.Flush();
  std::vector<std::vector<uint8_t>> got = Receive(egress, 120);
  ASSERT_EQ(got.size(), 120u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i][0], i);
  EXPECT_EQ(egress.stats().sendmsgs, 3u);  // 54 + 54 + 12 segments
}

TEST_F(EgressTest, ADestinationGoingAwaySendsWhatItQueued) {
  UdpEgress egress(*ring_, sender_.get(), {});
  {
    UdpEgress::Destination last;
    last.set_address(destination_.address());
    UdpEgress::Slot slot = egress.Reserve();
    memset(slot.bytes.data(), 0x42, 100);
    egress.Commit(last, slot, 100);
  }
  std::vector<std::vector<uint8_t>> got = Receive(egress, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), 100u);
}

TEST_F(EgressTest, SlotsComeBackAndGrowOnDemand) {
  UdpEgress egress(*ring_, sender_.get(), {.initial_slots = 1024, .max_slots = 2048});
  std::vector<UdpEgress::Slot> held;
  for (int i = 0; i < 2048; ++i) {
    held.push_back(egress.Reserve());
    ASSERT_FALSE(held.back().bytes.empty()) << i;
  }
  EXPECT_TRUE(egress.Reserve().bytes.empty());  // max_slots reached: dropped and counted
  EXPECT_EQ(egress.stats().no_slot, 1u);
  for (const UdpEgress::Slot& slot : held) egress.Release(slot);
  EXPECT_EQ(egress.slots_in_use(), 0u);
}

// ARCHITECTURE.md, "Memory": after warm-up, queueing and flushing packets allocates nothing.
TEST_F(EgressTest, SteadyStateSendsAllocateNothing) {
  UdpEgress egress(*ring_, sender_.get(), {});
  for (int round = 0; round < 3; ++round) {  // warm-up: send ops and queues reach their size
    for (int i = 0; i < 20; ++i) Queue(egress, 1200, 1);
    egress.Flush();
    Receive(egress, static_cast<size_t>(20 * (round + 1)));
  }
  g_allocations = 0;
  g_count_allocations = true;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 20; ++i) Queue(egress, 1200, 1);
    egress.Flush();
    int64_t give_up = core::NowNs() + core::kNsPerSec;
    while (egress.slots_in_use() > 0 && core::NowNs() < give_up) ring_->RunOnce(core::kNsPerMs);
    uint8_t buffer[2048];
    while (recv(receiver_.get(), buffer, sizeof(buffer), MSG_DONTWAIT) > 0) {
    }
  }
  g_count_allocations = false;
  EXPECT_EQ(g_allocations.load(), 0u);
}

}  // namespace
}  // namespace ringcast::net::webrtc
