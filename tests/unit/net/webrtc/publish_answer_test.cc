// AnswerPublishOffer against a real WHIP offer (tests/data/sdp/chromium_whip_offer.sdp: Debian's
// Chromium publishing its fake camera and microphone) and variants of it made by editing the
// text, plus the refusals.
#include "net/webrtc/publish_answer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/sdp/parser.h"
#include "rtp/transport_sequence.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::webrtc {
namespace {

using sdp::testing::ReadFixture;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kChromiumWhip[] = "chromium_whip_offer.sdp";

LocalDescription Local() {
  LocalDescription local;
  local.ice = {"rcUfrag1", "rcPasswordPasswordPassword"};
  local.fingerprint_sha256 = "AA:BB:CC:DD";
  local.candidates = {{"192.0.2.10", 8189}, {"2001:db8::1", 8189}};
  local.cname = "ringcast";
  local.stream_id = "cam";
  return local;
}

// Every line of `text` that starts with `prefix` removed.
std::string WithoutLines(std::string text, std::string_view prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string_view line(text.data() + start, end - start);
    if (!line.starts_with(prefix)) out.append(line);
    start = end;
  }
  return out;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

const sdp::Media& Section(const sdp::Session& session, std::string_view type) {
  for (const sdp::Media& m : session.media) {
    if (m.type == type) return m;
  }
  ADD_FAILURE() << "no " << type << " section";
  return session.media.front();
}

TEST(PublishAnswerTest, ChromiumOfferTakesH264WithRtxAndOpus) {
  absl::StatusOr<PublishAnswer> answer =
      AnswerPublishOffer(ReadFixture(kChromiumWhip), Local(), PublishAnswerOptions{});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 2u);

  const IncomingTrack& audio = answer->tracks[0];
  EXPECT_EQ(audio.info.media, "audio");
  EXPECT_EQ(audio.info.encoding_name, "opus");
  EXPECT_EQ(audio.info.payload_type, 111);
  EXPECT_EQ(audio.info.clock_rate, 48000u);
  EXPECT_EQ(audio.info.channels, 2);
  EXPECT_EQ(audio.ssrc, 685823693u);  // a=ssrc
  EXPECT_EQ(audio.rtx_payload_type, -1);
  EXPECT_EQ(audio.mid, "0");

  const IncomingTrack& video = answer->tracks[1];
  EXPECT_EQ(video.info.media, "video");
  EXPECT_EQ(video.info.encoding_name, "H264");
  // The first H.264 payload type with packetization-mode=1 in the offer's order (VP8 is offered
  // first: ringcast prefers H.264, which RTSP players take too).
  EXPECT_EQ(video.info.payload_type, 102);
  EXPECT_THAT(video.info.fmtp, HasSubstr("packetization-mode=1"));
  EXPECT_EQ(video.info.keyframe_codec, rtp::KeyframeCodec::kH264);
  EXPECT_EQ(video.rtx_payload_type, 103);  // a=fmtp:103 apt=102
  EXPECT_EQ(video.ssrc, 1952426251u);      // a=ssrc-group:FID media rtx
  EXPECT_EQ(video.rtx_ssrc, 3721669174u);
  EXPECT_TRUE(video.nack);
  EXPECT_TRUE(video.pli);
  EXPECT_TRUE(video.fir);
  EXPECT_EQ(answer->transport_cc_id, 3);                   // a=extmap:3 …transport-wide-cc…
  EXPECT_EQ(answer->remote.setup, AnswerSetup::kPassive);  // the offer is actpass
  EXPECT_FALSE(answer->remote.ufrag.empty());
  EXPECT_EQ(answer->remote.fingerprint_hash, "sha-256");

  absl::StatusOr<sdp::Session> parsed = sdp::ParseSdp(answer->sdp);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << answer->sdp;
  EXPECT_TRUE(parsed->Has("ice-lite"));
  EXPECT_EQ(parsed->Find("group"), "BUNDLE 0 1");
  const sdp::Media& v = Section(*parsed, "video");
  EXPECT_EQ(v.formats, (std::vector<std::string>{"102", "103"}));
  EXPECT_EQ(parsed->DirectionOf(v), sdp::MediaDirection::kRecvOnly);
  EXPECT_EQ(v.Find("setup"), "passive");
  EXPECT_EQ(v.Find("ice-ufrag"), "rcUfrag1");
  EXPECT_EQ(v.FindAll("candidate").size(), 2u);
  std::vector<sdp::Extmap> extmaps = v.Extmaps();
  ASSERT_EQ(extmaps.size(), 1u);  // only what ringcast reads
  EXPECT_EQ(extmaps[0].id, 3);
  EXPECT_EQ(extmaps[0].uri, rtp::kTransportSequenceUri);
  std::vector<std::string> feedback;
  for (const sdp::RtcpFeedback& fb : v.RtcpFeedbackFor(102)) {
    feedback.push_back(std::string(fb.type) + (fb.parameter.empty() ? "" : " ") +
                       std::string(fb.parameter));
  }
  EXPECT_THAT(feedback, ::testing::UnorderedElementsAre("transport-cc", "nack", "nack pli",
                                                        "ccm fir"));  // no goog-remb
  EXPECT_EQ(v.Fmtp(103)->Get("apt"), "102");
  const sdp::Media& a = Section(*parsed, "audio");
  EXPECT_EQ(a.formats, (std::vector<std::string>{"111"}));
  EXPECT_EQ(a.RtpMapFor(111)->encoding, "opus");
}

TEST(PublishAnswerTest, WithoutTransportCcOrNack) {
  PublishAnswerOptions options;
  options.transport_cc = false;
  options.nack = false;
  absl::StatusOr<PublishAnswer> answer =
      AnswerPublishOffer(ReadFixture(kChromiumWhip), Local(), options);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->transport_cc_id, 0);
  EXPECT_THAT(answer->sdp, Not(HasSubstr("transport-cc")));
  EXPECT_THAT(answer->sdp, Not(HasSubstr("a=extmap")));
  EXPECT_THAT(answer->sdp, Not(HasSubstr("102 nack\r\n")));
  EXPECT_THAT(answer->sdp, HasSubstr("a=rtcp-fb:102 nack pli\r\n"));  // keyframes still asked for
  EXPECT_FALSE(answer->tracks[1].nack);
  EXPECT_TRUE(answer->tracks[1].pli);
}

TEST(PublishAnswerTest, Vp8WhenNoH264IsOffered) {
  std::string offer = ReadFixture(kChromiumWhip);
  for (const char* pt : {"102", "104", "108", "114", "116", "39"}) {
    offer = WithoutLines(offer, std::string("a=rtpmap:") + pt + " ");
  }
  absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(offer, Local(), {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  const IncomingTrack& video = answer->tracks[1];
  EXPECT_EQ(video.info.encoding_name, "VP8");
  EXPECT_EQ(video.info.payload_type, 96);
  EXPECT_EQ(video.rtx_payload_type, 97);
  EXPECT_EQ(video.info.keyframe_codec, rtp::KeyframeCodec::kNone);
}

TEST(PublishAnswerTest, SsrcLearnedLaterWhenTheOfferNamesNone) {
  std::string offer =
      WithoutLines(WithoutLines(ReadFixture(kChromiumWhip), "a=ssrc:"), "a=ssrc-group:");
  absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(offer, Local(), {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].ssrc, 0u);
  EXPECT_EQ(answer->tracks[1].ssrc, 0u);
  EXPECT_EQ(answer->tracks[1].rtx_ssrc, 0u);
  EXPECT_EQ(answer->tracks[1].rtx_payload_type, 103);
}

TEST(PublishAnswerTest, OnlySendingSectionsAreTaken) {
  // The viewer's kind of offer: nothing to receive.
  absl::StatusOr<PublishAnswer> viewer =
      AnswerPublishOffer(ReadFixture("chrome_recvonly_offer.sdp"), Local(), {});
  ASSERT_FALSE(viewer.ok());
  EXPECT_EQ(viewer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(viewer.status().message(),
              HasSubstr("no audio or video section ringcast can receive"));

  // Audio inactive: rejected in place, video still taken.
  std::string offer = ReadFixture(kChromiumWhip);
  size_t audio = offer.find("m=audio");
  size_t sendonly = offer.find("a=sendonly", audio);
  offer.replace(sendonly, std::string_view("a=sendonly").size(), "a=inactive");
  absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(offer, Local(), {});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_EQ(answer->tracks[0].info.media, "video");
  EXPECT_EQ(answer->tracks[0].mline_index, 1u);
  ASSERT_EQ(answer->skipped.size(), 1u);
  EXPECT_THAT(answer->skipped[0], HasSubstr("direction inactive"));
  absl::StatusOr<sdp::Session> parsed = sdp::ParseSdp(answer->sdp);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->media.size(), 2u);
  EXPECT_EQ(parsed->media[0].port, 0);
  EXPECT_EQ(parsed->Find("group"), "BUNDLE 1");
}

TEST(PublishAnswerTest, NoCodecRingcastTakes) {
  std::string offer = ReadFixture(kChromiumWhip);
  size_t video = offer.find("m=video");
  offer = offer.substr(0, video);  // audio only
  for (const char* pt : {"111", "0", "8"}) {
    offer = WithoutLines(offer, std::string("a=rtpmap:") + pt + " ");
  }
  offer = Replace(offer, " 111 63 9 0 8 13 110 126", " 63 9 13 110 126");
  absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(offer, Local(), {});
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.status().message(), HasSubstr("no section with a codec ringcast takes"));
}

TEST(PublishAnswerTest, MalformedOffers) {
  for (std::string_view offer :
       {"", "v=0\r\n", "hello", "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"}) {
    absl::StatusOr<PublishAnswer> answer = AnswerPublishOffer(offer, Local(), {});
    ASSERT_FALSE(answer.ok()) << offer;
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(answer.status().message(), HasSubstr("webrtc offer:"));
  }
  // No fingerprint.
  absl::StatusOr<PublishAnswer> answer =
      AnswerPublishOffer(WithoutLines(ReadFixture(kChromiumWhip), "a=fingerprint"), Local(), {});
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.status().message(), HasSubstr("fingerprint"));
}

}  // namespace
}  // namespace ringcast::net::webrtc
