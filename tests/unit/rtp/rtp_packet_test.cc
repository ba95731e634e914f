#include "rtp/rtp_packet.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp {
namespace {

using testing::Packet;
using testing::ReadCapture;

// First and last packet of each capture as tshark 4.0 decodes them (README.md in
// tests/data/rtp: to_pcap.py + `tshark -d udp.port==P,rtp -T fields ...`); size is
// udp.length - 8.
struct Expected {
  const char* file;
  size_t index;
  uint16_t seq;
  uint32_t timestamp;
  uint32_t ssrc;
  bool marker;
  size_t size;
  bool extension;
};

constexpr Expected kTshark[] = {
    {"h264_ffmpeg_fua.rtp", 0, 65500, 2907245539u, 0x52430001u, false, 734, false},
    {"h264_ffmpeg_fua.rtp", 55, 19, 2907418339u, 0x52430001u, true, 49, false},
    {"h264_ffmpeg_mode0.rtp", 0, 2298, 1712638074u, 0xa5b0d735u, false, 37, false},
    {"h264_ffmpeg_mode0.rtp", 30, 2328, 1712724474u, 0xa5b0d735u, true, 182, false},
    {"h264_gst_stapa_ext.rtp", 0, 14582, 3699526539u, 0xcc2a7691u, false, 801, true},
    {"h264_gst_stapa_ext.rtp", 83, 14665, 3699630939u, 0xcc2a7691u, true, 1200, true},
    {"h264_ffmpeg_1080i_422.rtp", 0, 3129, 3724395631u, 0x1489cfb9u, false, 747, false},
    {"h264_ffmpeg_1080i_422.rtp", 8, 3137, 3724395631u, 0x1489cfb9u, true, 186, false},
    {"h265_ffmpeg_ap.rtp", 0, 3610, 1561735382u, 0x5737d45eu, false, 93, false},
    {"h265_ffmpeg_ap.rtp", 57, 3667, 1561908182u, 0x5737d45eu, true, 47, false},
    {"h265_gst_single.rtp", 0, 25928, 1785197446u, 0xe4354c6cu, false, 35, false},
    {"h265_gst_single.rtp", 65, 25993, 1785298246u, 0xe4354c6cu, true, 69, false},
};

TEST(RtpViewTest, CapturedHeadersMatchTshark) {
  for (const Expected& e : kTshark) {
    SCOPED_TRACE(std::string(e.file) + " #" + std::to_string(e.index));
    const std::vector<Packet> packets = ReadCapture(e.file);
    ASSERT_LT(e.index, packets.size());
    ASSERT_EQ(packets[e.index].size(), e.size);
    const std::optional<RtpView> view = RtpView::Parse(packets[e.index]);
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(view->sequence_number(), e.seq);
    EXPECT_EQ(view->timestamp(), e.timestamp);
    EXPECT_EQ(view->ssrc(), e.ssrc);
    EXPECT_EQ(view->marker(), e.marker);
    EXPECT_EQ(view->payload_type(), 96);
    EXPECT_EQ(view->has_extension(), e.extension);
    EXPECT_EQ(view->csrc_count(), 0u);
    EXPECT_FALSE(view->has_padding());
    EXPECT_EQ(view->packet().size(), e.size);
    EXPECT_EQ(view->header_size(), e.extension ? 28u : 12u);
    EXPECT_EQ(view->payload().size(), e.size - view->header_size());
    EXPECT_EQ(view->payload().data(), packets[e.index].data() + view->header_size());
  }
}

TEST(RtpViewTest, EveryCapturedPacketParses) {
  for (const char* file :
       {"h264_ffmpeg_fua.rtp", "h264_ffmpeg_mode0.rtp", "h264_gst_stapa_ext.rtp",
        "h264_ffmpeg_1080i_422.rtp", "h265_ffmpeg_ap.rtp", "h265_gst_single.rtp"}) {
    SCOPED_TRACE(file);
    for (const Packet& packet : ReadCapture(file)) {
      const std::optional<RtpView> view = RtpView::Parse(packet);
      ASSERT_TRUE(view.has_value());
      EXPECT_FALSE(IsRtcpPacketType(packet[1]));
      EXPECT_FALSE(LooksLikeRtcp(packet));
      EXPECT_GT(view->payload().size(), 0u);
    }
  }
}

// GStreamer's rtph264pay with caps extmap-1=urn:ietf:params:rtp-hdrext:ntp-64 puts a one-byte
// header extension on the first packet of each frame: 0xBEDE, 3 words, element id 1 with 8
// bytes (an NTP time of 0: the pipeline had no reference clock meta), then 3 padding bytes.
TEST(RtpViewTest, CapturedOneByteExtension) {
  const std::vector<Packet> packets = ReadCapture("h264_gst_stapa_ext.rtp");
  const std::optional<RtpView> view = RtpView::Parse(packets[0]);
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->has_extension());
  EXPECT_TRUE(view->has_one_byte_extensions());
  EXPECT_FALSE(view->has_two_byte_extensions());
  EXPECT_EQ(view->extension_profile(), kOneByteExtensionProfile);
  ASSERT_EQ(view->extension_data().size(), 12u);
  EXPECT_EQ(view->extension_data()[0], 0x17);
  const std::optional<std::span<const uint8_t>> ntp = view->FindExtension(1);
  ASSERT_TRUE(ntp.has_value());
  EXPECT_EQ(ntp->size(), 8u);
  EXPECT_FALSE(view->FindExtension(2).has_value());
  RtpExtensionReader reader = view->extensions();
  std::optional<RtpExtensionElement> element = reader.Next();
  ASSERT_TRUE(element.has_value());
  EXPECT_EQ(element->id, 1);
  EXPECT_FALSE(reader.Next().has_value());  // the rest is padding
  EXPECT_FALSE(reader.malformed());
  // The payload is the STAP-A right after the extension.
  EXPECT_EQ(view->payload()[0] & 0x1F, 24);

  // The FU-A continuation packets carry no extension.
  const std::optional<RtpView> second = RtpView::Parse(packets[1]);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(second->has_extension());
  EXPECT_EQ(second->extension_profile(), 0);
  EXPECT_TRUE(second->extension_data().empty());
  EXPECT_FALSE(second->FindExtension(1).has_value());
}

Packet FirstPacket(const char* file) { return ReadCapture(file).at(0); }

TEST(RtpViewTest, RejectsTooShortAndBadVersion) {
  const Packet good = FirstPacket("h264_ffmpeg_mode0.rtp");
  for (size_t n = 0; n < 12; ++n) {
    EXPECT_FALSE(RtpView::Parse(std::span<const uint8_t>(good.data(), n)).has_value()) << n;
  }
  EXPECT_TRUE(RtpView::Parse(std::span<const uint8_t>(good.data(), 12)).has_value());
  for (uint8_t version : {0, 1, 3}) {
    Packet bad = good;
    bad[0] = static_cast<uint8_t>((bad[0] & 0x3F) | (version << 6));
    EXPECT_FALSE(RtpView::Parse(bad).has_value()) << int{version};
  }
}

TEST(RtpViewTest, CsrcList) {
  // A captured packet with two contributing sources spliced in after the fixed header.
  const Packet base = FirstPacket("h264_ffmpeg_mode0.rtp");
  Packet packet(base.begin(), base.begin() + 12);
  packet[0] |= 2;
  const std::array<uint8_t, 8> csrcs = {0x11, 0x22, 0x33, 0x44, 0xDE, 0xAD, 0xBE, 0xEF};
  packet.insert(packet.end(), csrcs.begin(), csrcs.end());
  packet.insert(packet.end(), base.begin() + 12, base.end());
  const std::optional<RtpView> view = RtpView::Parse(packet);
  ASSERT_TRUE(view.has_value());
  ASSERT_EQ(view->csrc_count(), 2u);
  EXPECT_EQ(view->csrc(0), 0x11223344u);
  EXPECT_EQ(view->csrc(1), 0xDEADBEEFu);
  EXPECT_EQ(view->csrc_bytes().size(), 8u);
  EXPECT_EQ(view->header_size(), 20u);
  EXPECT_EQ(view->payload().size(), base.size() - 12);
  EXPECT_EQ(view->payload()[0], base[12]);
}

TEST(RtpViewTest, RejectsCsrcCountPastEnd) {
  const Packet good = FirstPacket("h264_ffmpeg_mode0.rtp");  // 37 bytes: room for 6 CSRCs
  Packet bad = good;
  bad[0] = (bad[0] & 0xF0) | 7;
  EXPECT_FALSE(RtpView::Parse(bad).has_value());
  bad[0] = (bad[0] & 0xF0) | 15;
  EXPECT_FALSE(RtpView::Parse(bad).has_value());
  bad[0] = (bad[0] & 0xF0) | 6;  // exactly fills the packet: empty payload, still valid
  const std::optional<RtpView> view = RtpView::Parse(bad);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->payload().size(), 1u);
}

TEST(RtpViewTest, RejectsExtensionPastEnd) {
  const Packet good = FirstPacket("h264_gst_stapa_ext.rtp");  // extension length 3 words
  Packet bad = good;
  const size_t words = (good.size() - 12 - 4) / 4;
  bad[14] = static_cast<uint8_t>((words + 1) >> 8);
  bad[15] = static_cast<uint8_t>(words + 1);
  EXPECT_FALSE(RtpView::Parse(bad).has_value());
  bad[14] = 0xFF;
  bad[15] = 0xFF;
  EXPECT_FALSE(RtpView::Parse(bad).has_value());
  bad[14] = static_cast<uint8_t>(words >> 8);  // extension runs exactly to the end
  bad[15] = static_cast<uint8_t>(words);
  const std::optional<RtpView> view = RtpView::Parse(bad);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->header_size(), 16 + 4 * words);
  EXPECT_EQ(view->payload().size(), bad.size() - view->header_size());

  // The X bit on a 12..15-byte packet: no room for the extension header.
  Packet short_packet(good.begin(), good.begin() + 15);
  EXPECT_FALSE(RtpView::Parse(short_packet).has_value());
  Packet no_data(good.begin(), good.begin() + 16);  // header present, 3 words missing
  EXPECT_FALSE(RtpView::Parse(no_data).has_value());
}

TEST(RtpViewTest, Padding) {
  Packet packet = FirstPacket("h264_ffmpeg_mode0.rtp");  // 12 + 25-byte SPS payload
  const size_t payload_size = packet.size() - 12;
  packet[0] |= 0x20;
  // The last byte becomes the padding count.
  for (uint8_t count : {1, 4, 25}) {
    Packet p = packet;
    p.back() = count;
    const std::optional<RtpView> view = RtpView::Parse(p);
    ASSERT_TRUE(view.has_value()) << int{count};
    EXPECT_TRUE(view->has_padding());
    EXPECT_EQ(view->padding_size(), count);
    EXPECT_EQ(view->payload().size(), payload_size - count);
  }
  Packet padding_only = packet;
  padding_only.back() = static_cast<uint8_t>(payload_size);  // a bandwidth probe: all padding
  const std::optional<RtpView> probe = RtpView::Parse(padding_only);
  ASSERT_TRUE(probe.has_value());
  EXPECT_TRUE(probe->payload().empty());

  Packet too_long = packet;
  too_long.back() = static_cast<uint8_t>(payload_size + 1);
  EXPECT_FALSE(RtpView::Parse(too_long).has_value());
  too_long.back() = 0xFF;
  EXPECT_FALSE(RtpView::Parse(too_long).has_value());
  Packet zero = packet;
  zero.back() = 0;
  EXPECT_FALSE(RtpView::Parse(zero).has_value());
  // P set on a bare 12-byte header: the count byte would be inside the header.
  Packet bare(packet.begin(), packet.begin() + 12);
  EXPECT_FALSE(RtpView::Parse(bare).has_value());
}

// RFC 8285 §4.3 two-byte form, after a captured fixed header: id 1 with 0 bytes, padding,
// id 200 with 3 bytes, padding to the word boundary.
TEST(RtpViewTest, TwoByteExtensionElements) {
  const Packet base = FirstPacket("h264_ffmpeg_mode0.rtp");
  Packet packet(base.begin(), base.begin() + 12);
  packet[0] |= 0x10;
  const std::array<uint8_t, 12> extension = {0x10, 0x05, 0x00, 0x02,  // profile 0x1005, 2 words
                                             0x01, 0x00, 0x00, 0xC8, 0x03, 0xAA, 0xBB, 0xCC};
  packet.insert(packet.end(), extension.begin(), extension.end());
  packet.insert(packet.end(), base.begin() + 12, base.end());
  const std::optional<RtpView> view = RtpView::Parse(packet);
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->has_two_byte_extensions());
  EXPECT_EQ(view->extension_profile(), 0x1005);
  const std::optional<std::span<const uint8_t>> empty = view->FindExtension(1);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  const std::optional<std::span<const uint8_t>> big_id = view->FindExtension(200);
  ASSERT_TRUE(big_id.has_value());
  ASSERT_EQ(big_id->size(), 3u);
  EXPECT_EQ((*big_id)[2], 0xCC);
  EXPECT_EQ(view->payload()[0], base[12]);

  // An element running past the block is malformed; the packet still parses.
  packet[12 + 4 + 4] = 0x09;
  const std::optional<RtpView> broken = RtpView::Parse(packet);
  ASSERT_TRUE(broken.has_value());
  RtpExtensionReader reader = broken->extensions();
  EXPECT_TRUE(reader.Next().has_value());  // id 1
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_TRUE(reader.malformed());
  EXPECT_FALSE(broken->FindExtension(200).has_value());
}

TEST(RtpViewTest, OneByteExtensionEdgeCases) {
  const Packet base = FirstPacket("h264_ffmpeg_mode0.rtp");
  auto with_extension = [&](std::array<uint8_t, 8> block) {
    Packet packet(base.begin(), base.begin() + 12);
    packet[0] |= 0x10;
    const std::array<uint8_t, 4> header = {0xBE, 0xDE, 0x00, 0x02};
    packet.insert(packet.end(), header.begin(), header.end());
    packet.insert(packet.end(), block.begin(), block.end());
    packet.insert(packet.end(), base.begin() + 12, base.end());
    return packet;
  };
  // id 15 stops processing (§4.2); what follows is not read.
  Packet stop = with_extension({0x20, 0x7F, 0xF0, 0x31, 0x00, 0x00, 0x00, 0x00});
  std::optional<RtpView> view = RtpView::Parse(stop);
  ASSERT_TRUE(view.has_value());
  ASSERT_TRUE(view->FindExtension(2).has_value());
  EXPECT_FALSE(view->FindExtension(3).has_value());
  // A length running past the block.
  Packet overrun = with_extension({0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2F});
  view = RtpView::Parse(overrun);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->FindExtension(2).has_value());
  RtpExtensionReader reader = view->extensions();
  EXPECT_FALSE(reader.Next().has_value());
  EXPECT_TRUE(reader.malformed());
  // Another profile: no RFC 8285 elements to read.
  Packet other = with_extension({0x20, 0x7F, 0, 0, 0, 0, 0, 0});
  other[13] = 0xDF;
  view = RtpView::Parse(other);
  ASSERT_TRUE(view.has_value());
  EXPECT_FALSE(view->has_one_byte_extensions());
  EXPECT_FALSE(view->FindExtension(2).has_value());
}

TEST(RtcpDemuxTest, Rfc5761PayloadTypeRange) {
  // ffmpeg's RTCP sender report for the stream it sent alongside (rtcp_ffmpeg_sr.rtp).
  const Packet sr = FirstPacket("rtcp_ffmpeg_sr.rtp");
  ASSERT_EQ(sr.size(), 28u);
  EXPECT_EQ(sr[1], 200);
  EXPECT_TRUE(IsRtcpPacketType(sr[1]));
  EXPECT_TRUE(LooksLikeRtcp(sr));
  EXPECT_FALSE(LooksLikeRtcp(std::span<const uint8_t>(sr.data(), 3)));
  for (int second = 0; second < 256; ++second) {
    const int pt = second & 0x7F;
    EXPECT_EQ(IsRtcpPacketType(static_cast<uint8_t>(second)), pt >= 64 && pt <= 95) << second;
  }
  EXPECT_TRUE(IsRtcpPacketType(192));  // FIR (RFC 2032)
  EXPECT_TRUE(IsRtcpPacketType(205));  // RTPFB
  EXPECT_TRUE(IsRtcpPacketType(206));  // PSFB
  EXPECT_TRUE(IsRtcpPacketType(223));
  EXPECT_FALSE(IsRtcpPacketType(224));
  EXPECT_FALSE(IsRtcpPacketType(96));         // H.264 PT 96, marker clear
  EXPECT_FALSE(IsRtcpPacketType(0x80 | 96));  // and set
  EXPECT_FALSE(IsRtcpPacketType(0x80 | 111));
}

// RtpHeaderWriter reproduces the headers ffmpeg and GStreamer wrote.
TEST(RtpHeaderWriterTest, ReproducesCapturedFixedHeader) {
  for (const Packet& packet : ReadCapture("h264_ffmpeg_fua.rtp")) {
    const std::optional<RtpView> view = RtpView::Parse(packet);
    ASSERT_TRUE(view.has_value());
    std::array<uint8_t, 64> out{};
    RtpHeaderWriter writer(out, {.marker = view->marker(),
                                 .payload_type = view->payload_type(),
                                 .sequence_number = view->sequence_number(),
                                 .timestamp = view->timestamp(),
                                 .ssrc = view->ssrc()});
    ASSERT_TRUE(writer.ok());
    ASSERT_EQ(writer.Finish(), 12u);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + 12, packet.begin()));
  }
}

TEST(RtpHeaderWriterTest, ReproducesCapturedOneByteExtension) {
  const Packet packet = FirstPacket("h264_gst_stapa_ext.rtp");
  const std::optional<RtpView> view = RtpView::Parse(packet);
  ASSERT_TRUE(view.has_value());
  std::array<uint8_t, 64> out{};
  RtpHeaderWriter writer(out, {.marker = view->marker(),
                               .payload_type = view->payload_type(),
                               .sequence_number = view->sequence_number(),
                               .timestamp = view->timestamp(),
                               .ssrc = view->ssrc()});
  ASSERT_TRUE(writer.AddExtension(1, *view->FindExtension(1)));
  ASSERT_EQ(writer.Finish(), 28u);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 28, packet.begin()));
  EXPECT_EQ(writer.Finish(), 28u);                                // idempotent
  EXPECT_FALSE(writer.AddExtension(2, *view->FindExtension(1)));  // after Finish
}

TEST(RtpHeaderWriterTest, TwoByteFormAndLimits) {
  std::array<uint8_t, 40> out{};
  RtpHeaderWriter writer(out, {.marker = true,
                               .payload_type = 102,
                               .sequence_number = 65535,
                               .timestamp = 0xFFFFFFFFu,
                               .ssrc = 1});
  writer.UseTwoByteExtensions();
  const std::array<uint8_t, 17> long_data = {1,  2,  3,  4,  5,  6,  7,  8, 9,
                                             10, 11, 12, 13, 14, 15, 16, 17};
  EXPECT_TRUE(writer.AddExtension(200, long_data));
  EXPECT_TRUE(writer.AddExtension(3, {}));
  EXPECT_FALSE(writer.AddExtension(4, long_data));  // 12 + 4 + 19 + 2 + 19 + pad > 40
  EXPECT_FALSE(writer.AddExtension(0, {}));
  const size_t size = writer.Finish();
  ASSERT_EQ(size, 12u + 4u + 24u);
  const std::optional<RtpView> view = RtpView::Parse(std::span<const uint8_t>(out.data(), size));
  ASSERT_TRUE(view.has_value());
  EXPECT_TRUE(view->marker());
  EXPECT_EQ(view->payload_type(), 102);
  EXPECT_EQ(view->sequence_number(), 65535);
  EXPECT_EQ(view->timestamp(), 0xFFFFFFFFu);
  EXPECT_EQ(view->extension_profile(), kTwoByteExtensionProfile);
  ASSERT_TRUE(view->FindExtension(200).has_value());
  EXPECT_EQ(view->FindExtension(200)->size(), 17u);
  ASSERT_TRUE(view->FindExtension(3).has_value());
  EXPECT_TRUE(view->FindExtension(3)->empty());
  EXPECT_TRUE(view->payload().empty());

  // One-byte form limits: ids 1..14, 1..16 bytes.
  std::array<uint8_t, 64> out2{};
  RtpHeaderWriter one_byte(out2, {});
  const std::array<uint8_t, 1> one = {7};
  EXPECT_FALSE(one_byte.AddExtension(15, one));
  EXPECT_FALSE(one_byte.AddExtension(1, {}));
  EXPECT_FALSE(one_byte.AddExtension(1, long_data));
  EXPECT_TRUE(one_byte.AddExtension(14, one));
  one_byte.UseTwoByteExtensions();  // too late: ignored
  EXPECT_FALSE(one_byte.AddExtension(200, one));
  EXPECT_EQ(one_byte.Finish(), 12u + 4u + 4u);
  EXPECT_EQ(out2[12], 0xBE);
  EXPECT_EQ(out2[16], 0xE0);
  EXPECT_EQ(out2[17], 7);

  // Too small, or payload type out of range.
  std::array<uint8_t, 11> tiny{};
  RtpHeaderWriter too_small(tiny, {});
  EXPECT_FALSE(too_small.ok());
  EXPECT_EQ(too_small.Finish(), 0u);
  EXPECT_FALSE(too_small.AddExtension(1, one));
  RtpHeaderWriter bad_pt(out2, {.payload_type = 128});
  EXPECT_FALSE(bad_pt.ok());
  std::array<uint8_t, 12> exact{};
  RtpHeaderWriter no_room(exact, {});
  EXPECT_TRUE(no_room.ok());
  EXPECT_FALSE(no_room.AddExtension(1, one));
  EXPECT_EQ(no_room.Finish(), 12u);
}

}  // namespace
}  // namespace ringcast::rtp
