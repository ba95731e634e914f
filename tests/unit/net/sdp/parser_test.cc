#include "net/sdp/parser.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::sdp {
namespace {

using testing::AllFixtures;
using ::testing::ElementsAre;
using testing::ReadFixture;
using ::testing::SizeIs;

Session MustParse(std::string_view text) {
  absl::StatusOr<Session> session = ParseSdp(text);
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? *std::move(session) : Session{};
}

std::string ErrorOf(std::string_view text, const Limits& limits = {}) {
  absl::StatusOr<Session> session = ParseSdp(text, limits);
  if (session.ok()) return "(parsed)";
  return std::string(session.status().message());
}

TEST(ParseSdpTest, EveryFixtureParses) {
  const std::vector<std::string> names = AllFixtures();
  ASSERT_GE(names.size(), 18u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    absl::StatusOr<Session> session = ParseSdp(ReadFixture(name));
    ASSERT_TRUE(session.ok()) << session.status();
    EXPECT_EQ(session->version, 0);
    EXPECT_FALSE(session->media.empty());
  }
}

TEST(ParseSdpTest, FfmpegAnnounce) {
  Session s = MustParse(ReadFixture("ffmpeg_announce_h264_opus.sdp"));
  ASSERT_TRUE(s.origin.has_value());
  EXPECT_EQ(*s.origin, (Origin{"-", "0", "0", "IN", "IP4", "127.0.0.1"}));
  EXPECT_EQ(s.name, "No Name");
  EXPECT_THAT(s.connections, ElementsAre(Connection{"IN", "IP4", "127.0.0.1"}));
  ASSERT_THAT(s.timings, SizeIs(1));
  EXPECT_EQ(s.timings[0].start, 0u);
  EXPECT_EQ(s.timings[0].stop, 0u);
  EXPECT_THAT(s.attributes, ElementsAre(Attribute{"tool", "libavformat LIBAVFORMAT_VERSION"}));
  ASSERT_THAT(s.media, SizeIs(2));

  const Media& video = s.media[0];
  EXPECT_EQ(video.type, "video");
  EXPECT_EQ(video.kind(), Media::Kind::kVideo);
  EXPECT_EQ(video.port, 0);
  EXPECT_EQ(video.proto, "RTP/AVP");
  EXPECT_THAT(video.formats, ElementsAre("96"));
  EXPECT_EQ(video.Control(), "streamid=0");
  ASSERT_THAT(video.attributes, SizeIs(3));
  EXPECT_EQ(video.attributes[0], (Attribute{"rtpmap", "96 H264/90000"}));
  EXPECT_EQ(video.attributes[1].name, "fmtp");
  EXPECT_EQ(video.attributes[2], (Attribute{"control", "streamid=0"}));

  const Media& audio = s.media[1];
  EXPECT_EQ(audio.kind(), Media::Kind::kAudio);
  EXPECT_THAT(audio.bandwidths, ElementsAre(Bandwidth{"AS", 64}));
  EXPECT_EQ(audio.Control(), "streamid=1");
}

TEST(ParseSdpTest, GstreamerDescribeKeepsEveryAttributeInOrder) {
  Session s = MustParse(ReadFixture("gst_describe_h264_opus.sdp"));
  // A 64-bit session id, above INT64_MAX: kept as written.
  EXPECT_EQ(s.origin->session_id, "18273658533910567941");
  EXPECT_EQ(s.name, "Session streamed with GStreamer");
  EXPECT_EQ(s.information, "rtsp-server");
  EXPECT_THAT(s.attributes,
              ElementsAre(Attribute{"tool", "GStreamer"}, Attribute{"type", "broadcast"},
                          Attribute{"control", "*"}, Attribute{"range", "npt=0-"}));
  EXPECT_EQ(s.Control(), "*");
  ASSERT_THAT(s.media, SizeIs(2));
  const Media& video = s.media[0];
  EXPECT_THAT(video.connections, ElementsAre(Connection{"IN", "IP4", "0.0.0.0"}));
  EXPECT_THAT(video.bandwidths, ElementsAre(Bandwidth{"AS", 2097}));
  std::vector<std::string> names;
  for (const Attribute& a : video.attributes) names.push_back(a.name);
  EXPECT_THAT(names, ElementsAre("rtpmap", "framerate", "fmtp", "control", "ts-refclk", "mediaclk",
                                 "ssrc"));
  EXPECT_EQ(video.Control(), "stream=0");
  EXPECT_EQ(s.media[1].Control(), "stream=1");
}

TEST(ParseSdpTest, HikvisionDescribe) {
  Session s = MustParse(ReadFixture("hikvision_v5_describe.sdp"));
  EXPECT_EQ(s.name, "HIK Media Server V5.03.010");
  EXPECT_EQ(s.information, "HIK Media Server Session Description : standard");
  EXPECT_THAT(s.emails, ElementsAre("NONE"));
  EXPECT_THAT(s.bandwidths, ElementsAre(Bandwidth{"AS", 2080}));
  ASSERT_THAT(s.media, SizeIs(2));
  EXPECT_EQ(s.media[0].information, "Video Media");
  EXPECT_THAT(s.media[0].bandwidths, ElementsAre(Bandwidth{"AS", 2048}));
  EXPECT_EQ(s.media[0].Direction(), MediaDirection::kRecvOnly);
  EXPECT_EQ(s.media[0].Control(), "trackID=video");
  EXPECT_EQ(s.media[1].Find("Media_header"),
            "MEDIAINFO=494D4B48020100000400000101200210401F0000000000000000000000000000000000000"
            "0000000;");
  EXPECT_EQ(s.media[1].Find("appversion"), "1.0");
}

TEST(ParseSdpTest, TpLinkOriginWithSevenFieldsAndOddMediaLine) {
  // No newline after the last line, as quoted in the issue.
  const std::string text = ReadFixture("tplink_h265_describe.sdp");
  ASSERT_NE(text.back(), '\n');
  Session s = MustParse(text);
  EXPECT_EQ(*s.origin, (Origin{"-", "14665860", "31787219 1", "IN", "IP4", "192.168.35.39"}));
  EXPECT_EQ(s.name, "Session streamed by \"TP-LINK RTSP Server\"");
  ASSERT_THAT(s.media, SizeIs(3));
  EXPECT_EQ(s.media[2].type, "application/tp-link");
  EXPECT_EQ(s.media[2].kind(), Media::Kind::kOther);
  EXPECT_THAT(s.media[2].formats, ElementsAre("smart/0/25000"));
  EXPECT_THAT(s.media[2].PayloadTypes(), ::testing::IsEmpty());
  EXPECT_EQ(s.media[2].Control(), "track3");
}

TEST(ParseSdpTest, H3cShortOriginAndConnection) {
  Session s = MustParse(ReadFixture("h3c_vcp_describe.sdp"));
  EXPECT_EQ(*s.origin, (Origin{"-", "1001", "1", "IN", "", ""}));
  ASSERT_THAT(s.media, SizeIs(2));
  EXPECT_THAT(s.media[0].connections, ElementsAre(Connection{"IN", "", ""}));
  EXPECT_TRUE(s.timings.empty());
  EXPECT_EQ(s.media[0].Control(), "rtsp://192.168.0.60/media/video1/video");
}

TEST(ParseSdpTest, DahuaBackchannelSection) {
  Session s = MustParse(ReadFixture("dahua_vto2202f_describe.sdp"));
  ASSERT_THAT(s.media, SizeIs(4));
  EXPECT_EQ(s.media[2].kind(), Media::Kind::kApplication);
  const Media& back = s.media[3];
  EXPECT_THAT(back.PayloadTypes(), ElementsAre(104, 103, 102, 8, 101, 97, 100, 0));
  EXPECT_EQ(back.Direction(), MediaDirection::kSendOnly);
  EXPECT_EQ(s.DirectionOf(back), MediaDirection::kSendOnly);
  EXPECT_EQ(s.DirectionOf(s.media[0]), MediaDirection::kRecvOnly);
}

TEST(ParseSdpTest, FirefoxSessionLevelIceAndSctpSection) {
  Session s = MustParse(ReadFixture("firefox_nightly_offer.sdp"));
  EXPECT_EQ(s.origin->username, "Mozilla-SIPUA");
  EXPECT_EQ(s.IceUfrag(), "e5785931");
  EXPECT_EQ(s.IcePwd(), "36fb7878390db89481c1d46daa4278d8");
  ASSERT_THAT(s.media, SizeIs(3));
  EXPECT_FALSE(s.media[0].IceUfrag().has_value());
  EXPECT_EQ(s.media[0].port, 36993);
  EXPECT_EQ(s.media[0].proto, "RTP/SAVPF");
  EXPECT_THAT(s.media[0].FindAll("candidate"), SizeIs(8));
  EXPECT_EQ(s.media[2].proto, "DTLS/SCTP");
  EXPECT_THAT(s.media[2].formats, ElementsAre("5000"));
  EXPECT_EQ(s.DirectionOf(s.media[1]), MediaDirection::kSendRecv);
}

TEST(ParseSdpTest, LineEndingsWhitespaceAndEmptyLinesAreTolerated) {
  const std::string crlf = ReadFixture("gst_describe_h265_pcma.sdp");
  std::string lf;
  std::string messy;
  for (char c : crlf) {
    if (c != '\r') lf.push_back(c);
    if (c == '\n') {
      messy.insert(messy.size() - 1, " \t");  // trailing whitespace before the CRLF
      messy.append("\r\n");                   // and an empty line
    } else {
      messy.push_back(c);
    }
  }
  std::string no_final_newline = lf.substr(0, lf.size() - 1);
  Session reference = MustParse(crlf);
  EXPECT_EQ(MustParse(lf), reference);
  EXPECT_EQ(MustParse(messy), reference);
  EXPECT_EQ(MustParse(no_final_newline), reference);
}

TEST(ParseSdpTest, SessionLinesInAnyOrderAndMissingOriginAndName) {
  // The order a camera in gortsplib's test suite uses: a= before s= and t=.
  Session s = MustParse(
      "v=0\r\no=- 1646532490 1646532490 IN IP4 10.175.31.17\r\na=control:*\r\n"
      "a=source-filter: incl IN IP4 * 10.175.31.17\r\ns=RTSP Server\r\na=range:npt=0-\r\n"
      "t=0 0\r\nm=video 0 RTP/AVP 96\r\n");
  EXPECT_EQ(s.name, "RTSP Server");
  EXPECT_THAT(s.attributes, ElementsAre(Attribute{"control", "*"},
                                        Attribute{"source-filter", " incl IN IP4 * 10.175.31.17"},
                                        Attribute{"range", "npt=0-"}));
  Session bare = MustParse("v=0\nm=audio 0 RTP/AVP 8\n");
  EXPECT_FALSE(bare.origin.has_value());
  EXPECT_EQ(bare.name, "");
  EXPECT_THAT(bare.media, SizeIs(1));
}

TEST(ParseSdpTest, MediaPortCountAndMultipleConnections) {
  Session s = MustParse(
      "v=0\r\ns=-\r\nm=video 49170/2 RTP/AVP 31\r\nc=IN IP4 224.2.1.1/127/2\r\n"
      "c=SM SM spk0_trackID2\r\nk=prompt\r\ni=two ports\r\n");
  ASSERT_THAT(s.media, SizeIs(1));
  EXPECT_EQ(s.media[0].port, 49170);
  EXPECT_EQ(s.media[0].port_count, 2u);
  EXPECT_THAT(s.media[0].connections, ElementsAre(Connection{"IN", "IP4", "224.2.1.1/127/2"},
                                                  Connection{"SM", "SM", "spk0_trackID2"}));
  EXPECT_EQ(s.media[0].key, "prompt");
  EXPECT_EQ(s.media[0].information, "two ports");
}

TEST(ParseSdpTest, AllSessionLineKinds) {
  Session s = MustParse(
      "v=0\r\no=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SDP Seminar\r\n"
      "i=A Seminar\r\nu=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com\r\n"
      "p=+1 617 555-6011\r\nc=IN IP4 224.2.17.12/127\r\nb=X-YZ:128\r\n"
      "t=2873397496 2873404696\r\nt=3034423619 3042462419\r\nr=604800 3600 0 90000\r\n"
      "z=2882844526 -3600 2898848070 0\r\nk=prompt\r\na=recvonly\r\n"
      "m=audio 49170 RTP/AVP 0\r\n");
  EXPECT_EQ(s.uri, "http://www.example.com/seminars/sdp.pdf");
  EXPECT_THAT(s.phones, ElementsAre("+1 617 555-6011"));
  EXPECT_THAT(s.bandwidths, ElementsAre(Bandwidth{"X-YZ", 128}));
  ASSERT_THAT(s.timings, SizeIs(2));
  EXPECT_EQ(s.timings[0].start, 2873397496u);
  EXPECT_TRUE(s.timings[0].repeats.empty());
  EXPECT_THAT(s.timings[1].repeats, ElementsAre("604800 3600 0 90000"));
  EXPECT_EQ(s.time_zones, "2882844526 -3600 2898848070 0");
  EXPECT_EQ(s.key, "prompt");
  EXPECT_EQ(s.Direction(), MediaDirection::kRecvOnly);
  EXPECT_EQ(s.DirectionOf(s.media[0]), MediaDirection::kRecvOnly);
}

struct BadCase {
  std::string text;
  const char* error;
};

TEST(ParseSdpTest, MalformedInputNamesTheLine) {
  const BadCase cases[] = {
      {"", "sdp: empty description"},
      {"\r\n\r\n", "sdp: empty description"},
      {"o=- 0 0 IN IP4 1.2.3.4\r\n", "sdp line 1: description must start with v="},
      {"\r\nv=zero\r\n", "sdp line 2: v= line needs a version number"},
      {"v=0\r\ns=x\r\nv=0\r\n", "sdp line 3: duplicate v= line"},
      {"v=0\r\n\r\nhello\r\n", "sdp line 3: expected <type>=<value>"},
      {"v=0\r\n=x\r\n", "sdp line 2: expected <type>=<value>"},
      {"v=0\r\nx=1\r\n", "sdp line 2: unknown line type 'x'"},
      {"v=0\r\nm=video 0 RTP/AVP 96\r\nq=1\r\n", "sdp line 3: unknown line type 'q'"},
      {std::string("v=0\r\ns=a\0b\r\n", 12), "sdp line 2: control character 0x00"},
      {"v=0\rs=x\r\n", "sdp line 1: control character 0x0d"},
      {"v=0\r\ns=\x7f\r\n", "sdp line 2: control character 0x7f"},
      {"v=0\r\no=- 1\r\n",
       "sdp line 2: o= line needs <username> <sess-id> <sess-version> <nettype> <addrtype> "
       "<address>"},
      {"v=0\r\no=- 1 1 IN IP4 a\r\no=- 1 1 IN IP4 a\r\n", "sdp line 3: duplicate o= line"},
      {"v=0\r\ns=a\r\ns=b\r\n", "sdp line 3: duplicate s= line"},
      {"v=0\r\ni=a\r\ni=b\r\n", "sdp line 3: duplicate i= line"},
      {"v=0\r\nc=\r\n", "sdp line 2: c= line needs <nettype> <addrtype> <address>"},
      {"v=0\r\nc=IN IP4 1.2.3.4 extra\r\n",
       "sdp line 2: c= line needs <nettype> <addrtype> <address>"},
      {"v=0\r\nb=AS\r\n", "sdp line 2: b= line needs <bwtype>:<bandwidth>"},
      {"v=0\r\nb=AS:-1\r\n", "sdp line 2: b= line needs <bwtype>:<bandwidth>"},
      {"v=0\r\nb=A S:1\r\n", "sdp line 2: b= line needs <bwtype>:<bandwidth>"},
      {"v=0\r\nb=AS:99999999999999999999\r\n", "sdp line 2: b= line needs <bwtype>:<bandwidth>"},
      {"v=0\r\nt=0\r\n", "sdp line 2: t= line needs <start-time> <stop-time>"},
      {"v=0\r\nt=now 0\r\n", "sdp line 2: t= line needs <start-time> <stop-time>"},
      {"v=0\r\nr=7d 1h 0 25h\r\n", "sdp line 2: r= line before any t= line"},
      {"v=0\r\na=\r\n", "sdp line 2: a= line needs <attribute>[:<value>]"},
      {"v=0\r\na=:x\r\n", "sdp line 2: a= line needs <attribute>[:<value>]"},
      {"v=0\r\na=rtp map:x\r\n", "sdp line 2: a= line needs <attribute>[:<value>]"},
      {"v=0\r\nm=video 0 RTP/AVP\r\n", "sdp line 2: m= line needs <media> <port> <proto> <fmt>"},
      {"v=0\r\nm=\r\n", "sdp line 2: m= line needs <media> <port> <proto> <fmt>"},
      {"v=0\r\nm=video 65536 RTP/AVP 96\r\n",
       "sdp line 2: m= port '65536' is not a number 0-65535"},
      {"v=0\r\nm=video -1 RTP/AVP 96\r\n", "sdp line 2: m= port '-1' is not a number 0-65535"},
      {"v=0\r\nm=video 9/0 RTP/AVP 96\r\n",
       "sdp line 2: m= port count '0' is not a positive number"},
      {"v=0\r\nm=video 0 RTP/AVP 96\r\nt=0 0\r\n",
       "sdp line 3: t= line inside a media section (it belongs before the first m=)"},
      {"v=0\r\nm=video 0 RTP/AVP 96\r\ns=late\r\n",
       "sdp line 3: s= line inside a media section (it belongs before the first m=)"},
      {"v=0\r\nm=video 0 RTP/AVP 96\r\ni=a\r\ni=b\r\n", "sdp line 4: duplicate i= line"},
      {"v=0\r\nm=video 0 RTP/AVP 96\r\nk=a\r\nk=b\r\n", "sdp line 4: duplicate k= line"},
      // The example from the design brief: the seventh line is a short m= line.
      {"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
       "a=tool:x\r\nm=video 0 RTP/AVP\r\n",
       "sdp line 7: m= line needs <media> <port> <proto> <fmt>"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<Session> session = ParseSdp(c.text);
    ASSERT_FALSE(session.ok());
    EXPECT_EQ(session.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(session.status().message()), c.error);
  }
}

TEST(ParseSdpTest, ControlCharacterInTheMiddleOfAFixture) {
  std::string text = ReadFixture("ffmpeg_announce_h264_aac.sdp");
  text.insert(text.find("a=control:streamid=1") + 5, 1, '\0');
  EXPECT_EQ(ErrorOf(text), "sdp line 15: control character 0x00");
}

TEST(ParseSdpTest, SizeLimit) {
  std::string text = "v=0\r\ns=";
  text.append(64 * 1024 - text.size() - 2, 'x');
  text.append("\r\n");
  ASSERT_EQ(text.size(), 64u * 1024);
  EXPECT_TRUE(ParseSdp(text).ok());
  text.insert(text.size() - 2, "x");
  absl::StatusOr<Session> session = ParseSdp(text);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(std::string(session.status().message()),
            "sdp: description is 65537 bytes, over the limit of 65536");
}

TEST(ParseSdpTest, MediaLimit) {
  std::string text = "v=0\r\ns=-\r\n";
  for (int i = 0; i < 64; ++i) text.append("m=audio 0 RTP/AVP 0\r\n");
  absl::StatusOr<Session> ok = ParseSdp(text);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_THAT(ok->media, SizeIs(64));
  text.append("m=audio 0 RTP/AVP 0\r\n");
  absl::StatusOr<Session> over = ParseSdp(text);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(std::string(over.status().message()), "sdp line 67: more than 64 media sections");
}

TEST(ParseSdpTest, AttributeLimitCountsSessionAndMedia) {
  std::string text = "v=0\r\n";
  for (int i = 0; i < 256; ++i) text.append("a=x\r\n");
  text.append("m=audio 0 RTP/AVP 0\r\n");
  for (int i = 0; i < 256; ++i) text.append("a=y\r\n");
  EXPECT_TRUE(ParseSdp(text).ok());
  text.append("a=one-too-many\r\n");
  absl::StatusOr<Session> over = ParseSdp(text);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(std::string(over.status().message()), "sdp line 515: more than 512 attributes");
}

TEST(ParseSdpTest, CustomLimits) {
  Limits limits;
  limits.max_bytes = 100;
  limits.max_media = 1;
  limits.max_attributes = 1;
  EXPECT_EQ(ErrorOf(ReadFixture("ffmpeg_rtp_vp8.sdp"), limits),
            "sdp: description is 167 bytes, over the limit of 100");
  EXPECT_EQ(ErrorOf("v=0\nm=a 0 p 1\nm=a 0 p 1\n", limits),
            "sdp line 3: more than 1 media sections");
  EXPECT_EQ(ErrorOf("v=0\na=1\na=2\n", limits), "sdp line 3: more than 1 attributes");
}

TEST(ParseSdpTest, ArbitraryBytesNeverCrash) {
  // Mutations of a real capture (a deterministic xorshift drives them); the fuzz target goes
  // much further. Each result is either a Session or an error that names a line.
  const std::string base = ReadFixture("gst_describe_h264_aac.sdp");
  uint32_t state = 0x12345678;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  for (int round = 0; round < 3000; ++round) {
    std::string text = base;
    const int edits = 1 + next() % 8;
    for (int e = 0; e < edits; ++e) {
      const size_t at = next() % text.size();
      switch (next() % 3) {
        case 0:
          text[at] = static_cast<char>(next());
          break;
        case 1:
          text.erase(at, 1 + next() % 16);
          break;
        default:
          text.insert(at, std::string(1 + next() % 4, static_cast<char>(next())));
      }
      if (text.empty()) text = "v";
    }
    absl::StatusOr<Session> session = ParseSdp(text);
    if (!session.ok()) {
      EXPECT_THAT(std::string(session.status().message()), ::testing::StartsWith("sdp"));
    }
  }
}

}  // namespace
}  // namespace ringcast::net::sdp
