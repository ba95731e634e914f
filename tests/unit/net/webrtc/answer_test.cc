// AnswerOffer against real browser offers (tests/data/sdp, see its README.md): Chrome (media-level
// ICE, three sections, many H.264 variants), Firefox (session-level ICE, no BUNDLE, VP8 only)
// and Safari (Constrained High first, sendrecv audio, a datachannel section).
#include "net/webrtc/answer.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/sdp/parser.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::webrtc {
namespace {

using sdp::testing::ReadFixture;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kChrome[] = "chrome_recvonly_offer.sdp";
constexpr char kFirefox[] = "firefox_nightly_offer.sdp";
constexpr char kSafari[] = "safari_mac_offer.sdp";

LocalDescription Local() {
  LocalDescription local;
  local.ice = {"rcUfrag1", "rcPasswordPasswordPassword"};
  local.fingerprint_sha256 =
      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
      "88:99";
  local.candidates = {{"192.0.2.10", 8189}, {"2001:db8::1", 8189}};
  local.cname = "ringcast";
  local.stream_id = "cam1";
  return local;
}

SourceTrack Track(std::string media, std::string name, uint32_t clock, int channels,
                  std::string fmtp, uint32_t ssrc) {
  SourceTrack t;
  t.info.media = std::move(media);
  t.info.encoding_name = std::move(name);
  t.info.payload_type = 96;
  t.info.clock_rate = clock;
  t.info.channels = channels;
  t.info.fmtp = std::move(fmtp);
  t.ssrc = ssrc;
  return t;
}

SourceTrack H264(std::string profile) {
  return Track("video", "H264", 90000, 0, "packetization-mode=1;profile-level-id=" + profile, 1111);
}
SourceTrack Opus() { return Track("audio", "opus", 48000, 2, "sprop-stereo=1", 2222); }
SourceTrack Aac() {
  return Track("audio", "MPEG4-GENERIC", 44100, 1,
               "profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;"
               "config=1208",
               3333);
}
SourceTrack H265() { return Track("video", "H265", 90000, 0, "", 4444); }
SourceTrack Vp8() { return Track("video", "VP8", 90000, 0, "", 5555); }

absl::StatusOr<Answer> AnswerFixture(const char* fixture, std::vector<SourceTrack> tracks) {
  return AnswerOffer(ReadFixture(fixture), tracks, Local());
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

std::string RemoveLines(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) != 0) out += line;
    start = end;
  }
  return out;
}

// The answer, parsed back with net/sdp.
sdp::Session Parsed(const Answer& answer) {
  EXPECT_EQ(answer.sdp.find("\n"), answer.sdp.find("\r\n") + 1) << "CRLF line ends";
  absl::StatusOr<sdp::Session> session = sdp::ParseSdp(answer.sdp);
  EXPECT_TRUE(session.ok()) << session.status() << "\n" << answer.sdp;
  return session.ok() ? *session : sdp::Session{};
}

std::vector<std::string> AttributeNames(const sdp::AttributeHolder& holder) {
  std::vector<std::string> names;
  for (const sdp::Attribute& a : holder.attributes) names.push_back(a.name);
  return names;
}

// --- Chrome ----------------------------------------------------------------------------------

TEST(AnswerTest, ChromeConstrainedBaselinePicksThe42e01fPacketizationMode1Type) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("42e01f")});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  const AnsweredTrack& t = answer->tracks[0];
  EXPECT_EQ(t.payload_type, 108);  // not 127 (42001f baseline), not 124 (mode 0)
  EXPECT_EQ(t.mid, "0");
  EXPECT_EQ(t.mline_index, 0u);
  EXPECT_EQ(t.track_index, 0u);
  EXPECT_EQ(t.clock_rate, 90000u);
  EXPECT_EQ(t.ssrc, 1111u);
  EXPECT_TRUE(t.nack && t.pli && t.fir);

  sdp::Session s = Parsed(*answer);
  EXPECT_THAT(AttributeNames(s), ElementsAre("group", "ice-lite"));
  EXPECT_EQ(s.Find("group"), "BUNDLE 0");
  ASSERT_EQ(s.media.size(), 3u);  // all offered sections, in order
  const sdp::Media& v = s.media[0];
  EXPECT_EQ(v.type, "video");
  EXPECT_EQ(v.port, 9);
  EXPECT_EQ(v.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_THAT(v.formats, ElementsAre("108"));  // no rtx
  ASSERT_EQ(v.connections.size(), 1u);
  EXPECT_EQ(v.connections[0].address, "0.0.0.0");
  EXPECT_THAT(
      AttributeNames(v),
      ElementsAre("rtcp", "ice-ufrag", "ice-pwd", "fingerprint", "setup", "mid", "sendonly", "msid",
                  "rtcp-mux", "rtcp-rsize", "rtpmap", "fmtp", "rtcp-fb", "rtcp-fb", "rtcp-fb",
                  "ssrc", "ssrc", "candidate", "candidate", "end-of-candidates"));
  EXPECT_EQ(v.IceUfrag(), "rcUfrag1");
  EXPECT_EQ(v.IcePwd(), "rcPasswordPasswordPassword");
  EXPECT_EQ(v.Fingerprint()->hash_function, "sha-256");
  EXPECT_EQ(v.Setup(), "passive");
  EXPECT_EQ(v.Direction(), sdp::MediaDirection::kSendOnly);
  EXPECT_EQ(v.Find("msid"), "cam1 video0");
  EXPECT_EQ(v.Find("rtpmap"), "108 H264/90000");
  EXPECT_EQ(v.Find("fmtp"),
            "108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_THAT(v.FindAll("rtcp-fb"), ElementsAre("108 ccm fir", "108 nack", "108 nack pli"));
  EXPECT_THAT(v.FindAll("ssrc"), ElementsAre("1111 cname:ringcast", "1111 msid:cam1 video0"));
  // RFC 8445 §5.1.2.1: 126 << 24 | local preference << 8 | 255.
  EXPECT_THAT(v.FindAll("candidate"), ElementsAre("1 1 udp 2130706431 192.0.2.10 8189 typ host",
                                                  "2 1 udp 2130706175 2001:db8::1 8189 typ host"));
  for (size_t i : {1u, 2u}) {  // rejected: port 0, mid kept
    EXPECT_EQ(s.media[i].port, 0);
    EXPECT_EQ(s.media[i].Mid(), std::to_string(i));
    EXPECT_EQ(s.media[i].formats.size(), 1u);
  }
  EXPECT_EQ(answer->sdp.find("extmap"), std::string::npos);
  EXPECT_EQ(answer->sdp.find("rtx"), std::string::npos);
}

TEST(AnswerTest, ChromeRemoteParametersComeFromMediaLevel) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("42e01f")});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->remote.ufrag, "gydc");
  EXPECT_EQ(answer->remote.pwd, "qEA+KCGezaoGknNYbpAADXBK");
  EXPECT_EQ(answer->remote.fingerprint_hash, "sha-256");
  EXPECT_EQ(
      answer->remote.fingerprint,
      "03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:"
      "1F:26:6A");
  EXPECT_EQ(answer->remote.setup, AnswerSetup::kPassive);  // offer: actpass
}

TEST(AnswerTest, ChromeHighProfileIsNeverRelabelledAsBaseline) {
  // Chrome's offer has 42001f, 42e01f, 4d001f and f4001f only: no High-profile type.
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("640028")});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.status().message(), HasSubstr("source has H264 (profile 640028) video"));
  EXPECT_THAT(answer.status().message(),
              HasSubstr("offer video has VP8, VP9, H264 (42001f, 42e01f, 4d001f, f4001f), AV1"));
}

TEST(AnswerTest, ChromeMainProfilePicks4d001f) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("4d0028")});  // level asymmetry
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 123);
}

TEST(AnswerTest, ChromeH264AndOpus) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("42e01f"), Opus()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 2u);
  EXPECT_EQ(answer->tracks[1].payload_type, 111);
  EXPECT_EQ(answer->tracks[1].mid, "1");
  EXPECT_EQ(answer->tracks[1].clock_rate, 48000u);
  EXPECT_FALSE(answer->tracks[1].nack);  // Chrome offers only transport-cc for opus
  sdp::Session s = Parsed(*answer);
  EXPECT_EQ(s.Find("group"), "BUNDLE 0 1");
  const sdp::Media& a = s.media[1];
  EXPECT_EQ(a.port, 9);
  EXPECT_EQ(a.Find("rtpmap"), "111 opus/48000/2");
  EXPECT_EQ(a.Find("fmtp"), "111 minptime=10;stereo=1;useinbandfec=1");
  EXPECT_FALSE(a.Has("rtcp-fb"));
  EXPECT_FALSE(a.Has("rtcp-rsize"));  // not offered for audio
  EXPECT_EQ(a.Find("msid"), "cam1 audio1");
  EXPECT_EQ(s.media[2].port, 0);
}

TEST(AnswerTest, ChromeH264AndAacLeavesAacOutWithANote) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("42e01f"), Aac()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_EQ(answer->tracks[0].payload_type, 108);
  EXPECT_THAT(answer->skipped,
              testing::Contains("track 1 (MPEG4-GENERIC audio): no browser codec, left out"));
  EXPECT_EQ(Parsed(*answer).media[1].port, 0);
}

TEST(AnswerTest, ChromeWithoutH265Refuses) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H265()});
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.status().message(), HasSubstr("source has H265 video"));
}

TEST(AnswerTest, ChromeVp8) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {Vp8()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 96);
  EXPECT_FALSE(Parsed(*answer).media[0].Has("fmtp"));
}

TEST(AnswerTest, ChromeTwoVideoTracksFillTwoVideoSections) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {H264("42e01f"), Vp8(), Opus()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 3u);
  EXPECT_EQ(answer->tracks[0].mid, "0");
  EXPECT_EQ(answer->tracks[0].track_index, 0u);
  EXPECT_EQ(answer->tracks[1].mid, "1");
  EXPECT_EQ(answer->tracks[1].track_index, 2u);
  EXPECT_EQ(answer->tracks[2].mid, "2");
  EXPECT_EQ(answer->tracks[2].track_index, 1u);
  EXPECT_EQ(answer->tracks[2].payload_type, 96);
  EXPECT_EQ(Parsed(*answer).Find("group"), "BUNDLE 0 1 2");
}

TEST(AnswerTest, LevelAboveTheOfferNeedsLevelAsymmetry) {
  // 42e028 (level 4.0) against Chrome's 42e01f (3.1): fine with level-asymmetry-allowed=1 ...
  ASSERT_TRUE(AnswerFixture(kChrome, {H264("42e028")}).ok());
  // ... refused when the offer (here with that parameter taken out) does not allow it.
  std::string offer = Replace(ReadFixture(kChrome), "level-asymmetry-allowed=1;", "");
  EXPECT_FALSE(AnswerOffer(offer, std::vector<SourceTrack>{H264("42e028")}, Local()).ok());
  absl::StatusOr<Answer> lower =
      AnswerOffer(offer, std::vector<SourceTrack>{H264("42e01e")}, Local());
  ASSERT_TRUE(lower.ok()) << lower.status();
  EXPECT_EQ(lower->tracks[0].payload_type, 108);
}

TEST(AnswerTest, PacketizationModeZeroSourcePrefersModeZero) {
  SourceTrack source = Track("video", "H264", 90000, 0, "profile-level-id=42e01f", 1);
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {source});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 124);  // 42e01f, packetization-mode=0
}

TEST(AnswerTest, OfferSetupPassiveMakesUsActive) {
  std::string offer = Replace(ReadFixture(kChrome), "a=setup:actpass", "a=setup:passive");
  absl::StatusOr<Answer> answer = AnswerOffer(offer, std::vector<SourceTrack>{Vp8()}, Local());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->remote.setup, AnswerSetup::kActive);
  EXPECT_EQ(Parsed(*answer).media[0].Setup(), "active");

  offer = Replace(ReadFixture(kChrome), "a=setup:actpass", "a=setup:active");
  answer = AnswerOffer(offer, std::vector<SourceTrack>{Vp8()}, Local());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->remote.setup, AnswerSetup::kPassive);
  EXPECT_EQ(Parsed(*answer).media[0].Setup(), "passive");
}

TEST(AnswerTest, StaticPcmaWithoutRtpmap) {
  std::string offer = RemoveLines(ReadFixture(kChrome), "a=rtpmap:8 ");
  SourceTrack pcma = Track("audio", "PCMA", 8000, 1, "", 7);
  pcma.info.payload_type = 8;
  absl::StatusOr<Answer> answer = AnswerOffer(offer, std::vector<SourceTrack>{pcma}, Local());
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 8);
  EXPECT_EQ(answer->tracks[0].clock_rate, 8000u);
  EXPECT_EQ(Parsed(*answer).media[1].Find("rtpmap"), "8 PCMA/8000");
}

// --- Firefox ---------------------------------------------------------------------------------

TEST(AnswerTest, FirefoxRemoteParametersComeFromSessionLevel) {
  absl::StatusOr<Answer> answer = AnswerFixture(kFirefox, {Vp8()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->remote.ufrag, "e5785931");
  EXPECT_EQ(answer->remote.pwd, "36fb7878390db89481c1d46daa4278d8");
  EXPECT_EQ(answer->remote.fingerprint_hash, "sha-256");
  EXPECT_THAT(answer->remote.fingerprint, testing::StartsWith("A7:24:72:CA"));
  EXPECT_EQ(answer->remote.setup, AnswerSetup::kPassive);  // no a=setup: the offerer is active
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_EQ(answer->tracks[0].payload_type, 120);
  EXPECT_EQ(answer->tracks[0].mline_index, 1u);
  EXPECT_EQ(answer->tracks[0].mid, "");
  EXPECT_FALSE(answer->tracks[0].nack);  // this offer has no rtcp-fb at all

  sdp::Session s = Parsed(*answer);
  EXPECT_FALSE(s.Has("group"));  // no BUNDLE offered, no mids to answer with
  EXPECT_TRUE(s.Has("ice-lite"));
  ASSERT_EQ(s.media.size(), 3u);
  EXPECT_EQ(s.media[0].port, 0);
  EXPECT_EQ(s.media[1].port, 9);
  EXPECT_EQ(s.media[1].proto, "RTP/SAVPF");  // the offer's proto, as JSEP asks
  EXPECT_FALSE(s.media[1].Has("mid"));
  EXPECT_EQ(s.media[2].type, "application");
  EXPECT_EQ(s.media[2].port, 0);
}

TEST(AnswerTest, FirefoxH264VariantsAreRefusedWithTheOfferedCodecs) {
  for (const char* profile : {"42e01f", "640028"}) {
    absl::StatusOr<Answer> answer = AnswerFixture(kFirefox, {H264(profile)});
    ASSERT_FALSE(answer.ok()) << profile;
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(answer.status().message(), HasSubstr("offer video has VP8"));
  }
  absl::StatusOr<Answer> h265 = AnswerFixture(kFirefox, {H265()});
  ASSERT_FALSE(h265.ok());
  EXPECT_THAT(h265.status().message(), HasSubstr("H265 video"));
  absl::StatusOr<Answer> aac = AnswerFixture(kFirefox, {H264("42e01f"), Aac()});
  ASSERT_FALSE(aac.ok());
  EXPECT_THAT(aac.status().message(), HasSubstr("offer audio has opus, PCMU, PCMA"));
}

TEST(AnswerTest, FirefoxH264AndOpusAnswersAudioOnly) {
  absl::StatusOr<Answer> answer = AnswerFixture(kFirefox, {H264("42e01f"), Opus()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_EQ(answer->tracks[0].payload_type, 109);
  EXPECT_EQ(answer->tracks[0].track_index, 1u);
  EXPECT_THAT(
      answer->skipped,
      testing::Contains(
          "track 0 (H264 (profile 42e01f) video): no usable video section in the offer, left out"));
  EXPECT_EQ(Parsed(*answer).media[0].Find("fmtp"), std::nullopt);  // the offer has none for 109
}

TEST(AnswerTest, FirefoxWithoutBundleAnswersOneSection) {
  absl::StatusOr<Answer> answer = AnswerFixture(kFirefox, {Vp8(), Opus()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_EQ(answer->tracks[0].track_index, 1u);  // audio comes first in this offer
  EXPECT_EQ(Parsed(*answer).media[1].port, 0);
}

// --- Safari ----------------------------------------------------------------------------------

TEST(AnswerTest, SafariConstrainedBaseline) {
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {H264("42e01f")});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 98);
  EXPECT_EQ(answer->remote.ufrag, "tPim");
}

TEST(AnswerTest, SafariHighPicksConstrainedHighWithLevelAsymmetry) {
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {H264("640028")});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 96);  // 640c1f, never 98 (42e01f)
  EXPECT_EQ(Parsed(*answer).media[0].Find("fmtp"),
            "96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f");
}

TEST(AnswerTest, SafariHighFromTheInBandSps) {
  SourceTrack source = Track("video", "H264", 90000, 0, "packetization-mode=1", 1);
  source.sps = {0x67, 0x64, 0x00, 0x28, 0xac, 0xd9};
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {source});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 96);
  // The same SPS overrides a (wrong) fmtp profile.
  source.info.fmtp = "packetization-mode=1;profile-level-id=42e01f";
  answer = AnswerFixture(kSafari, {source});
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->tracks[0].payload_type, 96);
}

TEST(AnswerTest, SafariMainIsRefused) {
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {H264("4d001f")});
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.status().message(), HasSubstr("H264 (640c1f, 42e01f)"));
}

TEST(AnswerTest, SafariH264AndOpusRejectsTheDatachannel) {
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {H264("640028"), Opus()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 2u);
  EXPECT_EQ(answer->tracks[1].payload_type, 111);  // audio is sendrecv in this offer
  sdp::Session s = Parsed(*answer);
  EXPECT_EQ(s.Find("group"), "BUNDLE 0 1");
  ASSERT_EQ(s.media.size(), 3u);
  EXPECT_EQ(s.media[1].Find("fmtp"), "111 minptime=10;useinbandfec=1");
  EXPECT_EQ(s.media[2].type, "application");
  EXPECT_EQ(s.media[2].port, 0);
  EXPECT_EQ(s.media[2].proto, "UDP/DTLS/SCTP");
  EXPECT_THAT(s.media[2].formats, ElementsAre("webrtc-datachannel"));
  EXPECT_EQ(s.media[2].Mid(), "2");
}

TEST(AnswerTest, SafariH264AndAac) {
  absl::StatusOr<Answer> answer = AnswerFixture(kSafari, {H264("42e01f"), Aac()});
  ASSERT_TRUE(answer.ok()) << answer.status();
  ASSERT_EQ(answer->tracks.size(), 1u);
  EXPECT_THAT(answer->skipped,
              testing::Contains("track 1 (MPEG4-GENERIC audio): no browser codec, left out"));
}

TEST(AnswerTest, SafariWithoutH265RefusesAndVp8Works) {
  absl::StatusOr<Answer> h265 = AnswerFixture(kSafari, {H265()});
  ASSERT_FALSE(h265.ok());
  EXPECT_THAT(h265.status().message(), HasSubstr("offer video has H264 (640c1f, 42e01f), VP8"));
  absl::StatusOr<Answer> vp8 = AnswerFixture(kSafari, {Vp8()});
  ASSERT_TRUE(vp8.ok()) << vp8.status();
  EXPECT_EQ(vp8->tracks[0].payload_type, 100);
}

// --- Bad offers ------------------------------------------------------------------------------

TEST(AnswerTest, BadOffersSayWhatIsMissing) {
  std::vector<SourceTrack> tracks = {Vp8()};
  auto message = [&](const std::string& offer) {
    absl::StatusOr<Answer> answer = AnswerOffer(offer, tracks, Local());
    EXPECT_FALSE(answer.ok());
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(answer.status().message());
  };
  EXPECT_THAT(message(RemoveLines(ReadFixture(kChrome), "a=fingerprint:")),
              HasSubstr("no DTLS fingerprint"));
  EXPECT_THAT(message(RemoveLines(ReadFixture(kFirefox), "a=fingerprint:")),
              HasSubstr("no DTLS fingerprint"));
  EXPECT_THAT(message(RemoveLines(ReadFixture(kChrome), "a=ice-ufrag:")), HasSubstr("a=ice-ufrag"));
  EXPECT_THAT(message(RemoveLines(ReadFixture(kSafari), "a=ice-pwd:")), HasSubstr("a=ice-pwd"));
  EXPECT_THAT(message("this is not SDP"), HasSubstr("not a valid SDP"));
  EXPECT_THAT(message(""), HasSubstr("not a valid SDP"));
  // Every section sendonly: nothing to send on.
  EXPECT_THAT(message(Replace(ReadFixture(kChrome), "a=recvonly", "a=sendonly")),
              HasSubstr("no audio or video section"));
}

TEST(AnswerTest, NoTracks) {
  absl::StatusOr<Answer> answer = AnswerFixture(kChrome, {});
  ASSERT_FALSE(answer.ok());
  EXPECT_THAT(answer.status().message(), HasSubstr("source has no tracks"));
}

}  // namespace
}  // namespace ringcast::net::webrtc
