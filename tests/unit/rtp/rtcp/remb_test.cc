// Tests for rtp/rtcp/remb.h: a REMB built by hand from draft-alvestrand-rmcat-remb-03 §2.2 and
// compared byte for byte with WriteRemb's, the exponent/mantissa encoding at its edges, and the
// parser's refusals.
#include "rtp/rtcp/remb.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"

namespace ringcast::rtp::rtcp {
namespace {

std::optional<RembView> ParseBytes(const std::vector<uint8_t>& bytes) {
  const std::optional<Block> block = Block::Parse(bytes);
  if (!block) return std::nullopt;
  return RembView::Parse(*block);
}

// 2,500,000 bps for SSRCs 0x01020304 and 0x0A0B0C0D, from sender 0xCAFEBABE.
//   2,500,000 needs 22 bits; the mantissa has 18, so exponent 4: 2,500,000 >> 4 = 156,250 =
//   0x2625A (exact: 156,250 << 4 = 2,500,000). Byte 17 holds the exponent in its top 6 bits and
//   the mantissa's top 2 bits: 4 << 2 | 0x2 = 0x12; then 0x625A.
//   Size 20 + 2 × 4 = 28; length field 6. FMT 15 in the count field, PT 206, media SSRC 0.
TEST(RembTest, HandBuiltMessage) {
  const std::vector<uint8_t> expected = {
      0x8F, 0xCE, 0x00, 0x06,  // V=2, FMT=15, PT=206, length 6
      0xCA, 0xFE, 0xBA, 0xBE,  // sender SSRC
      0x00, 0x00, 0x00, 0x00,  // media source: 0
      'R',  'E',  'M',  'B',   // identifier
      0x02, 0x12, 0x62, 0x5A,  // 2 SSRCs, exponent 4, mantissa 0x2625A
      0x01, 0x02, 0x03, 0x04,  // SSRC 1
      0x0A, 0x0B, 0x0C, 0x0D,  // SSRC 2
  };
  const uint32_t ssrcs[] = {0x01020304, 0x0A0B0C0D};
  std::vector<uint8_t> out(64);
  const size_t n = WriteRemb(out, 0xCAFEBABE, 2'500'000, ssrcs);
  ASSERT_EQ(n, expected.size());
  out.resize(n);
  EXPECT_EQ(out, expected);

  const std::optional<RembView> remb = ParseBytes(expected);
  ASSERT_TRUE(remb.has_value());
  EXPECT_EQ(remb->sender_ssrc(), 0xCAFEBABEu);
  EXPECT_EQ(remb->bitrate_bps(), 2'500'000u);
  ASSERT_EQ(remb->ssrc_count(), 2u);
  EXPECT_EQ(remb->ssrc(0), 0x01020304u);
  EXPECT_EQ(remb->ssrc(1), 0x0A0B0C0Du);
  // A PSFB, but neither a PLI nor a FIR.
  const std::optional<Block> block = Block::Parse(expected);
  EXPECT_FALSE(PliView::Parse(*block).has_value());
  EXPECT_FALSE(FirView::Parse(*block).has_value());
}

TEST(RembTest, BitrateEncoding) {
  EXPECT_EQ(EncodeRembBitrate(0).exponent, 0);
  EXPECT_EQ(EncodeRembBitrate(0).mantissa, 0u);
  EXPECT_EQ(EncodeRembBitrate(0x3FFFF).exponent, 0);  // the largest exact without a shift
  EXPECT_EQ(EncodeRembBitrate(0x3FFFF).mantissa, 0x3FFFFu);
  EXPECT_EQ(EncodeRembBitrate(0x40000).exponent, 1);
  EXPECT_EQ(EncodeRembBitrate(0x40000).mantissa, 0x20000u);
  // Rounded down: never more than the estimate.
  const RembBitrate odd = EncodeRembBitrate(1'000'001);
  EXPECT_LE(uint64_t{odd.mantissa} << odd.exponent, 1'000'001u);
  EXPECT_GT((uint64_t{odd.mantissa} + 1) << odd.exponent, 1'000'001u);
  const RembBitrate max = EncodeRembBitrate(UINT64_MAX);
  EXPECT_EQ(max.exponent, 46);
  EXPECT_EQ(max.mantissa, 0x3FFFFu);

  // Round trips through the wire for a range of rates.
  for (uint64_t rate : {uint64_t{1}, uint64_t{30'000}, uint64_t{1'500'000}, uint64_t{123'456'789},
                        uint64_t{1} << 40, UINT64_MAX}) {
    std::vector<uint8_t> out(20);
    ASSERT_EQ(WriteRemb(out, 1, rate, {}), 20u);
    const std::optional<RembView> remb = ParseBytes(out);
    ASSERT_TRUE(remb.has_value());
    const RembBitrate encoded = EncodeRembBitrate(rate);
    EXPECT_EQ(remb->bitrate_bps(), uint64_t{encoded.mantissa} << encoded.exponent);
    EXPECT_EQ(remb->ssrc_count(), 0u);
  }
}

TEST(RembTest, WriterLimits) {
  std::vector<uint32_t> ssrcs(256, 7);
  std::vector<uint8_t> out(2000);
  EXPECT_EQ(WriteRemb(out, 1, 1000, ssrcs), 0u);  // more than 255
  ssrcs.resize(255);
  EXPECT_EQ(WriteRemb(out, 1, 1000, ssrcs), 20u + 4 * 255);
  std::vector<uint8_t> small(23);
  EXPECT_EQ(WriteRemb(small, 1, 1000, std::span<const uint32_t>(ssrcs).first(1)), 0u);
}

TEST(RembTest, ParserRefusals) {
  const std::vector<uint8_t> good = {
      0x8F, 0xCE, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 1, 0, 0, 5, 0, 0, 0, 9,
  };
  ASSERT_TRUE(ParseBytes(good).has_value());
  std::vector<uint8_t> bytes = good;
  bytes[12] = 'X';  // another application's AFB
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  bytes = good;
  bytes[16] = 2;  // two SSRCs announced, one present
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  bytes = good;
  bytes[0] = 0x81;  // PLI's FMT
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  bytes = good;
  bytes[1] = 0xCD;  // RTPFB
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // Exponent 63 with a mantissa over 1: overflows 64 bits.
  bytes = good;
  bytes[17] = 63 << 2;
  bytes[19] = 2;
  EXPECT_FALSE(ParseBytes(bytes).has_value());
  // Exponent 63, mantissa 1: 2^63 fits.
  bytes[19] = 1;
  const std::optional<RembView> big = ParseBytes(bytes);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->bitrate_bps(), uint64_t{1} << 63);
  // No identifier at all.
  bytes = {0x8F, 0xCE, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B'};
  EXPECT_FALSE(ParseBytes(bytes).has_value());
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
