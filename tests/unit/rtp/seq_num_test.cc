#include "rtp/seq_num.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp {
namespace {

TEST(SeqNumTest, IsNewerAcrossTheWrap) {
  EXPECT_TRUE(IsNewerSeq(1, 0));
  EXPECT_FALSE(IsNewerSeq(0, 1));
  EXPECT_TRUE(IsNewerSeq(0, 65535));
  EXPECT_FALSE(IsNewerSeq(65535, 0));
  EXPECT_TRUE(IsNewerSeq(5, 65530));
  EXPECT_FALSE(IsNewerSeq(7, 7));
  EXPECT_TRUE(IsNewerSeq(0x7FFF, 0));
  EXPECT_FALSE(IsNewerSeq(0x8001, 0));
  EXPECT_EQ(LatestSeq(65535, 2), 2);
  EXPECT_EQ(LatestSeq(2, 65535), 2);
}

TEST(SeqNumTest, HalfWayIsAntisymmetric) {
  for (uint32_t a = 0; a < 65536; a += 257) {
    const uint16_t x = static_cast<uint16_t>(a);
    const uint16_t y = static_cast<uint16_t>(a + 0x8000);
    EXPECT_NE(IsNewerSeq(x, y), IsNewerSeq(y, x)) << a;
    EXPECT_EQ(SeqDistance(y, x) > 0, IsNewerSeq(x, y)) << a;
    EXPECT_EQ(SeqDistance(x, y), -SeqDistance(y, x)) << a;
  }
}

TEST(SeqNumTest, Distance) {
  EXPECT_EQ(SeqDistance(65535, 0), 1);
  EXPECT_EQ(SeqDistance(0, 65535), -1);
  EXPECT_EQ(SeqDistance(65500, 19), 55);
  EXPECT_EQ(SeqDistance(19, 65500), -55);
  EXPECT_EQ(SeqDistance(100, 100), 0);
}

TEST(SeqNumTest, TimestampCompare) {
  EXPECT_TRUE(IsNewerTimestamp(0, 0xFFFFFFFFu));
  EXPECT_FALSE(IsNewerTimestamp(0xFFFFFFFFu, 0));
  EXPECT_TRUE(IsNewerTimestamp(3000, 0xFFFFF000u));
  EXPECT_EQ(TimestampDistance(0xFFFFFFF0u, 0x10), 0x20);
  EXPECT_EQ(TimestampDistance(0x10, 0xFFFFFFF0u), -0x20);
  EXPECT_NE(IsNewerTimestamp(0, 0x80000000u), IsNewerTimestamp(0x80000000u, 0));
  EXPECT_EQ(LatestTimestamp(0xFFFFFF00u, 5), 5u);
}

TEST(SeqUnwrapperTest, CountsCyclesForward) {
  SeqUnwrapper unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(65534), 65534);
  EXPECT_EQ(unwrapper.Unwrap(65535), 65535);
  EXPECT_EQ(unwrapper.Unwrap(0), 65536);
  EXPECT_EQ(unwrapper.Unwrap(1), 65537);
  EXPECT_EQ(unwrapper.highest(), 65537);
}

TEST(SeqUnwrapperTest, ReorderedAroundTheWrap) {
  SeqUnwrapper unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(65533), 65533);
  EXPECT_EQ(unwrapper.Unwrap(1), 65537);      // arrives early, after the wrap
  EXPECT_EQ(unwrapper.Unwrap(65535), 65535);  // late, from before the wrap
  EXPECT_EQ(unwrapper.Unwrap(0), 65536);
  EXPECT_EQ(unwrapper.Unwrap(2), 65538);
  EXPECT_EQ(unwrapper.highest(), 65538);
}

TEST(SeqUnwrapperTest, ManyCyclesAndBackwardsStart) {
  SeqUnwrapper unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(3), 3);
  EXPECT_EQ(unwrapper.Unwrap(65534), -2);  // older than the first packet
  int64_t expected = 3;
  for (int i = 0; i < 5 * 65536; i += 1000) {
    expected = 3 + i;
    EXPECT_EQ(unwrapper.Unwrap(static_cast<uint16_t>(3 + i)), expected);
  }
  EXPECT_EQ(unwrapper.PeekUnwrap(static_cast<uint16_t>(expected + 1)), expected + 1);
  EXPECT_EQ(unwrapper.highest(), expected);  // Peek does not remember
  unwrapper.Reset();
  EXPECT_FALSE(unwrapper.started());
  EXPECT_EQ(unwrapper.Unwrap(9), 9);
}

TEST(TimestampUnwrapperTest, Wraps) {
  TimestampUnwrapper unwrapper;
  EXPECT_EQ(unwrapper.Unwrap(0xFFFFF000u), 0xFFFFF000);
  EXPECT_EQ(unwrapper.Unwrap(0x00000E10u), 0x100000E10);
  EXPECT_EQ(unwrapper.Unwrap(0xFFFFFC00u), 0xFFFFFC00);  // reordered B-frame before the wrap
  EXPECT_EQ(unwrapper.Unwrap(0x00010000u), 0x100010000);
}

// ffmpeg was told to start at sequence number 65500 (tests/data/rtp/README.md): its 56
// packets run 65500 .. 65535, 0 .. 19 and must unwrap to one contiguous run.
TEST(SeqUnwrapperTest, CapturedStreamWrapsContiguously) {
  const std::vector<testing::Packet> packets = testing::ReadCapture("h264_ffmpeg_fua.rtp");
  ASSERT_EQ(packets.size(), 56u);
  SeqUnwrapper seq;
  TimestampUnwrapper ts;
  bool saw_wrap = false;
  for (size_t i = 0; i < packets.size(); ++i) {
    const std::optional<RtpView> view = RtpView::Parse(packets[i]);
    ASSERT_TRUE(view.has_value()) << i;
    if (view->sequence_number() == 0) saw_wrap = true;
    EXPECT_EQ(seq.Unwrap(view->sequence_number()), 65500 + static_cast<int64_t>(i));
    // Timestamps go back and forth (B-frames) but stay within one GOP of the first.
    const int64_t t = ts.Unwrap(view->timestamp());
    EXPECT_LT(std::abs(t - int64_t{2907245539}), 90000 * 3) << i;
  }
  EXPECT_TRUE(saw_wrap);
}

}  // namespace
}  // namespace ringcast::rtp
