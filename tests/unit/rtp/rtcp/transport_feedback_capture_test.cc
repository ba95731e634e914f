// Transport-wide congestion control against a real implementation: GStreamer's rtpbin receiving
// H.264 with the transport-wide sequence number extension (id 3) through lossy_relay.py, which
// dropped every 7th datagram after the first 30, and sending transport-wide feedback
// (tests/data/rtcp/README.md: gst_twcc.rtp is what the receiver sent, gst_twcc_sent.rtp what the
// sender sent before the relay).
//
// Checked: our extension reader finds consecutive numbers on every sent packet; every feedback
// message parses, counts up from 0, names the sender's SSRC, and reports exactly the relay's
// drops as not received; and TransportFeedbackBuilder, given the arrivals GStreamer reported,
// writes every message byte for byte as GStreamer did: the same reference time, chunk choices,
// deltas and zero padding.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/transport_feedback.h"
#include "rtp/rtp_packet.h"
#include "rtp/transport_sequence.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp::rtcp {
namespace {

using ::ringcast::rtp::testing::Packet;
using ::ringcast::rtp::testing::ReadCapture;

constexpr uint8_t kExtensionId = 3;  // extmap-3 in both pipelines' caps
constexpr uint32_t kMediaSsrc = 0x2649f58a;
constexpr uint32_t kFeedbackSenderSsrc = 0x44bd7aa5;

// lossy_relay.py 43110 43100 7: the relay counts datagrams from 1 and drops every 7th after 30.
bool Dropped(size_t index) {
  const size_t count = index + 1;
  return count > 30 && count % 7 == 0;
}

// Every transport-wide feedback block of the capture, in order, with its bytes (views into
// `datagrams`, which the caller keeps).
struct Message {
  TransportFeedbackView view;
  std::span<const uint8_t> bytes;
};
std::vector<Message> FeedbackMessages(const std::vector<Packet>& datagrams) {
  std::vector<Message> messages;
  for (const Packet& datagram : datagrams) {
    CompoundReader reader(datagram);
    while (std::optional<Block> block = reader.Next()) {
      if (block->packet_type() != kPacketTypeRtpfb) continue;
      const std::optional<TransportFeedbackView> view = TransportFeedbackView::Parse(*block);
      EXPECT_TRUE(view.has_value());
      if (view) messages.push_back({*view, block->bytes()});
    }
    EXPECT_FALSE(reader.malformed());
  }
  return messages;
}

uint16_t FirstSent(const std::vector<Packet>& sent) {
  const std::optional<uint16_t> first = ReadTransportSequence(sent.at(0), kExtensionId);
  EXPECT_TRUE(first.has_value());
  return first.value_or(0);
}

TEST(TransportFeedbackCaptureTest, SentPacketsCarryConsecutiveNumbers) {
  const std::vector<Packet> sent = ReadCapture("../rtcp/gst_twcc_sent.rtp");
  ASSERT_EQ(sent.size(), 215u);
  const uint16_t first = FirstSent(sent);
  EXPECT_EQ(first, 19002);
  for (size_t i = 0; i < sent.size(); ++i) {
    const std::optional<RtpView> view = RtpView::Parse(sent[i]);
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(view->ssrc(), kMediaSsrc);
    EXPECT_EQ(ReadTransportSequence(*view, kExtensionId),
              std::optional<uint16_t>(static_cast<uint16_t>(first + i)))
        << i;
    EXPECT_EQ(ReadTransportSequence(*view, 1), std::nullopt);
  }
}

TEST(TransportFeedbackCaptureTest, GstreamerFeedbackReportsTheRelaysDrops) {
  const std::vector<Packet> sent = ReadCapture("../rtcp/gst_twcc_sent.rtp");
  const uint16_t first = FirstSent(sent);
  const std::vector<Packet> datagrams = ReadCapture("../rtcp/gst_twcc.rtp");
  const std::vector<Message> messages = FeedbackMessages(datagrams);
  ASSERT_EQ(messages.size(), 34u);
  size_t reported_lost = 0;
  size_t reported = 0;
  for (size_t m = 0; m < messages.size(); ++m) {
    const TransportFeedbackView& view = messages[m].view;
    EXPECT_EQ(view.feedback_count(), m);
    EXPECT_EQ(view.sender_ssrc(), kFeedbackSenderSsrc);
    EXPECT_EQ(view.media_ssrc(), kMediaSsrc);
    TransportFeedbackReader reader = view.packets();
    while (std::optional<TransportFeedbackPacket> packet = reader.Next()) {
      const size_t index = static_cast<uint16_t>(packet->seq - first);
      ASSERT_LT(index, sent.size());
      EXPECT_EQ(packet->received, !Dropped(index)) << packet->seq;
      if (!packet->received) ++reported_lost;
      ++reported;
    }
  }
  // GStreamer starts each message at a received packet, so a drop right after a message is
  // never reported: 20 of the 26 drops are. The last packets went out after its last message.
  EXPECT_EQ(reported_lost, 20u);
  EXPECT_EQ(reported, 200u);
}

TEST(TransportFeedbackCaptureTest, BuilderWritesWhatGstreamerWrote) {
  const std::vector<Packet> datagrams = ReadCapture("../rtcp/gst_twcc.rtp");
  const std::vector<Message> messages = FeedbackMessages(datagrams);
  ASSERT_FALSE(messages.empty());
  for (const Message& message : messages) {
    const TransportFeedbackView& view = message.view;
    TransportFeedbackBuilder builder(1200);
    bool started = false;
    TransportFeedbackReader reader = view.packets();
    while (std::optional<TransportFeedbackPacket> packet = reader.Next()) {
      if (!packet->received) continue;
      const int64_t arrival_ns = packet->arrival_ticks * kTransportDeltaTickNs;
      if (!started) builder.Reset(view.base_seq(), arrival_ns, view.feedback_count());
      started = true;
      ASSERT_TRUE(builder.AddReceived(packet->seq, arrival_ns));
    }
    std::vector<uint8_t> ours(1200);
    ours.resize(builder.Write(ours, view.sender_ssrc(), view.media_ssrc()));
    const std::vector<uint8_t> theirs(message.bytes.begin(), message.bytes.end());
    EXPECT_EQ(ours, theirs) << "feedback count " << int{view.feedback_count()};
  }
}

}  // namespace
}  // namespace ringcast::rtp::rtcp
