// Track on real captured streams: keyframes found once per access unit at the right packet,
// parameter sets cached, the output numbering continuous across a source restart, readers fed.
#include "rtp/track.h"

#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "rtp/codec/h264.h"
#include "rtp/codec/keyframe.h"
#include "tests/unit/rtp/capture.h"

namespace ringcast::rtp {
namespace {

using testing::Packet;
using testing::ReadCapture;

constexpr int64_t kMs = 1'000'000;

TrackOptions H264Options() {
  TrackOptions options;
  options.codec = KeyframeCodec::kH264;
  options.clock_rate = 90000;
  options.ssrc = 0x11223344;
  return options;
}

class RecordingReader final : public TrackReader {
 public:
  void OnTrackPacket(Track& track, const HistoryPacket& packet) override {
    seqs.push_back(packet.seq);
    if (remove_after > 0 && seqs.size() == remove_after) track.RemoveReader(this);
  }
  std::vector<uint64_t> seqs;
  size_t remove_after = 0;
};

TEST(TrackTest, FindsEachKeyframeOnceAtTheStartOfItsAccessUnit) {
  std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  std::set<uint32_t> idr_timestamps;  // access units that carry an IDR, by the codec layer
  for (const Packet& bytes : packets) {
    std::optional<RtpView> view = RtpView::Parse(bytes);
    ASSERT_TRUE(view);
    if (rtp::IsKeyframe(rtp::KeyframeCodec::kH264, view->payload()))
      idr_timestamps.insert(view->timestamp());
  }
  ASSERT_FALSE(idr_timestamps.empty());

  Track track(H264Options());
  int64_t now = 0;
  for (const Packet& bytes : packets) track.Ingest(*RtpView::Parse(bytes), now += kMs);
  EXPECT_EQ(track.stats().packets, packets.size());
  EXPECT_EQ(track.stats().lost, 0u);
  EXPECT_EQ(track.stats().keyframes, idr_timestamps.size());

  // The newest keyframe is the first packet of its access unit a decoder can start at.
  const History& history = track.history();
  std::optional<uint64_t> keyframe = history.last_keyframe_seq();
  ASSERT_TRUE(keyframe);
  std::optional<HistoryPacket> first = history.Find(*keyframe);
  ASSERT_TRUE(first);
  EXPECT_TRUE(idr_timestamps.count(first->timestamp));
  std::optional<HistoryPacket> before = history.Find(*keyframe - 1);
  if (before && before->timestamp == first->timestamp) {
    EXPECT_FALSE(
        rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, RtpView::Parse(before->bytes)->payload()));
  }
  EXPECT_TRUE(
      rtp::StartsKeyframe(rtp::KeyframeCodec::kH264, RtpView::Parse(first->bytes)->payload()));

  ASSERT_EQ(track.parameter_sets().size(), 2u);
  ASSERT_FALSE(track.parameter_sets()[0].empty());
  ASSERT_FALSE(track.parameter_sets()[1].empty());
  EXPECT_EQ(track.parameter_sets()[0][0] & 0x1f, 7);  // SPS
  EXPECT_EQ(track.parameter_sets()[1][0] & 0x1f, 8);  // PPS
}

TEST(TrackTest, StoredPacketsCarryTheTracksSsrcAndOtherwiseTheSourceBytes) {
  std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  Track track(H264Options());
  std::optional<RtpView> source = RtpView::Parse(packets[5]);
  for (size_t i = 0; i <= 5; ++i) track.Ingest(*RtpView::Parse(packets[i]), 0);
  std::optional<HistoryPacket> stored = track.history().Find(track.history().end_seq() - 1);
  ASSERT_TRUE(stored);
  std::optional<RtpView> out = RtpView::Parse(stored->bytes);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->ssrc(), 0x11223344u);
  EXPECT_EQ(out->sequence_number(), source->sequence_number());  // first source keeps its numbers
  EXPECT_EQ(out->timestamp(), source->timestamp());
  EXPECT_TRUE(std::equal(out->payload().begin(), out->payload().end(), source->payload().begin(),
                         source->payload().end()));
}

// A publisher reconnects: new SSRC, new random sequence and timestamp. Readers must see the same
// SSRC, the next sequence number and a timestamp advanced by the time that passed.
TEST(TrackTest, SourceRestartKeepsTheOutputContinuous) {
  std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  ASSERT_GT(packets.size(), 20u);
  Track track(H264Options());
  size_t half = packets.size() / 2;
  int64_t now = 0;
  for (size_t i = 0; i < half; ++i) track.Ingest(*RtpView::Parse(packets[i]), now += kMs);
  uint64_t last_seq = track.history().end_seq() - 1;
  uint32_t last_ts = track.history().Find(last_seq)->timestamp;

  now += 500 * kMs;  // half a second without packets
  for (size_t i = half; i < packets.size(); ++i) {
    Packet moved = packets[i];
    // Same media, another numbering: seq + 20000, ts + 123456789, another SSRC.
    uint16_t seq = static_cast<uint16_t>((moved[2] << 8 | moved[3]) + 20000);
    moved[2] = static_cast<uint8_t>(seq >> 8);
    moved[3] = static_cast<uint8_t>(seq);
    uint32_t ts =
        (uint32_t{moved[4]} << 24 | uint32_t{moved[5]} << 16 | uint32_t{moved[6]} << 8 | moved[7]) +
        123456789u;
    for (int b = 0; b < 4; ++b) moved[4 + b] = static_cast<uint8_t>(ts >> (24 - 8 * b));
    moved[8] ^= 0xff;
    ASSERT_TRUE(track.Ingest(*RtpView::Parse(moved), now += kMs)) << i;
  }
  EXPECT_EQ(track.stats().restarts, 1u);
  EXPECT_EQ(track.stats().lost, 0u);
  std::optional<HistoryPacket> next = track.history().Find(last_seq + 1);
  ASSERT_TRUE(next);
  std::optional<RtpView> view = RtpView::Parse(next->bytes);
  EXPECT_EQ(view->ssrc(), 0x11223344u);
  EXPECT_EQ(view->sequence_number(), static_cast<uint16_t>(last_seq + 1));
  // 501 ms at 90 kHz after the last timestamp, give or take rounding.
  int64_t advanced = static_cast<int64_t>(static_cast<uint32_t>(next->timestamp - last_ts));
  EXPECT_NEAR(advanced, 501 * 90, 2);
  EXPECT_EQ(track.history().end_seq(), last_seq + 1 + (packets.size() - half));
}

TEST(TrackTest, LateDuplicateAndMissingPackets) {
  std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  Track track(H264Options());
  track.Ingest(*RtpView::Parse(packets[0]), 0);
  track.Ingest(*RtpView::Parse(packets[1]), 0);
  EXPECT_FALSE(track.Ingest(*RtpView::Parse(packets[1]), 0));  // duplicate
  EXPECT_TRUE(track.Ingest(*RtpView::Parse(packets[4]), 0));   // 2 and 3 lost
  EXPECT_FALSE(track.Ingest(*RtpView::Parse(packets[2]), 0));  // too late now
  EXPECT_EQ(track.stats().late, 2u);
  EXPECT_EQ(track.stats().lost, 2u);
  EXPECT_EQ(track.stats().packets, 3u);
}

TEST(TrackTest, ReadersGetEveryPacketAndMayLeaveFromTheCallback) {
  std::vector<Packet> packets = ReadCapture("h264_ffmpeg_fua.rtp");
  Track track(H264Options());
  RecordingReader stays;
  RecordingReader leaves;
  leaves.remove_after = 3;
  track.AddReader(&leaves);
  track.AddReader(&stays);
  for (size_t i = 0; i < 10; ++i) track.Ingest(*RtpView::Parse(packets[i]), 0);
  EXPECT_EQ(stays.seqs.size(), 10u);
  EXPECT_EQ(leaves.seqs.size(), 3u);
  EXPECT_EQ(track.reader_count(), 1u);
  for (size_t i = 1; i < stays.seqs.size(); ++i) EXPECT_EQ(stays.seqs[i], stays.seqs[i - 1] + 1);
}

}  // namespace
}  // namespace ringcast::rtp
