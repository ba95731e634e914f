// Tests for rtp/rtcp/report.h: real SRs and RRs (ffmpeg, GStreamer; tests/data/rtcp/README.md)
// with the values tshark decodes from the same bytes, writer round trips and RFC 3550 §6.4.1's
// round-trip example.
#include "rtp/rtcp/report.h"

#include <time.h>

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

// The n-th block of a compound (fails the test if there is none).
Block NthBlock(const Packet& packet, int n) {
  CompoundReader reader(packet);
  std::optional<Block> block;
  for (int i = 0; i <= n; ++i) block = reader.Next();
  EXPECT_TRUE(block.has_value());
  return block.value_or(*Block::Parse(std::span<const uint8_t>(packet)));
}

TEST(RtcpReportTest, FfmpegSenderReport) {
  const Packet packet = ReadCapture("rtcp_ffmpeg_sr.rtp")[0];
  const std::optional<SenderReportView> sr = SenderReportView::Parse(NthBlock(packet, 0));
  ASSERT_TRUE(sr.has_value());
  // tshark: senderssrc 0xd026106d, NTP msw 4004536805 lsw 2911987826, RTP ts 3617083275,
  // packet count 0, octet count 0.
  EXPECT_EQ(sr->sender_ssrc(), 0xd026106du);
  const SenderInfo info = sr->sender_info();
  EXPECT_EQ(info.ntp_timestamp, (uint64_t{4004536805u} << 32) | 2911987826u);
  EXPECT_EQ(info.rtp_timestamp, 3617083275u);
  EXPECT_EQ(info.packet_count, 0u);
  EXPECT_EQ(info.octet_count, 0u);
  EXPECT_EQ(sr->report_count(), 0u);
  EXPECT_FALSE(ReceiverReportView::Parse(NthBlock(packet, 0)).has_value());
}

TEST(RtcpReportTest, GstreamerSenderReport) {
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_sr_sdes.rtp");
  ASSERT_EQ(packets.size(), 2u);
  const std::optional<SenderReportView> sr = SenderReportView::Parse(NthBlock(packets[0], 0));
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(sr->sender_ssrc(), 0x755939b9u);
  const SenderInfo info = sr->sender_info();
  EXPECT_EQ(info.ntp_timestamp, 0xeeb0704d764bba12u);
  EXPECT_EQ(info.rtp_timestamp, 220816128u);
  EXPECT_EQ(info.packet_count, 186u);
  EXPECT_EQ(info.octet_count, 107712u);

  const std::optional<SenderReportView> sr2 = SenderReportView::Parse(NthBlock(packets[1], 0));
  ASSERT_TRUE(sr2.has_value());
  EXPECT_EQ(sr2->sender_ssrc(), 0x222bd001u);
  EXPECT_EQ(sr2->sender_info().ntp_timestamp, 0xeeb0704e177d0f1fu);
  EXPECT_EQ(sr2->sender_info().rtp_timestamp, 1668155u);
  EXPECT_EQ(sr2->sender_info().packet_count, 117u);
  EXPECT_EQ(sr2->sender_info().octet_count, 18997u);
}

TEST(RtcpReportTest, FfmpegReceiverReports) {
  // ffmpeg pulling GStreamer's RTSP server over UDP: two empty RRs at SETUP, then RR + SDES.
  const std::vector<Packet> packets = ReadCapture("../rtcp/ffmpeg_rr.rtp");
  ASSERT_EQ(packets.size(), 3u);
  const std::optional<ReceiverReportView> empty =
      ReceiverReportView::Parse(NthBlock(packets[0], 0));
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->sender_ssrc(), 0u);
  EXPECT_EQ(empty->report_count(), 0u);

  const std::optional<ReceiverReportView> rr = ReceiverReportView::Parse(NthBlock(packets[2], 0));
  ASSERT_TRUE(rr.has_value());
  EXPECT_EQ(rr->sender_ssrc(), 0x755939bau);
  ASSERT_EQ(rr->report_count(), 1u);
  const ReportBlock block = rr->report_block(0);
  EXPECT_EQ(block.ssrc, 0x755939b9u);
  EXPECT_EQ(block.fraction_lost, 0);
  EXPECT_EQ(block.cumulative_lost, 0);
  EXPECT_EQ(block.extended_highest_seq, 10987u);
  EXPECT_EQ(block.jitter, 69u);
  EXPECT_EQ(block.last_sr, 1884124747u);
  EXPECT_EQ(block.delay_since_last_sr, 169581u);
  // The LSR is the middle of the NTP timestamp of GStreamer's SR captured in the same run.
  EXPECT_EQ(block.last_sr, NtpMiddle32(0xeeb0704d764bba12u));
  EXPECT_FALSE(SenderReportView::Parse(NthBlock(packets[2], 0)).has_value());
}

TEST(RtcpReportTest, GstreamerReceiverReportNegativeLoss) {
  // rtpbin receiving with loss and duplicates: tshark shows cumulative lost -1 (24-bit signed),
  // later 6 with fraction 14.
  const std::vector<Packet> packets = ReadCapture("../rtcp/gst_nack.rtp");
  ASSERT_EQ(packets.size(), 9u);
  std::optional<ReceiverReportView> rr = ReceiverReportView::Parse(NthBlock(packets[1], 0));
  ASSERT_TRUE(rr.has_value());
  ASSERT_EQ(rr->report_count(), 1u);
  ReportBlock block = rr->report_block(0);
  EXPECT_EQ(rr->sender_ssrc(), 0x672409deu);
  EXPECT_EQ(block.ssrc, 0x52430077u);
  EXPECT_EQ(block.cumulative_lost, -1);
  EXPECT_EQ(block.extended_highest_seq, 1717u);
  EXPECT_EQ(block.jitter, 4550u);
  EXPECT_EQ(block.last_sr, 0u);
  EXPECT_FALSE(RoundTripMs(12345, block).has_value());  // no SR seen: no RTT

  rr = ReceiverReportView::Parse(NthBlock(packets[8], 0));
  ASSERT_TRUE(rr.has_value());
  block = rr->report_block(0);
  EXPECT_EQ(block.cumulative_lost, 6);
  EXPECT_EQ(block.fraction_lost, 14);
  EXPECT_EQ(block.extended_highest_seq, 1842u);
  EXPECT_EQ(block.jitter, 8469u);

  // Re-writing the parsed block gives the captured bytes back.
  std::vector<uint8_t> out(8 + kReportBlockSize);
  const ReportBlock blocks[] = {block};
  ASSERT_EQ(WriteReceiverReport(out, rr->sender_ssrc(), blocks), out.size());
  EXPECT_EQ(out, Packet(packets[8].begin(), packets[8].begin() + out.size()));
}

TEST(RtcpReportTest, WriteParseRoundTrip) {
  const ReportBlock blocks[] = {
      {.ssrc = 1,
       .fraction_lost = 255,
       .cumulative_lost = -8388608,
       .extended_highest_seq = 7,
       .jitter = 8,
       .last_sr = 9,
       .delay_since_last_sr = 10},
      {.ssrc = 2,
       .fraction_lost = 1,
       .cumulative_lost = 8388607,
       .extended_highest_seq = 0x10005,
       .jitter = 0,
       .last_sr = 0xFFFFFFFF,
       .delay_since_last_sr = 65536},
  };
  const SenderInfo info{.ntp_timestamp = 0x0123456789ABCDEFu,
                        .rtp_timestamp = 0xFEDCBA98u,
                        .packet_count = 1000,
                        .octet_count = 1200000};
  std::vector<uint8_t> buffer(28 + 2 * kReportBlockSize);
  ASSERT_EQ(WriteSenderReport(buffer, 0xCAFEBABE, info, blocks), buffer.size());
  EXPECT_EQ(buffer[0], 0x82);  // V=2, RC=2
  EXPECT_EQ(buffer[3], 18);    // 76 bytes = 19 words
  const std::optional<Block> block = Block::Parse(buffer);
  ASSERT_TRUE(block.has_value());
  const std::optional<SenderReportView> sr = SenderReportView::Parse(*block);
  ASSERT_TRUE(sr.has_value());
  EXPECT_EQ(sr->sender_ssrc(), 0xCAFEBABEu);
  EXPECT_EQ(sr->sender_info(), info);
  ASSERT_EQ(sr->report_count(), 2u);
  EXPECT_EQ(sr->report_block(0), blocks[0]);
  EXPECT_EQ(sr->report_block(1), blocks[1]);

  // Too small a buffer: nothing written.
  std::vector<uint8_t> small(buffer.size() - 1);
  EXPECT_EQ(WriteSenderReport(small, 1, info, blocks), 0u);
  EXPECT_EQ(WriteReceiverReport(std::span<uint8_t>(small).first(8 + 24 - 1), 1, {blocks, 1}), 0u);

  // Cumulative loss beyond 24 bits is clamped, not wrapped.
  ReportBlock big = blocks[0];
  big.cumulative_lost = 10'000'000;
  uint8_t raw[kReportBlockSize];
  WriteReportBlock(raw, big);
  EXPECT_EQ(ReadReportBlock(raw).cumulative_lost, 8388607);
}

TEST(RtcpReportTest, RejectsCountPastEnd) {
  // RR claiming 2 report blocks but carrying 1 (length says 8 words).
  std::vector<uint8_t> buffer(8 + kReportBlockSize);
  const ReportBlock one[] = {ReportBlock{.ssrc = 5}};
  ASSERT_EQ(WriteReceiverReport(buffer, 1, one), buffer.size());
  buffer[0] = 0x82;
  const std::optional<Block> block = Block::Parse(buffer);
  ASSERT_TRUE(block.has_value());
  EXPECT_FALSE(ReceiverReportView::Parse(*block).has_value());
  // An SR too short for its sender info.
  const uint8_t short_sr[] = {0x80, 200, 0, 1, 0, 0, 0, 1};
  EXPECT_FALSE(SenderReportView::Parse(*Block::Parse(short_sr)).has_value());
}

// RFC 3550 §6.4.1: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
// DLSR = 0x0005:4000 (5.250 s) → RTT = 0x0006:2000 (6.125 s).
TEST(RtcpReportTest, RoundTripRfc3550Example) {
  const ReportBlock block{.last_sr = 0xb7052000, .delay_since_last_sr = 0x00054000};
  EXPECT_EQ(RoundTripCompact(0xb7108000, block), 0x00062000u);
  EXPECT_EQ(RoundTripMs(0xb7108000, block), 6125u);
  // Arrival "before" LSR + DLSR: inconsistent, no RTT.
  EXPECT_FALSE(RoundTripMs(0xb7050000, block).has_value());
  // Works across the 32-bit wrap of the compact NTP time.
  const ReportBlock wrapped{.last_sr = 0xFFFF8000, .delay_since_last_sr = 0x00010000};
  EXPECT_EQ(RoundTripMs(0x00018000, wrapped), 1000u);
}

TEST(RtcpReportTest, NtpTime) {
  // 1970-01-01 00:00:00.5 UTC.
  EXPECT_EQ(UnixNanosToNtp(500'000'000), (uint64_t{2208988800u} << 32) | 0x80000000u);
  // tshark decoded GStreamer's SR NTP 0xeeb0704d:764bba12 as 2026-11-24 20:21:33.462092999 UTC
  // = Unix 1795551693.462092999.
  const uint64_t ntp = UnixNanosToNtp(int64_t{1795551693} * 1'000'000'000 + 462092999);
  EXPECT_EQ(ntp >> 32, 0xeeb0704du);
  // tshark prints whole nanoseconds; one nanosecond is 4.3 units of 2^-32 s.
  EXPECT_NEAR(static_cast<double>(ntp & 0xFFFFFFFF), static_cast<double>(0x764bba12u), 5.0);

  // The clock maps monotonic time onto the realtime sample.
  const NtpClock clock(/*realtime_ns=*/1'000'000'000, /*monotonic_ns=*/50);
  EXPECT_EQ(clock.ToNtp(50), UnixNanosToNtp(1'000'000'000));
  EXPECT_EQ(clock.ToNtp(50 + 250'000'000), UnixNanosToNtp(1'250'000'000));
  // Now() is within a second of the real time.
  const NtpClock now = NtpClock::Now();
  const uint64_t a = now.NowNtp() >> 32;
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  EXPECT_NEAR(static_cast<double>(a), static_cast<double>(ts.tv_sec + 2208988800u), 1.0);
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
