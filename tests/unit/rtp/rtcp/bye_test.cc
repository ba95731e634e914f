// Tests for rtp/rtcp/bye.h. GStreamer's BYE (no reason) is checked in compound_test.cc
// (gst_sr_sdes_bye.rtp); no capture has a reason string, so that form is written out by hand
// from RFC 3550 §6.6's layout here.
#include "rtp/rtcp/bye.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"

namespace ringcast::rtp::rtcp {
namespace {

TEST(RtcpByeTest, ParseHandWritten) {
  // SC=2, SSRCs 0x01020304 and 0x0A0B0C0D, reason "gone" (length 4) + 3 zero octets of padding.
  const uint8_t bye[] = {0x82, 203, 0, 4,   1,   2,   3,   4, 10, 11,
                         12,   13,  4, 'g', 'o', 'n', 'e', 0, 0,  0};
  const std::optional<Block> block = Block::Parse(bye);
  ASSERT_TRUE(block.has_value());
  const std::optional<ByeView> view = ByeView::Parse(*block);
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->ssrc_count(), 2u);
  EXPECT_EQ(view->ssrc(0), 0x01020304u);
  EXPECT_EQ(view->ssrc(1), 0x0A0B0C0Du);
  EXPECT_EQ(view->reason(), "gone");

  // Our writer produces exactly these bytes.
  std::vector<uint8_t> out(sizeof(bye));
  const uint32_t ssrcs[] = {0x01020304, 0x0A0B0C0D};
  ASSERT_EQ(WriteBye(out, ssrcs, "gone"), sizeof(bye));
  EXPECT_EQ(out, std::vector<uint8_t>(std::begin(bye), std::end(bye)));
}

TEST(RtcpByeTest, WriterSizes) {
  std::vector<uint8_t> out(64);
  const uint32_t one[] = {7};
  EXPECT_EQ(WriteBye(out, one), 8u);
  EXPECT_EQ(WriteBye(out, one, "abc"), 12u);  // 1 + 3 = 4
  EXPECT_EQ(WriteBye(out, one, "abcd"), 16u);
  EXPECT_EQ(WriteBye(out, {}), 0u);
  EXPECT_EQ(WriteBye(std::span<uint8_t>(out).first(7), one), 0u);
  const size_t n = WriteBye(out, one, "abcd");
  const std::optional<ByeView> view = ByeView::Parse(*Block::Parse({out.data(), n}));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->ssrc(0), 7u);
  EXPECT_EQ(view->reason(), "abcd");
}

TEST(RtcpByeTest, RejectsMalformed) {
  // SC=2 with one SSRC.
  const uint8_t short_list[] = {0x82, 203, 0, 1, 0, 0, 0, 1};
  EXPECT_FALSE(ByeView::Parse(*Block::Parse(short_list)).has_value());
  // Reason length 9 but 3 bytes follow.
  const uint8_t long_reason[] = {0x81, 203, 0, 2, 0, 0, 0, 1, 9, 'a', 'b', 'c'};
  EXPECT_FALSE(ByeView::Parse(*Block::Parse(long_reason)).has_value());
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
