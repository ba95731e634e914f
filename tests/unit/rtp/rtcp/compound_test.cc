// Tests for rtp/rtcp/compound.h on real compound packets (tests/data/rtcp, see its README) and
// hand-broken copies of them.
#include "rtp/rtcp/compound.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/bye.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/sdes.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::rtcp {
namespace {

using ::ringcast::rtp::testing::Packet;
using ::ringcast::rtp::testing::ReadCapture;

std::vector<uint8_t> Types(const Packet& packet, bool* malformed) {
  std::vector<uint8_t> types;
  CompoundReader reader(packet);
  while (std::optional<Block> block = reader.Next()) types.push_back(block->packet_type());
  *malformed = reader.malformed();
  return types;
}

TEST(RtcpCompoundTest, IsRtcpDemux) {
  const Packet sr = ReadCapture("rtcp_ffmpeg_sr.rtp")[0];
  EXPECT_TRUE(IsRtcp(sr));
  // An RTP packet from the same ffmpeg (PT 96).
  const Packet rtp = ReadCapture("h264_ffmpeg_fua.rtp")[0];
  EXPECT_FALSE(IsRtcp(rtp));
  // RFC 5761 range is 192..223 on the second byte, version 2 in the first.
  const uint8_t pt191[] = {0x80, 191, 0, 0};
  const uint8_t pt192[] = {0x80, 192, 0, 0};
  const uint8_t pt223[] = {0x80, 223, 0, 0};
  const uint8_t pt224[] = {0x80, 224, 0, 0};
  const uint8_t v1[] = {0x40, 200, 0, 0};
  EXPECT_FALSE(IsRtcp(pt191));
  EXPECT_TRUE(IsRtcp(pt192));
  EXPECT_TRUE(IsRtcp(pt223));
  EXPECT_FALSE(IsRtcp(pt224));
  EXPECT_FALSE(IsRtcp(v1));
  EXPECT_FALSE(IsRtcp(std::span<const uint8_t>(pt192, 3)));
}

TEST(RtcpCompoundTest, GstreamerSrSdes) {
  // rtpbin's compound: SR (28 bytes) + SDES (52 bytes), as tshark decodes it.
  for (const Packet& packet : ReadCapture("../rtcp/gst_sr_sdes.rtp")) {
    ASSERT_EQ(packet.size(), 80u);
    bool malformed = true;
    EXPECT_EQ(Types(packet, &malformed), (std::vector<uint8_t>{200, 202}));
    EXPECT_FALSE(malformed);
    EXPECT_TRUE(IsValidCompound(packet, /*require_report_first=*/true));
    CompoundReader reader(packet);
    EXPECT_EQ(reader.Next()->bytes().size(), 28u);
    const Block sdes = *reader.Next();
    EXPECT_EQ(sdes.bytes().size(), 52u);
    EXPECT_EQ(sdes.count(), 1);
    EXPECT_FALSE(reader.Next().has_value());
  }
}

TEST(RtcpCompoundTest, GstreamerFeedbackCompounds) {
  // The capture with loss: RR + SDES, then RR + SDES + PSFB (FIR) + RTPFB (NACK) as tshark lists.
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_fir.rtp");
  ASSERT_EQ(packets.size(), 11u);
  bool malformed = true;
  EXPECT_EQ(Types(packets[0], &malformed), (std::vector<uint8_t>{201, 202}));
  EXPECT_EQ(Types(packets[1], &malformed), (std::vector<uint8_t>{201, 202, 206}));
  EXPECT_EQ(Types(packets[5], &malformed), (std::vector<uint8_t>{201, 202, 206, 205}));
  EXPECT_FALSE(malformed);
  for (const Packet& packet : packets) EXPECT_TRUE(IsValidCompound(packet, true));
}

TEST(RtcpCompoundTest, GstreamerSrSdesBye) {
  // rtpbin at end of stream: SR (28) + SDES (52) + BYE (8) in one datagram, as tshark lists.
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_sr_sdes_bye.rtp");
  ASSERT_EQ(packets.size(), 1u);
  ASSERT_EQ(packets[0].size(), 88u);
  bool malformed = true;
  EXPECT_EQ(Types(packets[0], &malformed), (std::vector<uint8_t>{200, 202, 203}));
  EXPECT_FALSE(malformed);
  EXPECT_TRUE(IsValidCompound(packets[0], true));
  CompoundReader reader(packets[0]);
  const std::optional<SenderReportView> sr = SenderReportView::Parse(*reader.Next());
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(sr->sender_ssrc(), 0x2bb83eccu);
  EXPECT_EQ(sr->sender_info().packet_count, 124u);
  EXPECT_EQ(sr->sender_info().octet_count, 74657u);
  SdesReader sdes(*reader.Next());
  EXPECT_EQ(sdes.Next()->value, "user2120011964@host-ddfbe7f7");
  const std::optional<Block> bye_block = reader.Next();
  ASSERT_TRUE(bye_block.has_value());
  EXPECT_EQ(bye_block->bytes().size(), 8u);
  const std::optional<ByeView> bye = ByeView::Parse(*bye_block);
  ASSERT_TRUE(bye.has_value());
  ASSERT_EQ(bye->ssrc_count(), 1u);
  EXPECT_EQ(bye->ssrc(0), 0x2bb83eccu);
  EXPECT_TRUE(bye->reason().empty());
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.malformed());

  // Our writers produce GStreamer's BYE bytes.
  std::vector<uint8_t> out(8);
  const uint32_t ssrcs[] = {0x2bb83ecc};
  ASSERT_EQ(WriteBye(out, ssrcs), 8u);
  EXPECT_EQ(out, Packet(bye_block->bytes().begin(), bye_block->bytes().end()));
}

// A compound of our own blocks in the order RFC 3550 §6.1 asks for: SR, SDES CNAME, BYE.
TEST(RtcpCompoundTest, SrSdesByeWalk) {
  std::vector<uint8_t> buffer(200);
  std::span<uint8_t> out(buffer);
  size_t n = WriteSenderReport(out, 0x11223344, SenderInfo{.ntp_timestamp = 1}, {});
  ASSERT_EQ(n, 28u);
  size_t total = n;
  n = WriteSdesCname(out.subspan(total), 0x11223344, "ringcast");
  ASSERT_EQ(n, 20u);  // 4 + 4 + 2 + 8 + 1 null → 19, padded to 20
  total += n;
  const uint32_t ssrcs[] = {0x11223344};
  n = WriteBye(out.subspan(total), ssrcs, "bye");
  ASSERT_EQ(n, 12u);
  total += n;
  const std::span<const uint8_t> packet(buffer.data(), total);
  EXPECT_TRUE(IsValidCompound(packet, true));
  bool malformed = true;
  EXPECT_EQ(Types(Packet(packet.begin(), packet.end()), &malformed),
            (std::vector<uint8_t>{200, 202, 203}));
  EXPECT_FALSE(malformed);
  // Trailing garbage after the last block makes it invalid.
  buffer[total] = 0x80;
  EXPECT_FALSE(IsValidCompound(std::span<const uint8_t>(buffer.data(), total + 1), true));
}

TEST(RtcpCompoundTest, RejectsMalformed) {
  const Packet good = ReadCapture("../rtcp/gst_sr_sdes.rtp")[0];
  bool malformed = false;

  // Length of the second block runs one word past the end: the SR is returned, then malformed.
  Packet long_length = good;
  long_length[28 + 3] += 1;
  EXPECT_EQ(Types(long_length, &malformed), (std::vector<uint8_t>{200}));
  EXPECT_TRUE(malformed);
  EXPECT_FALSE(IsValidCompound(long_length, true));

  // Truncated datagram.
  const Packet truncated(good.begin(), good.end() - 4);
  EXPECT_FALSE(IsValidCompound(truncated, true));

  // Bad version in the first block.
  Packet bad_version = good;
  bad_version[0] = (bad_version[0] & 0x3F) | 0x40;
  EXPECT_EQ(Types(bad_version, &malformed).size(), 0u);
  EXPECT_TRUE(malformed);

  // Packet type outside 200..206 (APP is 204, 207 is XR: not ours).
  Packet bad_type = good;
  bad_type[28 + 1] = 207;
  EXPECT_FALSE(IsValidCompound(bad_type, true));

  // A header shorter than 4 bytes.
  EXPECT_FALSE(Block::Parse(std::span<const uint8_t>(good.data(), 3)).has_value());
  EXPECT_FALSE(IsValidCompound({}, false));

  // Report first is required of compounds, not of reduced-size RTCP.
  const Packet sdes_only(good.begin() + 28, good.end());
  EXPECT_FALSE(IsValidCompound(sdes_only, true));
  EXPECT_TRUE(IsValidCompound(sdes_only, false));
}

TEST(RtcpCompoundTest, Padding) {
  // RR (RC 0) with 4 bytes of padding: P bit, length 2 words, last byte 4.
  uint8_t padded[] = {0xA0, 201, 0, 2, 1, 2, 3, 4, 0, 0, 0, 4};
  std::optional<Block> block = Block::Parse(padded);
  ASSERT_TRUE(block.has_value());
  EXPECT_TRUE(block->has_padding());
  EXPECT_EQ(block->body().size(), 4u);
  EXPECT_EQ(block->bytes().size(), 12u);
  padded[11] = 0;  // a count of 0 is invalid (it counts itself)
  EXPECT_FALSE(Block::Parse(padded).has_value());
  padded[11] = 9;  // more than the body
  EXPECT_FALSE(Block::Parse(padded).has_value());
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
