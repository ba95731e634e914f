// Tests for rtp/rtcp/feedback.h: the generic NACKs, PLIs and FIRs GStreamer's rtpbin sent when a
// relay dropped packets (tests/data/rtcp/README.md), with the values tshark decodes from the
// same bytes; NACK packing (BLP bit order, sequence wrap) and writer round trips.
#include "rtp/rtcp/feedback.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::rtcp {
namespace {

using ::ringcast::rtp::testing::Packet;
using ::ringcast::rtp::testing::ReadCapture;

// The first block of `packet` with this packet type.
std::optional<Block> FindBlock(const Packet& packet, uint8_t type) {
  CompoundReader reader(packet);
  while (std::optional<Block> block = reader.Next()) {
    if (block->packet_type() == type) return block;
  }
  return std::nullopt;
}

std::vector<uint16_t> Lost(const NackView& nack) {
  std::vector<uint16_t> lost;
  NackSeqReader reader = nack.lost();
  while (std::optional<uint16_t> seq = reader.Next()) lost.push_back(*seq);
  return lost;
}

std::vector<uint16_t> WriteAndRead(const std::vector<uint16_t>& lost, size_t* items) {
  std::vector<uint8_t> buffer(kFeedbackHeaderSize + kNackItemSize * (lost.size() + 1));
  const size_t n = WriteNack(buffer, 0xAAAA, 0xBBBB, lost);
  EXPECT_GT(n, 0u);
  const std::optional<Block> block = Block::Parse(std::span<const uint8_t>(buffer.data(), n));
  EXPECT_TRUE(block.has_value());
  if (!block) return {};
  EXPECT_EQ(block->bytes().size(), n);
  const std::optional<NackView> nack = NackView::Parse(*block);
  EXPECT_TRUE(nack.has_value());
  if (!nack) return {};
  EXPECT_EQ(nack->sender_ssrc(), 0xAAAAu);
  EXPECT_EQ(nack->media_ssrc(), 0xBBBBu);
  *items = nack->item_count();
  return Lost(*nack);
}

TEST(RtcpFeedbackTest, GstreamerSingleNack) {
  // tshark: NACK sender 0x672409de, media 0x52430077, PID 1736, BLP 0x0000.
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_nack.rtp");
  ASSERT_EQ(packets.size(), 9u);
  const std::optional<Block> block = FindBlock(packets[2], kPacketTypeRtpfb);
  ASSERT_TRUE(block.has_value());
  const std::optional<NackView> nack = NackView::Parse(*block);
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(nack->sender_ssrc(), 0x672409deu);
  EXPECT_EQ(nack->media_ssrc(), 0x52430077u);
  ASSERT_EQ(nack->item_count(), 1u);
  EXPECT_EQ(nack->item(0).pid, 1736);
  EXPECT_EQ(nack->item(0).blp, 0);
  EXPECT_EQ(Lost(*nack), (std::vector<uint16_t>{1736}));
  EXPECT_FALSE(PliView::Parse(*block).has_value());
  EXPECT_FALSE(FirView::Parse(*block).has_value());
}

TEST(RtcpFeedbackTest, GstreamerNackBitmask) {
  // tshark: PID 2095 BLP 0x0100 (2104 also lost), PID 2113 BLP 0x0100 (2122),
  // PID 2131 BLP 0x0900 (2140, 2143): bit i means PID + i + 1.
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_fir.rtp");
  ASSERT_EQ(packets.size(), 11u);
  const std::optional<Block> block = FindBlock(packets[9], kPacketTypeRtpfb);
  ASSERT_TRUE(block.has_value());
  const std::optional<NackView> nack = NackView::Parse(*block);
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(nack->media_ssrc(), 0x52430078u);
  ASSERT_EQ(nack->item_count(), 3u);
  EXPECT_EQ(nack->item(2).pid, 2131);
  EXPECT_EQ(nack->item(2).blp, 0x0900);
  const std::vector<uint16_t> lost = Lost(*nack);
  EXPECT_EQ(lost, (std::vector<uint16_t>{2095, 2104, 2113, 2122, 2131, 2140, 2143}));

  // Our writer packs the same list into the same bytes as GStreamer's.
  std::vector<uint8_t> out(block->bytes().size());
  ASSERT_EQ(WriteNack(out, 0x930cf746, 0x52430078, lost), out.size());
  EXPECT_EQ(out, Packet(block->bytes().begin(), block->bytes().end()));
}

TEST(RtcpFeedbackTest, GstreamerFir) {
  // tshark: PSFB FMT 4, sender 0x930cf746, media 0, FCI SSRC 0x52430078, seq nr 1 (later 2, 3 …).
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_fir.rtp");
  const std::optional<Block> block = FindBlock(packets[1], kPacketTypePsfb);
  ASSERT_TRUE(block.has_value());
  const std::optional<FirView> fir = FirView::Parse(*block);
  ASSERT_TRUE(fir.has_value());
  EXPECT_EQ(fir->sender_ssrc(), 0x930cf746u);
  ASSERT_EQ(fir->entry_count(), 1u);
  EXPECT_EQ(fir->entry(0).ssrc, 0x52430078u);
  EXPECT_EQ(fir->entry(0).seq_nr, 1);
  EXPECT_FALSE(PliView::Parse(*block).has_value());
  const std::optional<FirView> later = FirView::Parse(*FindBlock(packets[10], kPacketTypePsfb));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->entry(0).seq_nr, 12);

  // Writing the parsed entry gives GStreamer's bytes.
  std::vector<uint8_t> out(block->bytes().size());
  const FirEntry entries[] = {fir->entry(0)};
  ASSERT_EQ(WriteFir(out, 0x930cf746, entries), out.size());
  EXPECT_EQ(out, Packet(block->bytes().begin(), block->bytes().end()));
  EXPECT_EQ(WriteFir(std::span<uint8_t>(out).first(19), 1, entries), 0u);
  EXPECT_EQ(WriteFir(out, 1, {}), 0u);
}

TEST(RtcpFeedbackTest, GstreamerPli) {
  // tshark: PSFB FMT 1, sender 0xdbed108b, media 0x52430079; a later compound carries a PLI and
  // a NACK (PIDs 1062, 1080, 1098 with BLPs 0x0100, 0x0100, 0x0004).
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_pli.rtp");
  ASSERT_EQ(packets.size(), 13u);
  const std::optional<Block> block = FindBlock(packets[1], kPacketTypePsfb);
  ASSERT_TRUE(block.has_value());
  const std::optional<PliView> pli = PliView::Parse(*block);
  ASSERT_TRUE(pli.has_value());
  EXPECT_EQ(pli->sender_ssrc, 0xdbed108bu);
  EXPECT_EQ(pli->media_ssrc, 0x52430079u);
  EXPECT_FALSE(FirView::Parse(*block).has_value());
  EXPECT_FALSE(NackView::Parse(*block).has_value());

  std::vector<uint8_t> out(kFeedbackHeaderSize);
  ASSERT_EQ(WritePli(out, 0xdbed108b, 0x52430079), 12u);
  EXPECT_EQ(out, Packet(block->bytes().begin(), block->bytes().end()));
  EXPECT_EQ(WritePli(std::span<uint8_t>(out).first(11), 1, 2), 0u);

  const std::optional<Block> both = FindBlock(packets[10], kPacketTypeRtpfb);
  ASSERT_TRUE(both.has_value());
  EXPECT_TRUE(PliView::Parse(*FindBlock(packets[10], kPacketTypePsfb)).has_value());
  const std::optional<NackView> nack = NackView::Parse(*both);
  ASSERT_TRUE(nack.has_value());
  EXPECT_EQ(Lost(*nack), (std::vector<uint16_t>{1062, 1071, 1080, 1089, 1098, 1101}));
}

TEST(RtcpFeedbackTest, NackPackingBitOrder) {
  // PID 100; 101 is bit 0 (0x0001), 116 is bit 15 (0x8000); 117 needs a new item.
  std::vector<uint8_t> buffer(64);
  const uint16_t lost[] = {100, 101, 116, 117};
  ASSERT_EQ(WriteNack(buffer, 1, 2, lost), 20u);
  EXPECT_EQ(buffer[0], 0x81);  // V=2, FMT 1
  EXPECT_EQ(buffer[1], 205);
  EXPECT_EQ(buffer[3], 4);  // 5 words - 1
  const uint8_t items[] = {0, 100, 0x80, 0x01, 0, 117, 0, 0};
  EXPECT_EQ(Packet(buffer.begin() + 12, buffer.begin() + 20),
            Packet(std::begin(items), std::end(items)));
  EXPECT_EQ(NackItemCount(lost), 2u);
}

TEST(RtcpFeedbackTest, NackPackingWrap) {
  // 65530 … 65535, 0 … 5 lost: one item, PID 65530 and bits 0..10 set.
  std::vector<uint16_t> lost;
  for (uint16_t s = 65530; s != 6; ++s) lost.push_back(s);
  size_t items = 0;
  EXPECT_EQ(WriteAndRead(lost, &items), lost);
  EXPECT_EQ(items, 1u);
  // Every other packet across the wrap: 65520, 65522 … 4 → items of PID + up to 8 bits.
  std::vector<uint16_t> sparse;
  for (uint16_t s = 65520; s != 6; s = static_cast<uint16_t>(s + 2)) sparse.push_back(s);
  EXPECT_EQ(WriteAndRead(sparse, &items), sparse);
  EXPECT_EQ(items, 2u);  // PID 65520 covers up to 0 (+16); PID 2 takes 4
  // Duplicates are dropped; an isolated number gets its own item.
  const std::vector<uint16_t> dup = {7, 7, 8, 1000};
  EXPECT_EQ(WriteAndRead(dup, &items), (std::vector<uint16_t>{7, 8, 1000}));
  EXPECT_EQ(items, 2u);
  // Empty: nothing to write.
  std::vector<uint8_t> buffer(64);
  EXPECT_EQ(WriteNack(buffer, 1, 2, {}), 0u);
  // Does not fit.
  const uint16_t far[] = {1, 100};
  EXPECT_EQ(WriteNack(std::span<uint8_t>(buffer).first(19), 1, 2, far), 0u);
}

TEST(RtcpFeedbackTest, RejectsMalformedFeedback) {
  // NACK whose FCI is not whole items / empty; feedback without the media SSRC.
  const uint8_t empty_fci[] = {0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2};
  EXPECT_FALSE(NackView::Parse(*Block::Parse(empty_fci)).has_value());
  EXPECT_TRUE(FeedbackView::Parse(*Block::Parse(empty_fci)).has_value());
  const uint8_t no_media[] = {0x81, 205, 0, 1, 0, 0, 0, 1};
  EXPECT_FALSE(FeedbackView::Parse(*Block::Parse(no_media)).has_value());
  // FIR with a 4-byte FCI (entries are 8).
  const uint8_t short_fir[] = {0x84, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5};
  EXPECT_FALSE(FirView::Parse(*Block::Parse(short_fir)).has_value());
  // A receiver report is not feedback.
  const uint8_t rr[] = {0x80, 201, 0, 1, 0, 0, 0, 1};
  EXPECT_FALSE(FeedbackView::Parse(*Block::Parse(rr)).has_value());
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
