// PublisherIngest with packets built here: what reaches the path's track and in which order, and
// the RTCP it sends the publisher (NACK at once for a gap, transport-cc on the tick, RR + SDES,
// PLI), RTX unwrapped into the original, SSRCs learned from payload types, strays refused.
#include "net/webrtc/publisher_ingest.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rtp/byte_io.h"
#include "rtp/rtcp/compound.h"
#include "rtp/rtcp/feedback.h"
#include "rtp/rtcp/report.h"
#include "rtp/rtcp/transport_feedback.h"
#include "rtp/rtp_packet.h"
#include "rtp/transport_sequence.h"

namespace ringcast::net::webrtc {
namespace {

using ::testing::ElementsAre;

constexpr uint32_t kOurSsrc = 0x5EC0;
constexpr uint32_t kVideoSsrc = 1111, kRtxSsrc = 2222, kAudioSsrc = 3333;
constexpr int kVideoPt = 102, kRtxPt = 103, kAudioPt = 111;
constexpr uint8_t kTwccId = 3;
constexpr int64_t kMs = 1'000'000;

struct Delivered {
  size_t track;
  uint16_t seq;
  uint8_t payload_type;
  uint32_t ssrc;
  std::vector<uint8_t> payload;
};

class FakeOutput : public PublisherIngest::Output {
 public:
  void Deliver(size_t track, const rtp::RtpView& packet, int64_t) override {
    auto payload = packet.payload();
    delivered.push_back({track, packet.sequence_number(), packet.payload_type(), packet.ssrc(),
                         std::vector<uint8_t>(payload.begin(), payload.end())});
  }
  void SendRtcp(std::span<const uint8_t> rtcp) override {
    sent.emplace_back(rtcp.begin(), rtcp.end());
  }
  std::vector<uint16_t> DeliveredSeqs(size_t track) const {
    std::vector<uint16_t> out;
    for (const Delivered& d : delivered) {
      if (d.track == track) out.push_back(d.seq);
    }
    return out;
  }
  // Every sequence number the NACKs sent so far ask for.
  std::vector<uint16_t> Nacked() const {
    std::vector<uint16_t> out;
    for (const auto& rtcp : sent) {
      rtp::rtcp::CompoundReader reader(rtcp);
      while (auto block = reader.Next()) {
        if (auto nack = rtp::rtcp::NackView::Parse(*block)) {
          EXPECT_EQ(nack->media_ssrc(), kVideoSsrc);
          auto lost = nack->lost();
          while (auto seq = lost.Next()) out.push_back(*seq);
        }
      }
    }
    return out;
  }
  size_t Count(uint8_t packet_type) const {
    size_t n = 0;
    for (const auto& rtcp : sent) {
      rtp::rtcp::CompoundReader reader(rtcp);
      while (auto block = reader.Next()) n += block->packet_type() == packet_type;
    }
    return n;
  }

  std::vector<Delivered> delivered;
  std::vector<std::vector<uint8_t>> sent;
};

PublishAnswer Answer(bool with_ssrcs = true) {
  PublishAnswer answer;
  IncomingTrack audio;
  audio.info.media = "audio";
  audio.info.encoding_name = "opus";
  audio.info.payload_type = kAudioPt;
  audio.info.clock_rate = 48000;
  audio.ssrc = with_ssrcs ? kAudioSsrc : 0;
  IncomingTrack video;
  video.info.media = "video";
  video.info.encoding_name = "H264";
  video.info.payload_type = kVideoPt;
  video.info.clock_rate = 90000;
  video.rtx_payload_type = kRtxPt;
  video.ssrc = with_ssrcs ? kVideoSsrc : 0;
  video.rtx_ssrc = with_ssrcs ? kRtxSsrc : 0;
  video.nack = video.pli = video.fir = true;
  answer.tracks = {audio, video};
  answer.transport_cc_id = kTwccId;
  return answer;
}

// An RTP packet with a transport-wide sequence number and `payload`.
std::vector<uint8_t> Packet(int pt, uint16_t seq, uint32_t ssrc, uint16_t twcc,
                            std::vector<uint8_t> payload) {
  std::vector<uint8_t> out(1500);
  rtp::RtpHeaderWriter writer(out, {.marker = false,
                                    .payload_type = static_cast<uint8_t>(pt),
                                    .sequence_number = seq,
                                    .timestamp = 90u * seq,
                                    .ssrc = ssrc});
  EXPECT_TRUE(rtp::AddTransportSequence(writer, kTwccId, twcc));
  size_t header = writer.Finish();
  std::copy(payload.begin(), payload.end(), out.begin() + header);
  out.resize(header + payload.size());
  return out;
}

std::vector<uint8_t> Video(uint16_t seq, uint16_t twcc) {
  return Packet(kVideoPt, seq, kVideoSsrc, twcc, {0x41, static_cast<uint8_t>(seq), 0xAA});
}

// The RTX packet of `seq` (RFC 4588 §4: OSN, then the original payload).
std::vector<uint8_t> Rtx(uint16_t rtx_seq, uint16_t seq, uint16_t twcc) {
  return Packet(kRtxPt, rtx_seq, kRtxSsrc, twcc,
                {static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq), 0x41,
                 static_cast<uint8_t>(seq), 0xAA});
}

class PublisherIngestTest : public ::testing::Test {
 protected:
  explicit PublisherIngestTest(bool with_ssrcs = true)
      : ingest_(Answer(with_ssrcs), {.nack = true, .max_delay_ns = 200 * kMs, .cname = "rc"},
                kOurSsrc, output_) {}
  void Feed(std::vector<uint8_t> packet, int64_t now) { ingest_.OnRtp(packet, now); }

  FakeOutput output_;
  PublisherIngest ingest_;
};

TEST_F(PublisherIngestTest, InOrderPacketsGoStraightThrough) {
  for (uint16_t seq = 100; seq < 105; ++seq) Feed(Video(seq, seq), seq * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 101, 102, 103, 104));
  EXPECT_TRUE(output_.sent.empty());  // nothing missing: no NACK
  EXPECT_EQ(ingest_.stats().packets, 5u);
}

TEST_F(PublisherIngestTest, AGapIsNackedAtOnceAndRtxFillsItInOrder) {
  Feed(Video(100, 1), 0);
  Feed(Video(101, 2), 1 * kMs);
  Feed(Video(104, 5), 2 * kMs);  // 102, 103 lost
  EXPECT_THAT(output_.Nacked(), ElementsAre(102, 103));
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 101));  // 104 waits
  Feed(Video(105, 6), 3 * kMs);
  Feed(Rtx(7, 102, 7), 10 * kMs);
  Feed(Rtx(8, 103, 8), 11 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 101, 102, 103, 104, 105));
  // The unwrapped retransmission is the original: media payload type and SSRC, payload after the
  // OSN.
  const Delivered& resent = output_.delivered[2];
  EXPECT_EQ(resent.payload_type, kVideoPt);
  EXPECT_EQ(resent.ssrc, kVideoSsrc);
  EXPECT_THAT(resent.payload, ElementsAre(0x41, 102, 0xAA));
  EXPECT_EQ(ingest_.stats().nacks, 2u);
  EXPECT_EQ(ingest_.stats().recovered, 2u);
  EXPECT_EQ(ingest_.stats().rtx_packets, 2u);
  EXPECT_EQ(ingest_.stats().given_up, 0u);
}

TEST_F(PublisherIngestTest, AGapNobodyFillsIsGivenUpAfterTheMaximumDelay) {
  Feed(Video(100, 1), 0);
  Feed(Video(102, 3), 1 * kMs);
  Feed(Video(103, 4), 2 * kMs);
  ingest_.OnTick(100 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100));
  ingest_.OnTick(150 * kMs);
  EXPECT_GE(output_.Nacked().size(), 2u);  // asked again while waiting
  ingest_.OnTick(202 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 102, 103));
  EXPECT_EQ(ingest_.stats().given_up, 1u);
  Feed(Rtx(1, 101, 5), 210 * kMs);  // too late: the track has moved on
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 102, 103));
}

TEST_F(PublisherIngestTest, ProbesOnRtxAreCountedForTransportCcOnly) {
  Feed(Video(100, 1), 0);
  Feed(Packet(kRtxPt, 50, kRtxSsrc, 2, {}), 1 * kMs);  // padding-only probe: no OSN
  Feed(Video(101, 3), 2 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(100, 101));
  ingest_.OnTick(25 * kMs);
  ingest_.OnTick(50 * kMs);  // transport-cc every other tick
  ASSERT_EQ(output_.sent.size(), 1u);
  rtp::rtcp::CompoundReader reader(output_.sent[0]);
  std::optional<rtp::rtcp::Block> block = reader.Next();
  ASSERT_TRUE(block.has_value());
  std::optional<rtp::rtcp::TransportFeedbackView> feedback =
      rtp::rtcp::TransportFeedbackView::Parse(*block);
  ASSERT_TRUE(feedback.has_value());
  EXPECT_EQ(feedback->sender_ssrc(), kOurSsrc);
  EXPECT_EQ(feedback->base_seq(), 1);
  EXPECT_EQ(feedback->status_count(), 3);
  EXPECT_EQ(feedback->received_count(), 3u);
  EXPECT_EQ(ingest_.stats().feedback, 1u);
}

TEST_F(PublisherIngestTest, ReportsAndKeyframeRequests) {
  for (uint16_t seq = 1; seq <= 10; ++seq) {
    Feed(Video(seq, seq), seq * kMs);
    Feed(Packet(kAudioPt, seq, kAudioSsrc, 100 + seq, {1, 2, 3}), seq * kMs);
  }
  ingest_.SendReports(20 * kMs);
  ASSERT_EQ(output_.sent.size(), 1u);
  rtp::rtcp::CompoundReader reader(output_.sent[0]);
  std::optional<rtp::rtcp::Block> rr_block = reader.Next();
  ASSERT_TRUE(rr_block.has_value());
  std::optional<rtp::rtcp::ReceiverReportView> rr = rtp::rtcp::ReceiverReportView::Parse(*rr_block);
  ASSERT_TRUE(rr.has_value());
  EXPECT_EQ(rr->sender_ssrc(), kOurSsrc);
  ASSERT_EQ(rr->report_count(), 2u);
  EXPECT_EQ(rr->report_block(0).ssrc, kAudioSsrc);
  EXPECT_EQ(rr->report_block(1).ssrc, kVideoSsrc);
  EXPECT_EQ(rr->report_block(1).extended_highest_seq, 10u);
  EXPECT_EQ(rr->report_block(1).cumulative_lost, 0);
  std::optional<rtp::rtcp::Block> sdes = reader.Next();
  ASSERT_TRUE(sdes.has_value());
  EXPECT_EQ(sdes->packet_type(), rtp::rtcp::kPacketTypeSdes);

  EXPECT_FALSE(ingest_.RequestKeyframe(0));  // Opus: nothing to ask for
  EXPECT_TRUE(ingest_.RequestKeyframe(1));
  ASSERT_EQ(output_.sent.size(), 2u);
  rtp::rtcp::CompoundReader pli_reader(output_.sent[1]);
  std::optional<rtp::rtcp::Block> pli_block = pli_reader.Next();
  ASSERT_TRUE(pli_block.has_value());
  std::optional<rtp::rtcp::PliView> pli = rtp::rtcp::PliView::Parse(*pli_block);
  ASSERT_TRUE(pli.has_value());
  EXPECT_EQ(pli->sender_ssrc, kOurSsrc);
  EXPECT_EQ(pli->media_ssrc, kVideoSsrc);
  EXPECT_EQ(ingest_.stats().plis, 1u);
}

TEST_F(PublisherIngestTest, StraysAreRefused) {
  Feed(Packet(kVideoPt, 1, 9999, 1, {1}), 0);  // another SSRC... of a known payload type:
  EXPECT_EQ(output_.delivered.size(), 1u);     // taken as the track's new SSRC
  Feed(Packet(99, 1, 8888, 2, {1}), 0);        // neither SSRC nor payload type known
  Feed(Packet(96, 2, 9999, 3, {1}), 0);        // the track's SSRC with a codec not answered
  std::vector<uint8_t> junk = {0x80, 0x60, 0x00};
  ingest_.OnRtp(junk, 0);
  EXPECT_EQ(output_.delivered.size(), 1u);
  EXPECT_EQ(ingest_.stats().unknown, 2u);
  EXPECT_EQ(ingest_.stats().malformed, 1u);
}

class PublisherIngestWithoutSsrcsTest : public PublisherIngestTest {
 protected:
  PublisherIngestWithoutSsrcsTest() : PublisherIngestTest(/*with_ssrcs=*/false) {}
};

TEST_F(PublisherIngestWithoutSsrcsTest, SsrcsAreLearnedFromPayloadTypes) {
  Feed(Video(10, 1), 0);
  Feed(Video(12, 2), 1 * kMs);
  EXPECT_THAT(output_.Nacked(), ElementsAre(11));
  Feed(Rtx(1, 11, 3), 2 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(1), ElementsAre(10, 11, 12));
  Feed(Packet(kAudioPt, 5, kAudioSsrc, 4, {7}), 3 * kMs);
  EXPECT_THAT(output_.DeliveredSeqs(0), ElementsAre(5));
}

}  // namespace
}  // namespace ringcast::net::webrtc
