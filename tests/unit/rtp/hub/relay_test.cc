// PacketRelay: records out in the order they went in, padding at the wrap, drops when full, and
// one producer and one consumer thread at full speed (ThreadSanitizer checks the ordering).
#include "rtp/hub/relay.h"

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::rtp::hub {
namespace {

std::vector<uint8_t> Bytes(uint64_t seq, size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seq * 31 + i);
  return bytes;
}

HistoryPacket Packet(uint64_t seq, const std::vector<uint8_t>& bytes) {
  return HistoryPacket{.bytes = bytes,
                       .seq = seq,
                       .timestamp = static_cast<uint32_t>(seq * 3000),
                       .arrival_ns = static_cast<int64_t>(seq) * 1000,
                       .keyframe = seq % 30 == 0,
                       .marker = seq % 7 == 0,
                       .payload_size = static_cast<uint16_t>(bytes.size() - 12)};
}

TEST(PacketRelayTest, RecordsComeOutWhole_InOrder_AcrossTheWrap) {
  PacketRelay relay(64 << 10);
  uint64_t next_in = 0, next_out = 0;
  // Sizes that leave odd gaps at the end of the ring, many times round.
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 10; ++i) {
      std::vector<uint8_t> bytes = Bytes(next_in, 100 + (next_in * 37) % 1300);
      ASSERT_TRUE(relay.Push(static_cast<uint8_t>(next_in % 3), Packet(next_in, bytes)));
      ++next_in;
    }
    relay.Drain([&](uint8_t track, const HistoryPacket& packet) {
      std::vector<uint8_t> expected = Bytes(next_out, 100 + (next_out * 37) % 1300);
      EXPECT_EQ(track, next_out % 3);
      EXPECT_EQ(packet.seq, next_out);
      EXPECT_EQ(packet.timestamp, next_out * 3000);
      EXPECT_EQ(packet.keyframe, next_out % 30 == 0);
      EXPECT_EQ(packet.marker, next_out % 7 == 0);
      EXPECT_EQ(packet.payload_size, expected.size() - 12);
      ASSERT_EQ(packet.bytes.size(), expected.size());
      EXPECT_EQ(std::memcmp(packet.bytes.data(), expected.data(), expected.size()), 0);
      ++next_out;
    });
  }
  EXPECT_EQ(next_out, next_in);
  EXPECT_EQ(relay.dropped(), 0u);
}

TEST(PacketRelayTest, AFullRingDropsAndCounts) {
  PacketRelay relay(64 << 10);
  std::vector<uint8_t> bytes = Bytes(1, 1200);
  size_t pushed = 0;
  while (relay.Push(0, Packet(pushed, bytes))) ++pushed;
  EXPECT_GT(pushed, 40u);
  EXPECT_LT(pushed, 64u);
  EXPECT_EQ(relay.dropped(), 1u);
  EXPECT_EQ(relay.Drain([](uint8_t, const HistoryPacket&) {}), pushed);
  EXPECT_TRUE(relay.Push(0, Packet(pushed, bytes)));  // room again
}

TEST(PacketRelayTest, AWakeUpIsWantedOncePerDrain) {
  PacketRelay relay(64 << 10);
  std::vector<uint8_t> bytes = Bytes(1, 200);
  EXPECT_FALSE(relay.WakeWanted());  // nothing pushed
  relay.Push(0, Packet(0, bytes));
  EXPECT_TRUE(relay.WakeWanted());
  relay.Push(0, Packet(1, bytes));
  EXPECT_FALSE(relay.WakeWanted());  // one is pending already
  EXPECT_EQ(relay.Drain([](uint8_t, const HistoryPacket&) {}), 2u);
  relay.Push(0, Packet(2, bytes));
  EXPECT_TRUE(relay.WakeWanted());
}

TEST(PacketRelayTest, OneProducerOneConsumerThread) {
  PacketRelay relay(256 << 10);
  constexpr uint64_t kPackets = 200000;
  std::atomic<bool> done{false};
  uint64_t received = 0, in_order = 0;
  std::thread consumer([&] {
    uint64_t expect = 0;
    auto check = [&](uint8_t, const HistoryPacket& packet) {
      if (packet.seq >= expect) ++in_order;  // drops make gaps, never reorder
      expect = packet.seq + 1;
      std::vector<uint8_t> expected = Bytes(packet.seq, packet.bytes.size());
      if (std::memcmp(packet.bytes.data(), expected.data(), expected.size()) == 0) ++received;
    };
    while (!done.load(std::memory_order_acquire)) relay.Drain(check);
    relay.Drain(check);  // what the producer pushed before it said it was done
  });
  for (uint64_t seq = 0; seq < kPackets; ++seq) {
    std::vector<uint8_t> bytes = Bytes(seq, 60 + seq % 1400);
    relay.Push(0, Packet(seq, bytes));
  }
  done.store(true, std::memory_order_release);
  consumer.join();
  EXPECT_EQ(received, relay.pushed());
  EXPECT_EQ(in_order, received);
  EXPECT_EQ(relay.pushed() + relay.dropped(), kPackets);
}

}  // namespace
}  // namespace ringcast::rtp::hub
