#include "net/sdp/writer.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/sdp/parser.h"
#include "tests/unit/net/sdp/fixtures.h"

namespace ringcast::net::sdp {
namespace {

using testing::AllFixtures;
using testing::ReadFixture;

TEST(WriteSdpTest, EveryFixtureRoundTrips) {
  for (const std::string& name : AllFixtures()) {
    SCOPED_TRACE(name);
    absl::StatusOr<Session> parsed = ParseSdp(ReadFixture(name));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    const std::string written = WriteSdp(*parsed);
    absl::StatusOr<Session> reparsed = ParseSdp(written);
    ASSERT_TRUE(reparsed.ok()) << reparsed.status() << "\n" << written;
    EXPECT_EQ(*reparsed, *parsed) << written;
    // Canonical output is a fixed point.
    EXPECT_EQ(WriteSdp(*reparsed), written);
  }
}

TEST(WriteSdpTest, CanonicalCapturesComeBackByteForByte) {
  // ffmpeg and GStreamer already write canonical SDP: CRLF, RFC 8866 line order.
  for (const char* name : {"ffmpeg_announce_h264_opus.sdp", "ffmpeg_announce_h265_opus.sdp",
                           "ffmpeg_rtp_h264_pcmu_pcma.sdp", "gst_describe_h264_opus.sdp",
                           "gst_describe_vp8_vp9_pcmu.sdp", "dahua_vto2202f_describe.sdp",
                           "firefox_nightly_offer.sdp"}) {
    SCOPED_TRACE(name);
    const std::string text = ReadFixture(name);
    absl::StatusOr<Session> parsed = ParseSdp(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(WriteSdp(*parsed), text);
  }
}

TEST(WriteSdpTest, NonCanonicalInputIsNormalized) {
  // LF line ends and a TP-Link 7-field origin; the odd m= line is kept.
  absl::StatusOr<Session> parsed = ParseSdp(ReadFixture("tplink_h265_describe.sdp"));
  ASSERT_TRUE(parsed.ok());
  const std::string written = WriteSdp(*parsed);
  EXPECT_THAT(written,
              ::testing::StartsWith("v=0\r\no=- 14665860 31787219 1 IN IP4 192.168.35.39\r\n"
                                    "s=Session streamed by \"TP-LINK RTSP Server\"\r\nt=0 0\r\n"
                                    "m=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:4096\r\n"
                                    "a=range:npt=0-\r\n"));
  EXPECT_THAT(written, ::testing::EndsWith("m=application/tp-link 0 RTP/AVP smart/0/25000\r\n"
                                           "a=rtpmap:95 tp-link/25000\r\na=control:track3\r\n"));

  // Lines out of order, extra spaces, short o= and c= lines.
  parsed = ParseSdp(
      "v=0\na=control:*\ns=x\no=-  1001 1 IN\nt=0 0\nc=IN\nm=video  9/2  RTP/AVP  96   97\n"
      "a=recvonly\nb=AS:100\ni=cam\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(WriteSdp(*parsed),
            "v=0\r\no=- 1001 1 IN\r\ns=x\r\nc=IN\r\nt=0 0\r\na=control:*\r\n"
            "m=video 9/2 RTP/AVP 96 97\r\ni=cam\r\nb=AS:100\r\na=recvonly\r\n");
}

TEST(WriteSdpTest, BuiltAnswer) {
  // The shape of a DESCRIBE answer the RTSP server will build.
  Session s;
  s.origin = Origin{"-", "1", "1", "IN", "IP4", "192.0.2.1"};
  s.name = "ringcast";
  s.connections.push_back({"IN", "IP4", "0.0.0.0"});
  s.timings.push_back({});
  s.attributes = {{"tool", "ringcast"}, {"control", "*"}, {"range", "npt=0-"}};
  Media video;
  video.type = "video";
  video.proto = "RTP/AVP";
  video.formats = {"96"};
  video.attributes = {{"rtpmap", "96 H264/90000"},
                      {"fmtp", "96 packetization-mode=1;profile-level-id=42e01f"},
                      {"control", "trackID=0"}};
  s.media.push_back(video);
  Media audio;
  audio.type = "audio";
  audio.proto = "RTP/AVP";
  audio.formats = {"0"};
  audio.bandwidths.push_back({"AS", 64});
  audio.attributes = {{"control", "trackID=1"}, {"sendonly", ""}};
  s.media.push_back(audio);

  const std::string text = WriteSdp(s);
  EXPECT_EQ(text,
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=ringcast\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
            "a=tool:ringcast\r\na=control:*\r\na=range:npt=0-\r\n"
            "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
            "a=fmtp:96 packetization-mode=1;profile-level-id=42e01f\r\na=control:trackID=0\r\n"
            "m=audio 0 RTP/AVP 0\r\nb=AS:64\r\na=control:trackID=1\r\na=sendonly\r\n");
  absl::StatusOr<Session> reparsed = ParseSdp(text);
  ASSERT_TRUE(reparsed.ok());
  EXPECT_EQ(*reparsed, s);
}

TEST(WriteSdpTest, EveryLineKind) {
  const std::string text =
      "v=0\r\no=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SDP Seminar\r\n"
      "i=A Seminar on the session description protocol\r\n"
      "u=http://www.example.com/seminars/sdp.pdf\r\ne=j.doe@example.com (Jane Doe)\r\n"
      "p=+1 617 555-6011\r\nc=IN IP4 224.2.17.12/127\r\nb=X-YZ:128\r\nb=AS:12345\r\n"
      "t=2873397496 2873404696\r\nt=3034423619 3042462419\r\nr=604800 3600 0 90000\r\n"
      "z=2882844526 -3600 2898848070 0\r\nk=prompt\r\n"
      "a=candidate:0 1 UDP 2113667327 203.0.113.1 54400 typ host\r\na=recvonly\r\n"
      "m=audio 49170 RTP/AVP 0\r\ni=Vivamus a posuere nisl\r\nc=IN IP4 203.0.113.1\r\n"
      "b=X-YZ:128\r\nk=prompt\r\na=sendrecv\r\nm=video 51372 RTP/AVP 99\r\n"
      "a=rtpmap:99 h263-1998/90000\r\n";
  absl::StatusOr<Session> parsed = ParseSdp(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(WriteSdp(*parsed), text);
}

}  // namespace
}  // namespace ringcast::net::sdp
