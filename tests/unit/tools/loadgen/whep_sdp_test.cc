#include "tools/loadgen/whep_sdp.h"

#include <gtest/gtest.h>

#include "net/sdp/parser.h"

namespace ringcast::loadgen {
namespace {

// The shape of a ringcastd answer (net/webrtc/answer.cc) to our offer.
constexpr char kAnswer[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=ice-lite\r\n"
    "a=group:BUNDLE 0\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 102\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Vh3k9xQe\r\n"
    "a=ice-pwd:rP0cYlUbXn7Vq2hD3kB8eFzA\r\n"
    "a=fingerprint:sha-256 "
    "03:63:4B:E0:AA:51:4E:82:82:EE:A6:A9:4F:6E:4E:95:72:E5:AE:CD:CB:89:F0:1F:E4:C9:CA:27:02:1F:26:"
    "6A\r\n"
    "a=setup:passive\r\n"
    "a=mid:0\r\n"
    "a=sendonly\r\n"
    "a=msid:rc video0\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=ssrc:3735928559 cname:ringcast\r\n"
    "a=candidate:1 1 udp 2130706431 ::1 40000 typ host\r\n"
    "a=candidate:2 1 udp 2130706175 127.0.0.1 40001 typ host\r\n"
    "a=end-of-candidates\r\n";

TEST(WhepSdpTest, ParsesTheAnswer) {
  absl::StatusOr<WhepAnswer> a = ParseAnswer(kAnswer);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ice_ufrag, "Vh3k9xQe");
  EXPECT_EQ(a->ice_pwd, "rP0cYlUbXn7Vq2hD3kB8eFzA");
  EXPECT_EQ(a->fingerprint_hash, "sha-256");
  EXPECT_EQ(a->fingerprint.size(), 95u);
  EXPECT_EQ(a->setup, "passive");
  EXPECT_EQ(a->candidate_ip, "127.0.0.1");  // the IPv6 one is skipped
  EXPECT_EQ(a->candidate_port, 40001);
  EXPECT_EQ(a->payload_type, 102);
  EXPECT_EQ(a->profile_level_id, "42e01f");
  EXPECT_EQ(a->ssrc, 3735928559u);
}

TEST(WhepSdpTest, ErrorsNameWhatIsMissing) {
  std::string no_candidate = kAnswer;
  no_candidate.erase(
      no_candidate.find("a=candidate:2"),
      std::string_view("a=candidate:2 1 udp 2130706175 127.0.0.1 40001 typ host\r\n").size());
  absl::StatusOr<WhepAnswer> a = ParseAnswer(no_candidate);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(std::string(a.status().message()).find("a=candidate"), std::string::npos);

  std::string active = kAnswer;
  active.replace(active.find("setup:passive"), 13, "setup:active");
  EXPECT_FALSE(ParseAnswer(active).ok());

  EXPECT_FALSE(ParseAnswer("v=0\r\ns=-\r\nt=0 0\r\n").ok());
  EXPECT_FALSE(ParseAnswer("garbage").ok());
}

TEST(WhepSdpTest, OfferLooksLikeChromesRecvonlyOffer) {
  const std::string offer = BuildOffer({.ice_ufrag = "abcd",
                                        .ice_pwd = "0123456789abcdefghijkl",
                                        .fingerprint = "AB:CD",
                                        .session_id = 42});
  absl::StatusOr<net::sdp::Session> s = net::sdp::ParseSdp(offer);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->media.size(), 1u);
  const net::sdp::Media& m = s->media[0];
  EXPECT_EQ(m.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(m.PayloadTypes(), (std::vector<int>{102, 108, 112, 123}));
  EXPECT_EQ(m.Setup(), "active");
  EXPECT_TRUE(m.RtcpMux());
  EXPECT_EQ(s->DirectionOf(m), net::sdp::MediaDirection::kRecvOnly);
  EXPECT_EQ(m.IceUfrag(), "abcd");
  EXPECT_EQ(m.Fmtp(102)->Get("profile-level-id"), "42e01f");
  EXPECT_EQ(m.Fmtp(108)->Get("profile-level-id"), "42001f");
  EXPECT_EQ(m.Fingerprint()->value, "AB:CD");
}

TEST(WhepSdpTest, RandomIceStringsUseTheIceAlphabet) {
  const std::string s = RandomIceString(64);
  EXPECT_EQ(s.size(), 64u);
  for (char c : s) EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/');
  EXPECT_NE(RandomIceString(24), RandomIceString(24));
}

}  // namespace
}  // namespace ringcast::loadgen
