// The typed lookups of the SDP model, on real captures.
#include "net/sdp/session.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/sdp/parser.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::sdp {
namespace {

using ::testing::ElementsAre;
using testing::ReadFixture;
using ::testing::SizeIs;

Session Parse(const std::string& fixture) {
  absl::StatusOr<Session> session = ParseSdp(ReadFixture(fixture));
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? *std::move(session) : Session{};
}

std::vector<std::string> FeedbackStrings(const std::vector<RtcpFeedback>& feedbacks) {
  std::vector<std::string> out;
  for (const RtcpFeedback& fb : feedbacks) {
    out.push_back(std::string(fb.format) + "|" + std::string(fb.type) + "|" +
                  std::string(fb.parameter));
  }
  return out;
}

TEST(SdpSessionTest, ChromeOfferWebRtcAttributes) {
  Session s = Parse("chrome_recvonly_offer.sdp");
  EXPECT_EQ(s.origin->session_id, "8302999682125171423");
  EXPECT_EQ(s.Find("group"), "BUNDLE 0 1 2");
  EXPECT_TRUE(s.Has("extmap-allow-mixed"));
  EXPECT_EQ(s.Find("msid-semantic"), " WMS");
  ASSERT_THAT(s.media, SizeIs(3));

  const Media& video = s.media[0];
  EXPECT_EQ(video.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(video.port, 52200);
  EXPECT_EQ(video.Mid(), "0");
  EXPECT_EQ(video.IceUfrag(), "gydc");
  EXPECT_EQ(video.IcePwd(), "qEA+KCGezaoGknNYbpAADXBK");
  EXPECT_EQ(video.Setup(), "actpass");
  EXPECT_TRUE(video.RtcpMux());
  EXPECT_EQ(video.Direction(), MediaDirection::kRecvOnly);
  std::optional<Fingerprint> fp = video.Fingerprint();
  ASSERT_TRUE(fp.has_value());
  EXPECT_EQ(fp->hash_function, "sha-256");
  EXPECT_EQ(fp->value,
            "03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:"
            "02:1F:26:6A");
  EXPECT_THAT(video.FindAll("candidate"), SizeIs(3));
  EXPECT_THAT(video.PayloadTypes(), SizeIs(30));

  std::vector<Extmap> extmaps = video.Extmaps();
  ASSERT_THAT(extmaps, SizeIs(11));
  EXPECT_EQ(extmaps[3].id, 4);
  EXPECT_EQ(extmaps[3].uri,
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01");
  EXPECT_EQ(extmaps[8].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
  EXPECT_EQ(extmaps[8].direction, "");

  EXPECT_THAT(FeedbackStrings(video.RtcpFeedbackFor(108)),
              ElementsAre("108|goog-remb|", "108|transport-cc|", "108|ccm|fir", "108|nack|",
                          "108|nack|pli"));
  EXPECT_THAT(video.RtcpFeedbackFor(109), ::testing::IsEmpty());  // rtx has none

  std::optional<RtpMap> h264 = video.RtpMapFor(108);
  ASSERT_TRUE(h264.has_value());
  EXPECT_EQ(h264->encoding, "H264");
  EXPECT_EQ(h264->clock_rate, 90000u);
  EXPECT_EQ(h264->channels, 0);
  std::optional<Fmtp> fmtp = video.Fmtp(108);
  ASSERT_TRUE(fmtp.has_value());
  EXPECT_EQ(fmtp->raw, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(fmtp->Get("profile-level-id"), "42e01f");
  EXPECT_EQ(fmtp->Get("PACKETIZATION-MODE"), "1");
  EXPECT_FALSE(fmtp->Get("sprop-parameter-sets").has_value());
  EXPECT_EQ(video.Fmtp(97)->Get("apt"), "96");

  const Media& audio = s.media[1];
  EXPECT_EQ(audio.Mid(), "1");
  std::optional<RtpMap> opus = audio.RtpMapFor(111);
  ASSERT_TRUE(opus.has_value());
  EXPECT_EQ(opus->encoding, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  // "a=fmtp:63 111/111": a parameter without '='.
  std::optional<Fmtp> red = audio.Fmtp(63);
  ASSERT_TRUE(red.has_value());
  ASSERT_THAT(red->parameters, SizeIs(1));
  EXPECT_EQ(red->parameters[0].key, "111/111");
  EXPECT_EQ(red->parameters[0].value, "");
  EXPECT_EQ(audio.Extmaps()[0].id, 14);
  EXPECT_EQ(s.media[2].Mid(), "2");
  EXPECT_EQ(s.media[2].port, 9);
}

TEST(SdpSessionTest, RtpMapsInOrder) {
  Session s = Parse("dahua_vto2202f_describe.sdp");
  std::vector<RtpMap> maps = s.media[3].RtpMaps();
  ASSERT_THAT(maps, SizeIs(8));
  EXPECT_EQ(maps[0].payload_type, 104);
  EXPECT_EQ(maps[0].encoding, "MPEG4-GENERIC");
  EXPECT_EQ(maps[0].clock_rate, 16000u);
  EXPECT_EQ(maps[4].encoding, "L16");
  EXPECT_EQ(maps[7].payload_type, 0);
  EXPECT_FALSE(s.media[3].RtpMapFor(96).has_value());
}

TEST(SdpSessionTest, SsrcLines) {
  Session s = Parse("gst_describe_vp8_vp9_pcmu.sdp");
  std::vector<SsrcLine> ssrcs = s.media[1].Ssrcs();
  ASSERT_THAT(ssrcs, SizeIs(1));
  EXPECT_EQ(ssrcs[0].ssrc, 2393839951u);
  EXPECT_EQ(ssrcs[0].attribute, "cname");
  EXPECT_EQ(ssrcs[0].value, "user446948411@host-f171c756");
}

TEST(SdpSessionTest, MalformedTypedAttributesAreSkipped) {
  absl::StatusOr<Session> s = ParseSdp(
      "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96 97 128\r\n"
      "a=rtpmap:96 H264/90000\r\na=rtpmap:x VP8/90000\r\na=rtpmap:97 VP8\r\n"
      "a=rtpmap:128 VP9/90000\r\na=rtcp-fb:96\r\na=ssrc:x cname:y\r\na=ssrc:99999999999 a\r\n"
      "a=extmap:x urn:a\r\na=extmap:2/sendonly urn:b attr\r\na=extmap:3\r\n"
      "a=fingerprint:sha-256\r\na=sendonly\r\na=inactive\r\n");
  ASSERT_TRUE(s.ok()) << s.status();
  const Media& m = s->media[0];
  EXPECT_THAT(m.PayloadTypes(), ElementsAre(96, 97));
  ASSERT_THAT(m.RtpMaps(), SizeIs(1));
  EXPECT_EQ(m.RtpMaps()[0].payload_type, 96);
  EXPECT_THAT(m.RtcpFeedbacks(), ::testing::IsEmpty());
  EXPECT_THAT(m.Ssrcs(), ::testing::IsEmpty());
  ASSERT_THAT(m.Extmaps(), SizeIs(1));
  EXPECT_EQ(m.Extmaps()[0].id, 2);
  EXPECT_EQ(m.Extmaps()[0].direction, "sendonly");
  EXPECT_EQ(m.Extmaps()[0].uri, "urn:b");
  EXPECT_EQ(m.Extmaps()[0].attributes, "attr");
  EXPECT_FALSE(m.Fingerprint().has_value());
  EXPECT_EQ(m.Direction(), MediaDirection::kInactive);  // the last one wins
  EXPECT_EQ(MediaDirectionName(*m.Direction()), "inactive");
}

}  // namespace
}  // namespace ringcast::net::sdp
