// TrackSender on a real ffmpeg H.264 capture (tests/data/rtp/h264_ffmpeg_fua.rtp: 56 packets,
// 2 GOPs, IDR access units at #0 and #28, source sequence numbers wrapping at #36).
#include "net/webrtc/track_sender.h"

#include <vector>

#include "core/clock.h"
#include "gtest/gtest.h"
#include "rtp/rtp_packet.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::net::webrtc {
namespace {

using rtp::testing::ReadCapture;

constexpr int64_t kT0 = 1'000'000'000'000;

struct Sent {
  uint64_t track_seq;
  uint16_t seq;
  uint32_t timestamp;
  uint32_t source_timestamp;
  bool retransmission;
};

// Plays the session's part: sends (records) whatever the sender says is due or resends.
class Recorder {
 public:
  // Everything due at `now`; when the next catch-up packet is due (nullopt: none waiting).
  std::optional<int64_t> Pump(TrackSender& sender, int64_t now) {
    while (std::optional<Outgoing> out = sender.Next(now)) Record(*out, false);
    return sender.next_due_ns();
  }
  TrackSender::Resend Resend(const TrackSender& sender, uint16_t seq) {
    TrackSender::Retransmission again = sender.Retransmit(seq);
    if (again.result == TrackSender::Resend::kSent) Record(again.out, true);
    return again.result;
  }
  void Record(const Outgoing& out, bool retransmission) {
    sent.push_back({out.packet.seq, out.seq, out.timestamp, out.packet.timestamp, retransmission});
  }
  std::vector<Sent> sent;
};

class TrackSenderTest : public ::testing::Test {
 protected:
  TrackSenderTest()
      : packets_(ReadCapture("h264_ffmpeg_fua.rtp")),
        track_(rtp::TrackOptions{.codec = rtp::KeyframeCodec::kH264, .ssrc = 0x11223344}) {}

  // Feeds capture packets [from, to) as they arrived, 33 ms per frame is not needed: the
  // History keys on sequence numbers.
  void Ingest(size_t from, size_t to, int64_t now = kT0) {
    for (size_t i = from; i < to; ++i) {
      std::optional<rtp::RtpView> view = rtp::RtpView::Parse(packets_[i]);
      ASSERT_TRUE(view);
      track_.Ingest(*view, now);
    }
  }
  uint32_t SourceTs(size_t i) const { return rtp::RtpView::Parse(packets_[i])->timestamp(); }

  TrackSenderOptions Options(bool fast_start = true) {
    TrackSenderOptions options;
    options.ssrc = 0xABCDEF01;
    options.payload_type = 102;
    options.fast_start = fast_start;
    options.first_seq = 1000;
    options.first_timestamp = 5000;
    return options;
  }

  std::vector<rtp::testing::Packet> packets_;
  rtp::Track track_;
  Recorder sink_;
};

TEST_F(TrackSenderTest, FastStartSendsTheRunSinceTheLastKeyframeCompressedThenGoesLive) {
  Ingest(0, 41);
  ASSERT_EQ(track_.history().last_keyframe_seq(), track_.history().begin_seq() + 28);
  TrackSender sender(track_, Options());
  sender.Start(kT0);
  std::optional<int64_t> due = sink_.Pump(sender, kT0);
  ASSERT_FALSE(sink_.sent.empty());
  // At once: the keyframe's access unit (everything with its timestamp), nothing later.
  uint32_t keyframe_ts = SourceTs(28);
  for (const Sent& sent : sink_.sent) EXPECT_EQ(sent.source_timestamp, keyframe_ts);
  EXPECT_EQ(sink_.sent.front().track_seq, track_.history().begin_seq() + 28);
  EXPECT_EQ(sink_.sent.front().seq, 1000);
  EXPECT_EQ(sink_.sent.front().timestamp, 5000u);
  ASSERT_TRUE(due);
  EXPECT_GT(*due, kT0);
  EXPECT_FALSE(sender.live());

  // The next frame is due a quarter of its real distance later.
  size_t next = 28;
  while (SourceTs(next) == keyframe_ts) ++next;
  int64_t media_ns = int64_t{SourceTs(next) - keyframe_ts} * core::kNsPerSec / 90000;
  EXPECT_EQ(*due, kT0 + media_ns / kCatchUpSpeed);

  // Later: the rest of the run, with timestamps compressed by kCatchUpSpeed, then live.
  EXPECT_FALSE(sink_.Pump(sender, kT0 + 10 * core::kNsPerSec));
  EXPECT_TRUE(sender.live());
  ASSERT_EQ(sink_.sent.size(), 41u - 28u);
  for (size_t i = 0; i < sink_.sent.size(); ++i) {
    const Sent& sent = sink_.sent[i];
    EXPECT_EQ(sent.seq, 1000 + i);
    EXPECT_EQ(sent.timestamp, 5000 + (sent.source_timestamp - keyframe_ts) / kCatchUpSpeed);
    EXPECT_FALSE(sent.retransmission);
  }
  EXPECT_EQ(sender.catch_up_packets(), 13u);

  // Live packets continue the timeline by their real timestamp difference.
  Ingest(41, 56);
  sink_.Pump(sender, kT0 + 11 * core::kNsPerSec);
  ASSERT_EQ(sink_.sent.size(), 56u - 28u);
  for (size_t i = 13; i < sink_.sent.size(); ++i) {
    const Sent& sent = sink_.sent[i];
    const Sent& previous = sink_.sent[i - 1];
    EXPECT_EQ(sent.seq, static_cast<uint16_t>(previous.seq + 1));
    EXPECT_EQ(sent.timestamp - previous.timestamp,
              sent.source_timestamp - previous.source_timestamp);
  }
}

TEST_F(TrackSenderTest, WithoutFastStartVideoWaitsForTheNextKeyframe) {
  Ingest(0, 20);
  TrackSender sender(track_, Options(/*fast_start=*/false));
  sender.Start(kT0);
  EXPECT_FALSE(sink_.Pump(sender, kT0));
  Ingest(20, 28);
  sink_.Pump(sender, kT0);
  EXPECT_TRUE(sink_.sent.empty());  // still the first GOP's P frames
  Ingest(28, 35);
  sink_.Pump(sender, kT0);
  ASSERT_FALSE(sink_.sent.empty());
  EXPECT_EQ(sink_.sent.front().track_seq, track_.history().begin_seq() + 28);
  EXPECT_EQ(sink_.sent.front().timestamp, 5000u);
  EXPECT_EQ(sink_.sent.size(), 7u);
  EXPECT_TRUE(sender.live());
}

TEST_F(TrackSenderTest, FastStartWithNoKeyframeYetWaitsForOne) {
  Ingest(5, 20);  // joined the source mid-GOP: no keyframe in the History
  TrackSender sender(track_, Options());
  sender.Start(kT0);
  sink_.Pump(sender, kT0);
  EXPECT_TRUE(sink_.sent.empty());
  Ingest(20, 30);
  sink_.Pump(sender, kT0);
  ASSERT_FALSE(sink_.sent.empty());
  EXPECT_EQ(sink_.sent.front().source_timestamp, SourceTs(28));
}

TEST_F(TrackSenderTest, AudioStartsWithTheNextPacket) {
  rtp::Track audio(rtp::TrackOptions{.codec = rtp::KeyframeCodec::kNone, .clock_rate = 48000});
  for (size_t i = 0; i < 10; ++i) audio.Ingest(*rtp::RtpView::Parse(packets_[i]), kT0);
  TrackSender sender(audio, Options());
  sender.Start(kT0);
  sink_.Pump(sender, kT0);
  EXPECT_TRUE(sink_.sent.empty());
  audio.Ingest(*rtp::RtpView::Parse(packets_[10]), kT0);
  sink_.Pump(sender, kT0);
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_EQ(sink_.sent[0].seq, 1000);
  EXPECT_EQ(sink_.sent[0].timestamp, 5000u);
}

// The viewer's numbering wraps (first_seq 65530) and so does the source's (#36): a NACK names
// the viewer's 16-bit number and gets the stored packet again with the same number and
// timestamp.
TEST_F(TrackSenderTest, NackIsServedFromTheHistoryAcrossTheSequenceWrap) {
  Ingest(28, 56);
  TrackSenderOptions options = Options();
  options.first_seq = 65530;
  TrackSender fast(track_, options);
  fast.Start(kT0);
  sink_.Pump(fast, kT0 + 60 * core::kNsPerSec);
  ASSERT_EQ(sink_.sent.size(), 28u);
  EXPECT_EQ(sink_.sent[5].seq, 65535);
  EXPECT_EQ(sink_.sent[6].seq, 0);
  std::vector<Sent> original = sink_.sent;
  sink_.sent.clear();
  for (uint16_t seq : {uint16_t{65531}, uint16_t{65535}, uint16_t{0}, uint16_t{7}}) {
    EXPECT_EQ(sink_.Resend(fast, seq), TrackSender::Resend::kSent) << seq;
  }
  ASSERT_EQ(sink_.sent.size(), 4u);
  const size_t index[] = {1, 5, 6, 13};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(sink_.sent[i].seq, original[index[i]].seq);
    EXPECT_EQ(sink_.sent[i].timestamp, original[index[i]].timestamp);
    EXPECT_EQ(sink_.sent[i].track_seq, original[index[i]].track_seq);
    EXPECT_TRUE(sink_.sent[i].retransmission);
  }
  // Never sent: ahead of the newest, or before the first.
  EXPECT_EQ(sink_.Resend(fast, static_cast<uint16_t>(original.back().seq + 1)),
            TrackSender::Resend::kNotSent);
  EXPECT_EQ(sink_.Resend(fast, 65529), TrackSender::Resend::kNotSent);
}

TEST_F(TrackSenderTest, NackForAPacketTheSourceNeverDeliveredIsGone) {
  Ingest(28, 40);
  Ingest(41, 50);  // #40 lost on the way in
  TrackSender sender(track_, Options());
  sender.Start(kT0);
  sink_.Pump(sender, kT0 + 60 * core::kNsPerSec);
  ASSERT_EQ(sink_.sent.size(), 21u);
  // The hole shows as a gap in the viewer's numbering; its NACK finds nothing.
  EXPECT_EQ(sink_.sent[11].seq, 1011);  // #39
  EXPECT_EQ(sink_.sent[12].seq, 1013);  // #41
  EXPECT_EQ(sink_.Resend(sender, 1012), TrackSender::Resend::kGone);
  EXPECT_EQ(sink_.Resend(sender, 1013), TrackSender::Resend::kSent);
}

// Live, the packet the track just appended is what goes out: the sender does not look it up in
// the History again (the Outgoing views the bytes it was handed).
TEST_F(TrackSenderTest, LivePacketsAreTheAppendedOnesNotLookedUpAgain) {
  Ingest(28, 50);
  TrackSender sender(track_, Options());
  sender.Start(kT0);
  sink_.Pump(sender, kT0 + 60 * core::kNsPerSec);  // the catch-up is long due: all of it, live
  ASSERT_TRUE(sender.live());
  Ingest(50, 51);
  std::optional<rtp::HistoryPacket> stored = track_.history().Find(track_.history().end_seq() - 1);
  ASSERT_TRUE(stored);
  std::vector<uint8_t> copy(stored->bytes.begin(), stored->bytes.end());
  rtp::HistoryPacket appended = *stored;
  appended.bytes = copy;
  std::optional<Outgoing> out = sender.Next(kT0 + 60 * core::kNsPerSec, &appended);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->packet.bytes.data(), copy.data());
  EXPECT_EQ(out->packet.seq, stored->seq);
  EXPECT_FALSE(sender.Next(kT0 + 60 * core::kNsPerSec, &appended));
}

TEST_F(TrackSenderTest, SenderReportTimestampAdvancesWithTheClock) {
  Ingest(28, 56);
  TrackSender sender(track_, Options());
  EXPECT_EQ(sender.RtpTimestampAt(kT0), 5000u);  // nothing sent yet
  sender.Start(kT0);
  sink_.Pump(sender, kT0 + 60 * core::kNsPerSec);
  uint32_t last = sink_.sent.back().timestamp;
  EXPECT_EQ(sender.RtpTimestampAt(kT0 + 60 * core::kNsPerSec), last);
  EXPECT_EQ(sender.RtpTimestampAt(kT0 + 61 * core::kNsPerSec), last + 90000);
  EXPECT_EQ(sender.packets_sent(), 28u);
  // RFC 3550 §6.4.1: payload octets, without headers and padding.
  uint64_t payload = 0;
  for (size_t i = 28; i < 56; ++i) payload += rtp::RtpView::Parse(packets_[i])->payload().size();
  EXPECT_EQ(sender.payload_bytes_sent(), payload);
}

}  // namespace
}  // namespace ringcast::net::webrtc
