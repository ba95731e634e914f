// Tests for rtp/transport_sequence.h: the transport-wide sequence number element in the one-byte
// and two-byte forms, next to other elements and padding, built by hand from RFC 8285 §4.2/§4.3;
// wrong ids and sizes; and a real GStreamer packet whose id 1 element is another extension.
#include "rtp/transport_sequence.h"

#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp {
namespace {

// A 12-byte header (seq 7, ts 0x01020304, SSRC 0x0A0B0C0D, PT 111) with the X bit set.
std::vector<uint8_t> Header() {
  return {0x90, 0x6F, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D};
}

TEST(TransportSequenceTest, OneByteForm) {
  // 0xBEDE, 2 words: a padding byte, then id 5 (audio level, 1 byte: 0x50 0x2A), then id 3 with
  // length field 1 (2 bytes: 0x31 0x12 0x34), then one byte of padding.
  std::vector<uint8_t> packet = Header();
  const uint8_t extension[] = {0xBE, 0xDE, 0x00, 0x02, 0x00, 0x50,
                               0x2A, 0x31, 0x12, 0x34, 0x00, 0x00};
  packet.insert(packet.end(), std::begin(extension), std::end(extension));
  packet.push_back(0xF8);  // payload
  EXPECT_EQ(ReadTransportSequence(packet, 3), std::optional<uint16_t>(0x1234));
  EXPECT_EQ(ReadTransportSequence(packet, 5), std::nullopt);  // 1 byte: not this extension
  EXPECT_EQ(ReadTransportSequence(packet, 4), std::nullopt);  // absent
  EXPECT_EQ(ReadTransportSequence(packet, 0), std::nullopt);
}

TEST(TransportSequenceTest, TwoByteForm) {
  // 0x1000, 2 words: id 200 length 2 (0xFF 0xFE), then id 1 length 0, then padding.
  std::vector<uint8_t> packet = Header();
  const uint8_t extension[] = {0x10, 0x00, 0x00, 0x02, 200, 2, 0xFF, 0xFE, 0x01, 0x00, 0x00, 0x00};
  packet.insert(packet.end(), std::begin(extension), std::end(extension));
  EXPECT_EQ(ReadTransportSequence(packet, 200), std::optional<uint16_t>(0xFFFE));
  EXPECT_EQ(ReadTransportSequence(packet, 1), std::nullopt);  // 0 bytes
}

TEST(TransportSequenceTest, MalformedOrAbsent) {
  // No X bit.
  std::vector<uint8_t> plain = Header();
  plain[0] = 0x80;
  EXPECT_EQ(ReadTransportSequence(plain, 3), std::nullopt);
  // An element that runs past its block hides everything from there.
  std::vector<uint8_t> packet = Header();
  const uint8_t extension[] = {0xBE, 0xDE, 0x00, 0x01, 0x31, 0x12, 0x34, 0x3F};
  packet.insert(packet.end(), std::begin(extension), std::end(extension));
  EXPECT_EQ(ReadTransportSequence(packet, 3), std::optional<uint16_t>(0x1234));
  packet.back() = 0x23;  // the last byte: id 2 with 4 bytes, past the end
  EXPECT_EQ(ReadTransportSequence(packet, 2), std::nullopt);
  // Not RTP at all.
  const std::vector<uint8_t> garbage = {0x00, 0x01, 0x02};
  EXPECT_EQ(ReadTransportSequence(garbage, 3), std::nullopt);
}

TEST(TransportSequenceTest, WriterRoundTrip) {
  for (bool two_byte : {false, true}) {
    std::vector<uint8_t> packet(64);
    RtpHeaderWriter writer(packet, {.payload_type = 96, .sequence_number = 1, .ssrc = 2});
    if (two_byte) writer.UseTwoByteExtensions();
    const uint8_t mid[] = {'0'};
    ASSERT_TRUE(writer.AddExtension(4, mid));
    ASSERT_TRUE(AddTransportSequence(writer, 9, 65535));
    const size_t size = writer.Finish();
    ASSERT_GT(size, 0u);
    packet.resize(size);
    EXPECT_EQ(ReadTransportSequence(packet, 9), std::optional<uint16_t>(65535)) << two_byte;
  }
  // The one-byte form has no id 15.
  std::vector<uint8_t> packet(64);
  RtpHeaderWriter writer(packet, {.payload_type = 96});
  EXPECT_FALSE(AddTransportSequence(writer, 15, 1));
}

TEST(TransportSequenceTest, CapturedPacketWithAnotherExtension) {
  // GStreamer's ntp-64 extension on id 1 (8 bytes): not a transport-wide sequence number.
  const std::vector<testing::Packet> packets = testing::ReadCapture("h264_gst_stapa_ext.rtp");
  ASSERT_FALSE(packets.empty());
  const std::optional<RtpView> view = RtpView::Parse(packets[0]);
  ASSERT_TRUE(view.has_value());
  ASSERT_TRUE(view->FindExtension(1).has_value());
  EXPECT_EQ(ReadTransportSequence(*view, 1), std::nullopt);
  EXPECT_EQ(ReadTransportSequence(*view, 2), std::nullopt);
}

}  // namespace
}  // namespace ringcast::rtp
