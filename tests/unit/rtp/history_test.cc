// History: contiguous storage, holes for lost packets, keeping everything since the last
// keyframe and inside the NACK window (growing rather than evicting it), and the cap.
#include "rtp/history.h"

#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::rtp {
namespace {

constexpr int64_t kMs = 1'000'000;

// History stores bytes without reading them, so any recognisable pattern will do.
std::vector<uint8_t> PacketBytes(uint64_t seq, size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seq * 31 + i);
  return bytes;
}

void ExpectPacket(const History& history, uint64_t seq, size_t size) {
  std::optional<HistoryPacket> packet = history.Find(seq);
  ASSERT_TRUE(packet.has_value()) << "seq " << seq;
  EXPECT_EQ(packet->seq, seq);
  std::vector<uint8_t> expected = PacketBytes(seq, size);
  ASSERT_EQ(packet->bytes.size(), size) << "seq " << seq;
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), packet->bytes.begin())) << "seq " << seq;
}

TEST(HistoryTest, StoresAndFindsPacketsWithTheirMetadata) {
  History history;
  for (uint64_t seq = 1000; seq < 1010; ++seq) {
    ASSERT_TRUE(history.Append(PacketBytes(seq, 100 + seq % 7), seq,
                               static_cast<uint32_t>(seq * 3000), static_cast<int64_t>(seq) * kMs,
                               seq == 1004, seq % 2 == 0));
  }
  EXPECT_EQ(history.begin_seq(), 1000u);
  EXPECT_EQ(history.end_seq(), 1010u);
  for (uint64_t seq = 1000; seq < 1010; ++seq) ExpectPacket(history, seq, 100 + seq % 7);
  std::optional<HistoryPacket> p = history.Find(1004);
  EXPECT_TRUE(p->keyframe);
  EXPECT_TRUE(p->marker);
  EXPECT_EQ(p->timestamp, 1004u * 3000);
  EXPECT_EQ(p->arrival_ns, 1004 * kMs);
  EXPECT_EQ(history.last_keyframe_seq(), 1004u);
  EXPECT_FALSE(history.Find(999).has_value());
  EXPECT_FALSE(history.Find(1010).has_value());
  EXPECT_FALSE(history.Append(PacketBytes(1009, 100), 1009, 0, 0, false, false));  // not newer
}

TEST(HistoryTest, LostPacketsAreHoles) {
  History history;
  history.Append(PacketBytes(1, 50), 1, 0, 0, false, false);
  history.Append(PacketBytes(4, 50), 4, 0, 0, false, false);
  EXPECT_EQ(history.end_seq(), 5u);
  ExpectPacket(history, 1, 50);
  EXPECT_FALSE(history.Find(2).has_value());
  EXPECT_FALSE(history.Find(3).has_value());
  ExpectPacket(history, 4, 50);
}

TEST(HistoryTest, OldPacketsGoOnceOutsideTheWindowAndBeforeTheKeyframe) {
  HistoryOptions options;
  options.initial_bytes = 8192;
  options.max_bytes = 1 << 20;
  options.retain_ns = 10 * kMs;
  History history(options);
  // 1000 packets of 500 bytes, 1 ms apart, a keyframe every 100: at most ~a GOP + the window
  // stays, so the History must not grow anywhere near 500 KB.
  for (uint64_t seq = 0; seq < 1000; ++seq) {
    ASSERT_TRUE(history.Append(PacketBytes(seq, 500), seq, 0, static_cast<int64_t>(seq) * kMs,
                               seq % 100 == 0, false));
  }
  EXPECT_EQ(history.last_keyframe_seq(), 900u);
  for (uint64_t seq = 900; seq < 1000; ++seq) ExpectPacket(history, seq, 500);  // GOP kept
  EXPECT_LE(history.begin_seq(), 900u);
  EXPECT_LE(history.capacity_bytes(), 128u * 1024);
  EXPECT_EQ(history.forced_evictions(), 0u);
}

TEST(HistoryTest, GrowsToKeepALongGopInsteadOfEvictingIt) {
  HistoryOptions options;
  options.initial_bytes = 4096;
  options.initial_packets = 16;
  options.max_bytes = 64 << 20;
  options.retain_ns = 0;
  History history(options);
  history.Append(PacketBytes(0, 1200), 0, 0, 0, true, false);  // keyframe, then a long GOP
  for (uint64_t seq = 1; seq < 2000; ++seq) {
    ASSERT_TRUE(history.Append(PacketBytes(seq, 1200), seq, 0, 0, false, false));
  }
  EXPECT_EQ(history.begin_seq(), 0u);
  for (uint64_t seq = 0; seq < 2000; seq += 37) ExpectPacket(history, seq, 1200);
  ExpectPacket(history, 1999, 1200);
  EXPECT_GT(history.growths(), 0u);
  EXPECT_EQ(history.forced_evictions(), 0u);
  // A new keyframe releases the old GOP: a second GOP as long as the first (more than the
  // capacity left) reuses its space instead of growing the History again.
  size_t capacity = history.capacity_bytes();
  EXPECT_LT(capacity, 2 * 2000 * 1200u);
  history.Append(PacketBytes(2000, 1200), 2000, 0, 0, true, false);
  for (uint64_t seq = 2001; seq < 4000; ++seq) {
    history.Append(PacketBytes(seq, 1200), seq, 0, 0, false, false);
  }
  EXPECT_EQ(history.capacity_bytes(), capacity);
  EXPECT_GT(history.begin_seq(), 0u);
  EXPECT_EQ(history.forced_evictions(), 0u);
  for (uint64_t seq = 2000; seq < 4000; ++seq) ExpectPacket(history, seq, 1200);
}

// A camera-like stream: a keyframe every second, the NACK window one second. The History grows
// in small steps to what it must keep (about a second of packets), not half as large again.
// Then the stream drops to a fifth of its rate: at the end of the next windows the History
// shrinks to the new need, keeping every packet it must keep.
TEST(HistoryTest, FollowsTheStreamsNeedUpAndDown) {
  HistoryOptions options;
  options.initial_bytes = 64 << 10;
  options.max_bytes = 16 << 20;
  options.retain_ns = 1000 * kMs;
  History history(options);
  uint64_t seq = 0;
  int64_t now = 0;
  auto run = [&](int64_t seconds, int packets_per_second) {
    const int64_t gap = 1000 * kMs / packets_per_second;
    for (int64_t i = 0; i < seconds * packets_per_second; ++i, ++seq, now += gap) {
      const bool keyframe = i % packets_per_second == 0;  // one a second
      ASSERT_TRUE(history.Append(PacketBytes(seq, 1000), seq, 0, now, keyframe, false));
    }
  };
  run(25, 500);  // 500 KB/s: a second of packets is ~500 KB
  EXPECT_EQ(history.forced_evictions(), 0u);
  const size_t need = history.needed_bytes();
  EXPECT_GE(need, 450u * 1000);
  EXPECT_LE(need, 1100u * 1000);
  // Within an eighth and one step of the need (the sample can miss the peak by a quarter of a
  // second's packets, which a later growth step covers).
  EXPECT_LE(history.capacity_bytes(), need + need / 4 + 2 * History::kMinStepBytes);
  EXPECT_GE(history.capacity_bytes(), need);
  run(35, 100);  // 100 KB/s
  EXPECT_GT(history.shrinks(), 0u);
  EXPECT_EQ(history.forced_evictions(), 0u);
  EXPECT_LE(history.capacity_bytes(), 250u * 1000);
  // The last second (the NACK window) and the GOP are all there after the shrinks.
  for (uint64_t s = seq - 100; s < seq; ++s) ExpectPacket(history, s, 1000);
  ASSERT_TRUE(history.last_keyframe_seq().has_value());
  for (uint64_t s = *history.last_keyframe_seq(); s < seq; ++s) ExpectPacket(history, s, 1000);
}

TEST(HistoryTest, TheCapWinsOverKeepingTheGop) {
  HistoryOptions options;
  options.initial_bytes = 4096;
  options.max_bytes = 64 * 1024;
  options.retain_ns = 0;
  History history(options);
  history.Append(PacketBytes(0, 1000), 0, 0, 0, true, false);
  for (uint64_t seq = 1; seq < 500; ++seq) {
    ASSERT_TRUE(history.Append(PacketBytes(seq, 1000), seq, 0, 0, false, false));
  }
  EXPECT_EQ(history.capacity_bytes(), 64u * 1024);
  EXPECT_GT(history.forced_evictions(), 0u);
  EXPECT_FALSE(history.last_keyframe_seq().has_value());  // the keyframe itself was evicted
  EXPECT_EQ(history.keyframes_dropped(), 1u);
  ExpectPacket(history, 499, 1000);
  EXPECT_LE(history.used_bytes(), 64u * 1024);
  EXPECT_FALSE(history.Append(std::vector<uint8_t>(40 * 1024, 1), 500, 0, 0, false, false));
}

// A source that sends one keyframe and then none: the run since it is kept only while the
// keyframe is younger than keyframe_max_age_ns; after that the History holds the NACK window.
TEST(HistoryTest, AKeyframeTooOldNoLongerPinsItsRun) {
  constexpr int64_t kMs = 1'000'000;
  HistoryOptions options;
  options.initial_bytes = 4096;
  options.max_bytes = 8 << 20;
  options.retain_ns = 100 * kMs;
  options.keyframe_max_age_ns = 1000 * kMs;
  History history(options);
  history.Append(PacketBytes(0, 1000), 0, 0, 0, true, false);
  size_t largest = 0;
  for (uint64_t seq = 1; seq < 3000; ++seq) {  // 1 packet a ms for 3 s
    ASSERT_TRUE(history.Append(PacketBytes(seq, 1000), seq, 0, static_cast<int64_t>(seq) * kMs,
                               false, false));
    largest = std::max(largest, history.capacity_bytes());
  }
  // The first second grew the ring to hold it (~1 MB); after it only the window is kept.
  EXPECT_LT(largest, 2u << 20);
  EXPECT_EQ(history.forced_evictions(), 0u);  // nothing it still had to keep was lost
  EXPECT_EQ(history.keyframes_dropped(), 1u);
  EXPECT_FALSE(history.last_keyframe_seq().has_value());
  EXPECT_LT(history.end_seq() - history.begin_seq(), 1100u);
  ExpectPacket(history, 2999, 1000);
}

TEST(HistoryTest, MixedSizesWrapAroundTheByteRing) {
  HistoryOptions options;
  options.initial_bytes = 3000;
  options.max_bytes = 3000;
  options.retain_ns = 0;
  History history(options);
  for (uint64_t seq = 0; seq < 300; ++seq) {
    size_t size = 100 + (seq * 397) % 900;
    ASSERT_TRUE(history.Append(PacketBytes(seq, size), seq, 0, 0, false, false));
    ExpectPacket(history, seq, size);
    // Everything still listed is intact (no packet overwrote another).
    for (uint64_t old = history.begin_seq(); old < history.end_seq(); ++old) {
      if (history.Find(old)) ExpectPacket(history, old, 100 + (old * 397) % 900);
    }
    EXPECT_LE(history.used_bytes(), 3000u);
  }
}

TEST(HistoryTest, MarkKeyframeAfterTheFact) {
  History history;
  for (uint64_t seq = 10; seq < 20; ++seq)
    history.Append(PacketBytes(seq, 10), seq, 0, 0, false, false);
  EXPECT_FALSE(history.last_keyframe_seq().has_value());
  history.MarkKeyframe(13);
  EXPECT_EQ(history.last_keyframe_seq(), 13u);
  EXPECT_TRUE(history.Find(13)->keyframe);
  history.MarkKeyframe(11);  // an older one does not move the newest keyframe back
  EXPECT_EQ(history.last_keyframe_seq(), 13u);
  history.MarkKeyframe(99);  // not stored: ignored
  EXPECT_EQ(history.last_keyframe_seq(), 13u);
}

}  // namespace
}  // namespace ringcast::rtp
