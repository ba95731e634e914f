// Tests for rtp/rtcp/sdes.h: the SDES chunks GStreamer and ffmpeg sent (tests/data/rtcp), as
// tshark decodes them, and the CNAME writer.
#include "rtp/rtcp/sdes.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::rtcp {
namespace {

using ::ringcast::rtp::testing::Packet;
using ::ringcast::rtp::testing::ReadCapture;

Block SecondBlock(const Packet& packet) {
  CompoundReader reader(packet);
  reader.Next();
  const std::optional<Block> block = reader.Next();
  EXPECT_TRUE(block.has_value());
  return block.value_or(*Block::Parse(std::span<const uint8_t>(packet)));
}

TEST(RtcpSdesTest, GstreamerCnameAndTool) {
  // tshark: chunk SSRC 0x755939b9, CNAME "user2032511274@host-94359cb6", TOOL "GStreamer".
  const Packet packet = ReadCapture("../rtcp/gst_sr_sdes.rtp")[0];
  SdesReader reader(SecondBlock(packet));
  std::optional<SdesItem> item = reader.Next();
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->ssrc, 0x755939b9u);
  EXPECT_EQ(item->type, kSdesCname);
  EXPECT_EQ(item->value, "user2032511274@host-94359cb6");
  item = reader.Next();
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->type, 6);  // TOOL
  EXPECT_EQ(item->value, "GStreamer");
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.malformed());
}

TEST(RtcpSdesTest, FfmpegCname) {
  // tshark: chunk SSRC 0x755939ba, CNAME "vm" (16-byte block).
  const Packet packet = ReadCapture("../rtcp/ffmpeg_rr.rtp")[2];
  const Block block = SecondBlock(packet);
  SdesReader reader(block);
  const std::optional<SdesItem> item = reader.Next();
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->ssrc, 0x755939bau);
  EXPECT_EQ(item->value, "vm");
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.malformed());

  // Our writer produces ffmpeg's bytes for the same SSRC and CNAME.
  std::vector<uint8_t> out(block.bytes().size());
  ASSERT_EQ(WriteSdesCname(out, 0x755939ba, "vm"), out.size());
  EXPECT_EQ(out, Packet(block.bytes().begin(), block.bytes().end()));
}

TEST(RtcpSdesTest, WriterPadding) {
  // 4 header + 4 SSRC + 2 + n text + ≥1 null, rounded up to 4.
  std::vector<uint8_t> out(300);
  EXPECT_EQ(WriteSdesCname(out, 1, "abc"), 16u);     // 13 → 16
  EXPECT_EQ(WriteSdesCname(out, 1, "abcdef"), 20u);  // 17 → 20
  EXPECT_EQ(WriteSdesCname(out, 1, "abcde"), 16u);   // 16 exactly: one null octet
  EXPECT_EQ(out[15], 0);
  EXPECT_EQ(WriteSdesCname(out, 1, ""), 0u);
  EXPECT_EQ(WriteSdesCname(out, 1, std::string(256, 'x')), 0u);
  EXPECT_EQ(WriteSdesCname(std::span<uint8_t>(out).first(15), 1, "abcde"), 0u);
  const size_t n = WriteSdesCname(out, 7, std::string(255, 'x'));
  ASSERT_GT(n, 0u);
  SdesReader reader(*Block::Parse(std::span<const uint8_t>(out.data(), n)));
  EXPECT_EQ(reader.Next()->value.size(), 255u);
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_FALSE(reader.malformed());
}

TEST(RtcpSdesTest, RejectsMalformed) {
  // Item length past the end of the block.
  const uint8_t long_item[] = {0x81, 202, 0, 2, 0, 0, 0, 1, 1, 9, 'a', 'b'};
  SdesReader reader(*Block::Parse(long_item));
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_TRUE(reader.malformed());
  // Source count 2 but one chunk.
  const uint8_t two_chunks[] = {0x82, 202, 0, 2, 0, 0, 0, 1, 1, 1, 'a', 0};
  SdesReader reader2(*Block::Parse(two_chunks));
  EXPECT_TRUE(reader2.Next().has_value());
  EXPECT_FALSE(reader2.Next().has_value());
  EXPECT_TRUE(reader2.malformed());
  // Not an SDES block.
  const uint8_t rr[] = {0x80, 201, 0, 1, 0, 0, 0, 1};
  SdesReader reader3(*Block::Parse(rr));
  EXPECT_FALSE(reader3.Next().has_value());
  EXPECT_TRUE(reader3.malformed());
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
