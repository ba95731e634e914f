#include "net/rtsp/url.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/net/rtsp/capture_util.h"

namespace ringcast::net::rtsp {
namespace {

using ::testing::HasSubstr;
using testing::Messages;
using ::testing::Not;
using testing::ReadCapture;

TEST(RtspUrlTest, CameraUrlWithEverything) {
  absl::StatusOr<Url> url = ParseUrl("rtsp://admin:12345@10.0.0.7:554/Streaming/101?transport=tcp");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->secure);
  EXPECT_TRUE(url->has_user);
  EXPECT_EQ(url->user, "admin");
  EXPECT_EQ(url->password, "12345");
  EXPECT_EQ(url->host, "10.0.0.7");
  EXPECT_FALSE(url->host_is_ipv6);
  EXPECT_EQ(url->port, 554);
  EXPECT_TRUE(url->port_explicit);
  EXPECT_EQ(url->path, "/Streaming/101");
  EXPECT_EQ(url->query, "transport=tcp");
  EXPECT_EQ(url->RequestUri(), "rtsp://10.0.0.7:554/Streaming/101?transport=tcp");
  EXPECT_EQ(url->HostPort(), "10.0.0.7:554");
}

TEST(RtspUrlTest, DefaultsPerScheme) {
  absl::StatusOr<Url> plain = ParseUrl("rtsp://cam.local");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->port, 554);
  EXPECT_FALSE(plain->port_explicit);
  EXPECT_EQ(plain->path, "/");
  EXPECT_FALSE(plain->has_user);
  EXPECT_EQ(plain->RequestUri(), "rtsp://cam.local/");
  EXPECT_EQ(plain->HostPort(), "cam.local:554");

  absl::StatusOr<Url> secure = ParseUrl("RTSPS://cam.local/x");
  ASSERT_TRUE(secure.ok()) << secure.status();
  EXPECT_TRUE(secure->secure);
  EXPECT_EQ(secure->port, 322);
  EXPECT_EQ(secure->RequestUri(), "rtsps://cam.local/x");

  // RFC 3986 §3.2.3: an empty port is the default.
  absl::StatusOr<Url> empty_port = ParseUrl("rtsp://cam.local:/x");
  ASSERT_TRUE(empty_port.ok()) << empty_port.status();
  EXPECT_EQ(empty_port->port, 554);
}

TEST(RtspUrlTest, CredentialsArePercentDecoded) {
  absl::StatusOr<Url> url = ParseUrl("rtsp://us%40er:p%3As%2Fs%20w@[::1]:8554/cam1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->user, "us@er");
  EXPECT_EQ(url->password, "p:s/s w");
  EXPECT_EQ(url->host, "::1");
  EXPECT_TRUE(url->host_is_ipv6);
  EXPECT_EQ(url->port, 8554);
  EXPECT_EQ(url->RequestUri(), "rtsp://[::1]:8554/cam1");
  EXPECT_EQ(url->HostPort(), "[::1]:8554");

  // A raw '@' in a camera password: userinfo runs to the last '@'.
  absl::StatusOr<Url> raw = ParseUrl("rtsp://admin:p@ss@10.0.0.1/x");
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->password, "p@ss");
  EXPECT_EQ(raw->host, "10.0.0.1");

  absl::StatusOr<Url> user_only = ParseUrl("rtsp://viewer@10.0.0.1/x");
  ASSERT_TRUE(user_only.ok());
  EXPECT_EQ(user_only->user, "viewer");
  EXPECT_EQ(user_only->password, "");
}

TEST(RtspUrlTest, Ipv6Forms) {
  absl::StatusOr<Url> url = ParseUrl("rtsp://[2001:db8::7]/live");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "2001:db8::7");
  EXPECT_EQ(url->port, 554);
  EXPECT_EQ(url->RequestUri(), "rtsp://[2001:db8::7]/live");

  absl::StatusOr<Url> zoned = ParseUrl("rtsp://[fe80::1%25eth0]:8554/live");
  ASSERT_TRUE(zoned.ok()) << zoned.status();
  EXPECT_EQ(zoned->host, "fe80::1%eth0");
  EXPECT_EQ(zoned->RequestUri(), "rtsp://[fe80::1%25eth0]:8554/live");
}

TEST(RtspUrlTest, BadUrlsAreRejectedWithReasons) {
  struct Case {
    const char* url;
    const char* reason;
  };
  const Case cases[] = {
      {"http://cam/x", "scheme is not rtsp or rtsps"},
      {"cam1", "not an absolute URL"},
      {"rtsp://", "empty host"},
      {"rtsp:///cam1", "empty host"},
      {"rtsp://:554/cam1", "empty host"},
      {"rtsp://user:pw@/cam1", "empty host"},
      {"rtsp://host:0/x", "port is not a number in 1..65535"},
      {"rtsp://host:65536/x", "port is not a number in 1..65535"},
      {"rtsp://host:55a/x", "port is not a number in 1..65535"},
      {"rtsp://[::1/x", "IPv6 host without ']'"},
      {"rtsp://[::1]x/x", "unexpected characters after the IPv6 host"},
      {"rtsp://[zz::1]/x", "malformed IPv6 host"},
      {"rtsp://[fe80::1%25]/x", "bad IPv6 zone identifier"},
      {"rtsp://::1/x", "IPv6 host without brackets"},
      {"rtsp://999.1.1.1/x", "malformed IPv4 host"},
      {"rtsp://ho$t/x", "bad character in host"},
      {"rtsp://host/a b", "space, control or non-ASCII byte"},
      {"rtsp://host/a\r\nX: y", "space, control or non-ASCII byte"},
      {"rtsp://host/%zz", "bad percent escape in path"},
      {"rtsp://host/x#frag", "fragment"},
      {"rtsp://us%4:pw@host/x", "bad percent escape in user name"},
      {"rtsp://user:p%4@host/x", "bad percent escape in password"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Url> url = ParseUrl(c.url);
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << c.url;
    EXPECT_THAT(std::string(url.status().message()), HasSubstr(c.reason)) << c.url;
  }
}

TEST(RtspUrlTest, ErrorsNeverEchoThePassword) {
  // A password with a raw '/' ends the authority early: "user:hunter2" looks like host:port.
  for (const char* bad : {"rtsp://user:hunter2/x@host/cam", "rtsp://user:hunter2@host:99999/",
                          "rtsp://user:hunter2%zz@host/", "rtsp://user:hunter2@[::1/"}) {
    absl::StatusOr<Url> url = ParseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_THAT(std::string(url.status().message()), Not(HasSubstr("hunter2"))) << bad;
    EXPECT_THAT(RedactUrl(bad), Not(HasSubstr("hunter2"))) << bad;
  }
}

TEST(RtspUrlTest, LogFormHasNoCredentials) {
  absl::StatusOr<Url> url = ParseUrl("rtsp://admin:s3cret@cam.local:8554/live/cam1?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(FormatUrl(*url), "rtsp://cam.local:8554/live/cam1?x=1");
  EXPECT_EQ(RedactUrl("rtsp://admin:s3cret@cam.local:8554/live/cam1?x=1"),
            "rtsp://cam.local:8554/live/cam1?x=1");
  // Unparsable: the userinfo is cut, control bytes replaced.
  EXPECT_EQ(RedactUrl("rtsp://admin:s3cret@cam.local:0/x"), "rtsp://***@cam.local:0/x");
  EXPECT_EQ(RedactUrl("bogus admin:s3cret@host\n"), "***@host?");
  EXPECT_EQ(RedactUrl("rtsp://cam/a b"), "rtsp://cam/a?b");
}

TEST(RtspUrlTest, PathNames) {
  struct Case {
    const char* in;
    const char* name;
    const char* control;
  };
  const Case cases[] = {
      {"/cam1", "cam1", ""},
      {"/cam1/", "cam1", ""},
      {"/cam1/trackID=0", "cam1", "trackID=0"},
      {"/live/cam1", "live/cam1", ""},
      {"/live/cam1/trackID=1", "live/cam1", "trackID=1"},
      {"/cam%201", "cam 1", ""},
      {"/cam1?token=abc", "cam1", ""},
      {"rtsp://127.0.0.1:8554/cam1/streamid=0", "cam1", "streamid=0"},
      {"rtsp://user:pw@127.0.0.1:8554/test/stream=0?x", "test", "stream=0"},
      {"/a=b", "a=b", ""},  // one segment is always the name
  };
  for (const Case& c : cases) {
    absl::StatusOr<PathName> p = SplitPathName(c.in);
    ASSERT_TRUE(p.ok()) << c.in << ": " << p.status();
    EXPECT_EQ(p->name, c.name) << c.in;
    EXPECT_EQ(p->control, c.control) << c.in;
  }
  for (const char* bad :
       {"/", "", "//", "/a//b", "/../etc", "/a/./b", "/a%2Fb", "/a%00", "/%zz", "rtsp://host"}) {
    EXPECT_FALSE(SplitPathName(bad).ok()) << bad;
  }
}

TEST(RtspUrlTest, PercentDecode) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b%2f%2F", out));
  EXPECT_EQ(out, "a b//");
  EXPECT_FALSE(PercentDecode("%", out));
  EXPECT_FALSE(PercentDecode("%4", out));
  EXPECT_FALSE(PercentDecode("%g0", out));
}

// Every request-target that ffmpeg, ffprobe and GStreamer sent in the captures parses, and the
// SETUP targets split into the path name and the SDP's control suffix.
TEST(RtspUrlTest, RequestTargetsFromRealClients) {
  struct Capture {
    const char* file;
    const char* name;
    const char* setup_control;
  };
  const Capture captures[] = {
      {"ffmpeg_publish_tcp.c2s", "cam1", "streamid=0"},
      {"ffprobe_tcp.c2s", "cam1", "trackID=0"},
      {"gst_rtspsrc_tcp.c2s", "cam1", "trackID=0"},
      {"gst_server_play_tcp.c2s", "test", "stream=0"},
      {"ffmpeg_listen_record.c2s", "live", "streamid=0"},
  };
  for (const Capture& c : captures) {
    std::vector<http::Message> requests =
        Messages(ReadCapture(c.file), http::Parser::Kind::kRequest);
    ASSERT_GE(requests.size(), 3u) << c.file;
    int setups = 0;
    for (const http::Message& m : requests) {
      absl::StatusOr<Url> url = ParseUrl(m.target);
      ASSERT_TRUE(url.ok()) << c.file << ": " << m.target << ": " << url.status();
      EXPECT_EQ(url->host, "127.0.0.1");
      EXPECT_EQ(url->RequestUri(), m.target);  // formats back byte for byte
      absl::StatusOr<PathName> path = SplitPathName(m.target);
      ASSERT_TRUE(path.ok()) << m.target;
      EXPECT_EQ(path->name, c.name) << m.target;
      if (m.method == "SETUP") {
        ++setups;
        EXPECT_EQ(path->control, c.setup_control) << m.target;
      }
    }
    EXPECT_EQ(setups, 1) << c.file;
  }
}

}  // namespace
}  // namespace ringcast::net::rtsp
