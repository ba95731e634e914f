#include "net/rtsp/transport.h"

#include <string>
#include <vector>

#include "core/strings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/net/rtsp/capture_util.h"

namespace ringcast::net::rtsp {
namespace {

using ::testing::HasSubstr;
using testing::Messages;
using testing::ReadCapture;

// The Transport header of the one SETUP request (or its response) in a capture.
std::string SetupTransport(const std::string& file, http::Parser::Kind kind) {
  std::vector<http::Message> messages = Messages(ReadCapture(file), kind);
  std::vector<std::string> found;
  for (const http::Message& m : messages) {
    if (const std::string* t = m.FindHeader("Transport")) found.push_back(*t);
  }
  EXPECT_EQ(found.size(), 1u) << file;
  return found.empty() ? "" : found[0];
}

TransportSpec MustParse(std::string_view text) {
  absl::StatusOr<TransportSpec> spec = ParseTransportSpec(text);
  EXPECT_TRUE(spec.ok()) << text << ": " << spec.status();
  return spec.ok() ? *spec : TransportSpec{};
}

TEST(RtspTransportTest, FfmpegPublishOverTcp) {
  const std::string header = SetupTransport("ffmpeg_publish_tcp.c2s", http::Parser::Kind::kRequest);
  ASSERT_EQ(header, "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
  TransportSpec spec = MustParse(header);
  EXPECT_EQ(spec.profile, "AVP");
  EXPECT_EQ(spec.lower, LowerTransport::kTcp);
  EXPECT_EQ(spec.delivery, Delivery::kUnicast);
  ASSERT_TRUE(spec.interleaved.has_value());
  EXPECT_EQ(*spec.interleaved, (ChannelPair{0, 1}));
  EXPECT_EQ(spec.EffectiveMode(), TransportMode::kRecord);
  EXPECT_FALSE(spec.client_port.has_value());
  EXPECT_TRUE(CheckSupported(spec).ok());
  EXPECT_EQ(FormatTransportSpec(spec), header);
}

TEST(RtspTransportTest, FfmpegPublishOverUdp) {
  const std::string header = SetupTransport("ffmpeg_publish_udp.c2s", http::Parser::Kind::kRequest);
  ASSERT_THAT(header, ::testing::StartsWith("RTP/AVP/UDP;unicast;client_port="));
  TransportSpec spec = MustParse(header);
  EXPECT_EQ(spec.lower, LowerTransport::kUdp);
  ASSERT_TRUE(spec.client_port.has_value());
  EXPECT_EQ(spec.client_port->rtcp, spec.client_port->rtp + 1);
  EXPECT_EQ(spec.client_port->rtp % 2, 0);
  EXPECT_EQ(spec.EffectiveMode(), TransportMode::kRecord);
  EXPECT_TRUE(CheckSupported(spec).ok());
  // "/UDP" is the default lower transport and is not written back.
  EXPECT_EQ(FormatTransportSpec(spec),
            core::StrCat("RTP/AVP;unicast;client_port=", spec.client_port->rtp, "-",
                         spec.client_port->rtcp, ";mode=record"));
}

TEST(RtspTransportTest, ReadersOverTcpAndUdp) {
  for (const char* file : {"ffprobe_tcp.c2s", "gst_rtspsrc_tcp.c2s", "gst_server_play_tcp.c2s"}) {
    const std::string header = SetupTransport(file, http::Parser::Kind::kRequest);
    EXPECT_EQ(header, "RTP/AVP/TCP;unicast;interleaved=0-1") << file;
    TransportSpec spec = MustParse(header);
    EXPECT_EQ(spec.lower, LowerTransport::kTcp) << file;
    EXPECT_EQ(spec.EffectiveMode(), TransportMode::kPlay) << file;
    EXPECT_FALSE(spec.mode.has_value()) << file;
    EXPECT_EQ(FormatTransportSpec(spec), header) << file;
  }
  for (const char* file : {"ffprobe_udp.c2s", "gst_rtspsrc_udp.c2s", "gst_server_play_udp.c2s"}) {
    const std::string header = SetupTransport(file, http::Parser::Kind::kRequest);
    TransportSpec spec = MustParse(header);
    EXPECT_EQ(spec.lower, LowerTransport::kUdp) << file;
    EXPECT_EQ(spec.delivery, Delivery::kUnicast) << file;
    ASSERT_TRUE(spec.client_port.has_value()) << file;
    EXPECT_EQ(spec.client_port->rtcp, spec.client_port->rtp + 1) << file;
    EXPECT_TRUE(CheckSupported(spec).ok()) << file;
  }
}

TEST(RtspTransportTest, GstreamerServerReplies) {
  // GStreamer's RTSP server quotes mode and adds ssrc.
  const std::string tcp = SetupTransport("gst_server_play_tcp.s2c", http::Parser::Kind::kResponse);
  ASSERT_THAT(tcp, ::testing::MatchesRegex(
                       R"(RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=[0-9A-F]{8};mode="PLAY")"));
  TransportSpec spec = MustParse(tcp);
  ASSERT_TRUE(spec.ssrc.has_value());
  EXPECT_EQ(*spec.ssrc, std::stoul(tcp.substr(tcp.find("ssrc=") + 5, 8), nullptr, 16));
  ASSERT_TRUE(spec.mode.has_value());
  EXPECT_EQ(*spec.mode, TransportMode::kPlay);
  // Formats back with mode unquoted and the ssrc in 8 upper-case hex digits.
  std::string expected = tcp;
  expected.replace(expected.find("mode=\"PLAY\""), 11, "mode=play");
  EXPECT_EQ(FormatTransportSpec(spec), expected);

  const std::string udp = SetupTransport("gst_server_play_udp.s2c", http::Parser::Kind::kResponse);
  TransportSpec reply = MustParse(udp);
  ASSERT_TRUE(reply.server_port.has_value());
  ASSERT_TRUE(reply.client_port.has_value());
  EXPECT_EQ(reply.server_port->rtcp, reply.server_port->rtp + 1);
  EXPECT_TRUE(reply.ssrc.has_value());
  EXPECT_EQ(FormatTransportSpec(MustParse(FormatTransportSpec(reply))), FormatTransportSpec(reply));
}

TEST(RtspTransportTest, FfmpegListenerRepliesModeReceive) {
  // ffmpeg's RTSP listener answers a RECORD SETUP with the RFC 2326 synonym "receive".
  const std::string header =
      SetupTransport("ffmpeg_listen_record.s2c", http::Parser::Kind::kResponse);
  ASSERT_EQ(header, "RTP/AVP/TCP;unicast;mode=receive;interleaved=0-1");
  TransportSpec spec = MustParse(header);
  EXPECT_EQ(spec.EffectiveMode(), TransportMode::kRecord);
  EXPECT_EQ(*spec.interleaved, (ChannelPair{0, 1}));
  EXPECT_EQ(FormatTransportSpec(spec), "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
}

TEST(RtspTransportTest, MulticastParsesButIsUnsupported) {
  for (const char* file : {"ffprobe_udp_multicast.c2s", "gst_rtspsrc_udp_mcast.c2s"}) {
    const std::string header = SetupTransport(file, http::Parser::Kind::kRequest);
    TransportSpec spec = MustParse(header);
    EXPECT_EQ(spec.delivery, Delivery::kMulticast) << file;
    absl::Status status = CheckSupported(spec);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << file;
    EXPECT_EQ(status.message(), "Transport: multicast delivery is not supported") << file;
    absl::StatusOr<TransportSpec> chosen = ChooseTransport(header, {});
    EXPECT_FALSE(chosen.ok()) << file;
  }
  TransportSpec full =
      MustParse("RTP/AVP;multicast;destination=224.2.0.1;port=3456-3457;ttl=16");  // RFC 2326
  EXPECT_EQ(full.destination, "224.2.0.1");
  EXPECT_EQ(*full.port, (PortPair{3456, 3457}));
  EXPECT_EQ(*full.ttl, 16);
  EXPECT_EQ(FormatTransportSpec(full),
            "RTP/AVP;multicast;destination=224.2.0.1;port=3456-3457;ttl=16");
}

TEST(RtspTransportTest, OtherProfilesAreUnsupported) {
  const std::string header =
      SetupTransport("gst_rtspsrc_avpf_tcp.c2s", http::Parser::Kind::kRequest);
  ASSERT_EQ(header, "RTP/AVPF/TCP;unicast;interleaved=0-1");
  TransportSpec spec = MustParse(header);
  EXPECT_EQ(spec.profile, "AVPF");
  EXPECT_THAT(std::string(CheckSupported(spec).message()),
              HasSubstr("profile RTP/AVPF is not supported"));
  EXPECT_EQ(FormatTransportSpec(spec), header);
}

TEST(RtspTransportTest, ServerPicksFromAlternatives) {
  // GStreamer's rtspsrc design notes show a client offering three alternatives in one header.
  const std::string offer =
      "RTP/AVP/UDP;unicast;client_port=5000-5001,RTP/AVP/UDP;multicast,RTP/AVP/TCP";
  absl::StatusOr<std::vector<TransportSpec>> all = ParseTransport(offer);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[1].delivery, Delivery::kMulticast);
  EXPECT_EQ(FormatTransport(*all),
            "RTP/AVP;unicast;client_port=5000-5001,RTP/AVP;multicast,RTP/AVP/TCP");

  absl::StatusOr<TransportSpec> udp = ChooseTransport(offer, {});
  ASSERT_TRUE(udp.ok()) << udp.status();
  EXPECT_EQ(udp->lower, LowerTransport::kUdp);
  EXPECT_EQ(*udp->client_port, (PortPair{5000, 5001}));

  absl::StatusOr<TransportSpec> tcp = ChooseTransport(offer, {.allow_udp = false});
  ASSERT_TRUE(tcp.ok()) << tcp.status();
  EXPECT_EQ(tcp->lower, LowerTransport::kTcp);
  EXPECT_FALSE(tcp->interleaved.has_value());  // the server assigns the channels

  absl::StatusOr<TransportSpec> none =
      ChooseTransport("RTP/AVP;unicast;client_port=5000-5001", {.allow_udp = false});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "Transport: UDP is disabled by rtsp.transports");

  // A malformed first alternative does not hide a good second one; the reason of the first is
  // what is reported when none fits.
  absl::StatusOr<TransportSpec> second =
      ChooseTransport("RTP/AVP;unicast;client_port=x, RTP/AVP/TCP;interleaved=2-3", {});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second->interleaved, (ChannelPair{2, 3}));
  absl::StatusOr<TransportSpec> bad = ChooseTransport("RTP/AVP;client_port=x, RTP/SAVP/TCP", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Transport: client_port is not a number in 1..65535");

  // ParseTransport is strict: one bad alternative fails the list. Commas inside quotes are not
  // separators.
  EXPECT_FALSE(ParseTransport("RTP/AVP/TCP;interleaved=0-1,RTP/AVP;client_port=1-").ok());
  absl::StatusOr<std::vector<TransportSpec>> quoted =
      ParseTransport("RTP/AVP/TCP;interleaved=0-1;mode=\"PLAY,PLAY\",RTP/AVP;client_port=8-9");
  ASSERT_TRUE(quoted.ok()) << quoted.status();
  EXPECT_EQ(quoted->size(), 2u);
}

TEST(RtspTransportTest, SinglePortsAndChannelsImplyTheNextOne) {
  TransportSpec spec = MustParse("RTP/AVP;unicast;client_port=5000;server_port=6970");
  EXPECT_EQ(*spec.client_port, (PortPair{5000, 5001}));
  EXPECT_EQ(*spec.server_port, (PortPair{6970, 6971}));
  TransportSpec tcp = MustParse("RTP/AVP/TCP;interleaved=4");
  EXPECT_EQ(*tcp.interleaved, (ChannelPair{4, 5}));
}

TEST(RtspTransportTest, CaseQuotesSpacesAndUnknownParameters) {
  TransportSpec spec = MustParse(
      " rtp/avp/tcp ; Unicast ; INTERLEAVED = 2 - 3 ; Mode=\"RECORD\" ; layers=2; x-foo=bar;");
  EXPECT_EQ(spec.lower, LowerTransport::kTcp);
  EXPECT_EQ(spec.delivery, Delivery::kUnicast);
  EXPECT_EQ(*spec.interleaved, (ChannelPair{2, 3}));
  EXPECT_EQ(*spec.mode, TransportMode::kRecord);
  EXPECT_EQ(FormatTransportSpec(spec), "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record");

  TransportSpec ssrc = MustParse("RTP/AVP;unicast;client_port=8000-8001;ssrc=1a2b;append");
  EXPECT_EQ(*ssrc.ssrc, 0x1a2bu);
  EXPECT_TRUE(ssrc.append);
  EXPECT_EQ(FormatTransportSpec(ssrc),
            "RTP/AVP;unicast;client_port=8000-8001;ssrc=00001A2B;append");
  TransportSpec play = MustParse("RTP/AVP;unicast;client_port=8000-8001;mode=play");
  EXPECT_EQ(FormatTransportSpec(play), "RTP/AVP;unicast;client_port=8000-8001;mode=play");
}

TEST(RtspTransportTest, MalformedSpecsAreRejectedWithReasons) {
  struct Case {
    const char* spec;
    const char* reason;
  };
  const Case cases[] = {
      {"RTP/AVP;unicast;client_port=5000-", "Transport: client_port needs two ports"},
      {"RTP/AVP;unicast;client_port=65535", "Transport: client_port needs two ports"},
      {"RTP/AVP;unicast;client_port=5001-5000", "Transport: client_port needs two ports"},
      {"RTP/AVP;unicast;client_port=5000-5000", "Transport: client_port needs two ports"},
      {"RTP/AVP;unicast;client_port=abc", "Transport: client_port is not a number in 1..65535"},
      {"RTP/AVP;unicast;client_port=0-1", "Transport: client_port is not a number in 1..65535"},
      {"RTP/AVP;unicast;client_port=70000-70001", "client_port is not a number in 1..65535"},
      {"RTP/AVP;unicast;server_port=", "Transport: server_port is not a number in 1..65535"},
      {"RTP/AVP/TCP;interleaved=256-257", "interleaved is not a channel number in 0..255"},
      {"RTP/AVP/TCP;interleaved=255", "Transport: interleaved needs two channels"},
      {"RTP/AVP/SCTP;unicast", "lower transport must be TCP or UDP"},
      {"RTSP/AVP;unicast", "only RTP transports are supported"},
      {"RTP;unicast", "only RTP transports are supported"},
      {"RTP/;unicast", "missing RTP profile"},
      {"RTP/A-VP;unicast", "bad character in RTP profile"},
      {"RTP/AVP;unicast;multicast", "both unicast and multicast"},
      {"RTP/AVP;unicast;client_port=1-2;client_port=3-4", "parameter given twice: client_port"},
      {"RTP/AVP;unicast;ssrc=123456789", "ssrc is not 1 to 8 hex digits"},
      {"RTP/AVP;unicast;ssrc=xyz", "ssrc is not 1 to 8 hex digits"},
      {"RTP/AVP;unicast;ssrc=", "ssrc is not 1 to 8 hex digits"},
      {"RTP/AVP;unicast;ttl=256", "ttl is not a number in 0..255"},
      {"RTP/AVP;unicast;mode=teardown", "mode must be PLAY or RECORD"},
      {"RTP/AVP;unicast;mode=\"PLAY,RECORD\"", "mode lists both PLAY and RECORD"},
      {"RTP/AVP;unicast;mode", "mode needs a value"},
      {"RTP/AVP;multicast;destination=\"a;b\"", "bad destination address"},
      {"", "empty transport-spec"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TransportSpec> spec = ParseTransportSpec(c.spec);
    ASSERT_FALSE(spec.ok()) << c.spec;
    EXPECT_THAT(std::string(spec.status().message()), HasSubstr(c.reason)) << c.spec;
    EXPECT_THAT(std::string(spec.status().message()), ::testing::StartsWith("Transport: "));
  }
}

TEST(RtspTransportTest, UdpWithoutPortsCannotBeServed) {
  absl::Status status = CheckSupported(MustParse("RTP/AVP;unicast"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("needs client_port"));
}

}  // namespace
}  // namespace ringcast::net::rtsp
