#include "net/http/message.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net/http/parser.h"

namespace ringcast::net::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using State = Parser::State;
using Kind = Parser::Kind;

std::string ReadCapture(const std::string& name) {
  const std::string path = (std::filesystem::path(RINGCAST_HTTP_TEST_DATA) / name).string();
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first message of a captured stream, as raw bytes: header section plus `body_size` bytes.
std::string FirstMessageBytes(std::string_view stream, size_t body_size = 0) {
  const size_t end = stream.find("\r\n\r\n");
  EXPECT_NE(end, std::string_view::npos);
  return std::string(stream.substr(0, end + 4 + body_size));
}

// The SDP body of ffmpeg's ANNOUNCE, cut from the capture by hand (not by our parser).
std::string FfmpegSdp() {
  const std::string push = ReadCapture("ffmpeg_push_udp.c2s.rtsp");
  const size_t start = push.find("\r\n\r\nv=0\r\n");
  EXPECT_NE(start, std::string::npos);
  return push.substr(start + 4, 302);
}

Message RequestWith(std::string target) {
  Message m;
  m.method = "GET";
  m.target = std::move(target);
  return m;
}

Message WithHeaders(Protocol protocol, int major, int minor, std::vector<Header> headers) {
  Message m;
  m.protocol = protocol;
  m.version_major = major;
  m.version_minor = minor;
  m.headers = std::move(headers);
  return m;
}

// Parses every message in `bytes`; fails the test on an error or a trailing partial message.
std::vector<Message> ParseAll(Protocol protocol, Kind kind, std::string_view bytes) {
  Parser parser(protocol, kind);
  std::vector<Message> messages;
  while (!bytes.empty()) {
    size_t used = 0;
    State state = parser.Feed(bytes, used);
    EXPECT_EQ(state, State::kComplete) << parser.error_reason();
    if (state != State::kComplete) break;
    messages.push_back(parser.Take());
    bytes.remove_prefix(used);
  }
  return messages;
}

TEST(HttpMessageTest, FindHeaderIsCaseInsensitiveFirstMatch) {
  Message m;
  m.headers = {{"Content-Type", "application/sdp"}, {"X-A", "1"}, {"x-a", "2"}};
  ASSERT_NE(m.FindHeader("content-TYPE"), nullptr);
  EXPECT_EQ(*m.FindHeader("content-TYPE"), "application/sdp");
  EXPECT_EQ(*m.FindHeader("X-a"), "1");
  EXPECT_EQ(m.FindHeader("X-B"), nullptr);
  EXPECT_EQ(m.FindHeader("Content-Typ"), nullptr);
  EXPECT_EQ(m.FindHeader(""), nullptr);
  EXPECT_TRUE(HeaderNameEquals("CSeq", "cseq"));
  EXPECT_FALSE(HeaderNameEquals("CSeq", "CSeq "));
  EXPECT_FALSE(HeaderNameEquals("[", "{"));  // only letters fold
}

TEST(HttpMessageTest, PathAndQuery) {
  struct Case {
    const char* target;
    const char* path;
    const char* query;
  };
  const Case cases[] = {
      {"/whep/cam1?x=1&y=two", "/whep/cam1", "x=1&y=two"},
      {"/whep/cam1", "/whep/cam1", ""},
      {"/a?", "/a", ""},
      {"/a?b=1#frag", "/a", "b=1"},
      {"/a#frag?notquery", "/a", ""},
      {"/a/b?c?d", "/a/b", "c?d"},
      {"*", "*", ""},
      {"rtsp://127.0.0.1:8554/cam1/streamid=0?t=1", "/cam1/streamid=0", "t=1"},
      {"rtsp://127.0.0.1:8554", "/", ""},
      {"http://host/", "/", ""},
      {"/redirect?to=http://x/y", "/redirect", "to=http://x/y"},
      {"/x://y", "/x://y", ""},  // not a scheme: starts with '/'
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    Message m = RequestWith(c.target);
    EXPECT_EQ(m.Path(), c.path);
    EXPECT_EQ(m.Query(), c.query);
  }
}

TEST(HttpMessageTest, KeepAliveRules) {
  EXPECT_TRUE(WithHeaders(Protocol::kHttp, 1, 1, {}).KeepAlive());
  EXPECT_FALSE(WithHeaders(Protocol::kHttp, 1, 1, {{"Connection", "close"}}).KeepAlive());
  EXPECT_FALSE(WithHeaders(Protocol::kHttp, 1, 1, {{"connection", "Upgrade, CLOSE"}}).KeepAlive());
  EXPECT_FALSE(WithHeaders(Protocol::kHttp, 1, 1, {{"Connection", "te"}, {"Connection", "close"}})
                   .KeepAlive());
  EXPECT_TRUE(WithHeaders(Protocol::kHttp, 1, 1, {{"Connection", "closed"}}).KeepAlive());
  EXPECT_TRUE(WithHeaders(Protocol::kHttp, 1, 1, {{"X-Connection", "close"}}).KeepAlive());

  EXPECT_FALSE(WithHeaders(Protocol::kHttp, 1, 0, {}).KeepAlive());
  EXPECT_TRUE(WithHeaders(Protocol::kHttp, 1, 0, {{"Connection", "Keep-Alive"}}).KeepAlive());
  EXPECT_TRUE(WithHeaders(Protocol::kHttp, 1, 0, {{"Connection", "foo , keep-alive"}}).KeepAlive());
  EXPECT_FALSE(
      WithHeaders(Protocol::kHttp, 1, 0, {{"Connection", "keep-alive, close"}}).KeepAlive());

  // RTSP/1.0 connections persist unless closed, whatever the version number says.
  EXPECT_TRUE(WithHeaders(Protocol::kRtsp, 1, 0, {}).KeepAlive());
  EXPECT_FALSE(WithHeaders(Protocol::kRtsp, 1, 0, {{"Connection", "close"}}).KeepAlive());

  // Parsed from real captures: curl's HTTP/1.0 request has no keep-alive; http.server's 501
  // says "Connection: close".
  std::vector<Message> get10 =
      ParseAll(Protocol::kHttp, Kind::kRequest, ReadCapture("curl_get_http10.c2s.http"));
  ASSERT_EQ(get10.size(), 1u);
  EXPECT_FALSE(get10[0].KeepAlive());
  std::vector<Message> r501 =
      ParseAll(Protocol::kHttp, Kind::kResponse, ReadCapture("python_http_server_501.s2c.http"));
  ASSERT_EQ(r501.size(), 1u);
  EXPECT_FALSE(r501[0].KeepAlive());
}

TEST(HttpMessageTest, DefaultReasons) {
  EXPECT_EQ(DefaultReason(200), "OK");
  EXPECT_EQ(DefaultReason(201), "Created");
  EXPECT_EQ(DefaultReason(204), "No Content");
  EXPECT_EQ(DefaultReason(400), "Bad Request");
  EXPECT_EQ(DefaultReason(401), "Unauthorized");
  EXPECT_EQ(DefaultReason(404), "Not Found");
  EXPECT_EQ(DefaultReason(413), "Content Too Large");
  EXPECT_EQ(DefaultReason(431), "Request Header Fields Too Large");
  EXPECT_EQ(DefaultReason(503), "Service Unavailable");
  EXPECT_EQ(DefaultReason(505), "HTTP Version Not Supported");
  EXPECT_EQ(DefaultReason(454, Protocol::kRtsp), "Session Not Found");
  EXPECT_EQ(DefaultReason(455, Protocol::kRtsp), "Method Not Valid in This State");
  EXPECT_EQ(DefaultReason(459, Protocol::kRtsp), "Aggregate Operation Not Allowed");
  EXPECT_EQ(DefaultReason(461, Protocol::kRtsp), "Unsupported Transport");
  EXPECT_EQ(DefaultReason(505, Protocol::kRtsp), "RTSP Version Not Supported");
  EXPECT_EQ(DefaultReason(451, Protocol::kRtsp), "Parameter Not Understood");
  EXPECT_EQ(DefaultReason(451, Protocol::kHttp), "Unavailable For Legal Reasons");
  EXPECT_EQ(DefaultReason(461, Protocol::kHttp), "");
  EXPECT_EQ(DefaultReason(454, Protocol::kHttp), "");
  EXPECT_EQ(DefaultReason(299), "");
  EXPECT_EQ(DefaultReason(-1), "");
}

TEST(HttpMessageTest, FormatResponseBytes) {
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 201, "",
                           {{"Content-Type", "application/sdp"}, {"Location", "/whep/cam1/s/1"}},
                           "v=0\r\n"),
            "HTTP/1.1 201 Created\r\nContent-Type: application/sdp\r\n"
            "Location: /whep/cam1/s/1\r\nContent-Length: 5\r\n\r\nv=0\r\n");
  // HTTP states an empty body's length, so a kept-alive client knows the response ended.
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 404, "", {}, ""),
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 200, "Fine", {}, "x"),
            "HTTP/1.1 200 Fine\r\nContent-Length: 1\r\n\r\nx");
  // 1xx, 204 and 304 carry neither a length nor a body.
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 204, "", {{"X", "1"}}, "dropped"),
            "HTTP/1.1 204 No Content\r\nX: 1\r\n\r\n");
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 100, "", {}, ""), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 304, "", {}, ""), "HTTP/1.1 304 Not Modified\r\n\r\n");
  // A length or chunking chosen by the caller is left alone.
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 200, "", {{"content-length", "3"}}, "abc"),
            "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc");
  EXPECT_EQ(FormatResponse(Protocol::kHttp, 200, "", {{"Transfer-Encoding", "chunked"}},
                           "1\r\na\r\n0\r\n\r\n"),
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n");
  // RTSP says Content-Length only when there is a body.
  EXPECT_EQ(FormatResponse(Protocol::kRtsp, 454, "", {{"CSeq", "7"}}, ""),
            "RTSP/1.0 454 Session Not Found\r\nCSeq: 7\r\n\r\n");
  EXPECT_EQ(FormatResponse(Protocol::kRtsp, 200, "", {{"CSeq", "2"}}, "v=0\r\n"),
            "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 5\r\n\r\nv=0\r\n");
}

TEST(HttpMessageTest, FormatterOutputEqualsRealPeerBytes) {
  // ffmpeg's RTSP server (-rtsp_flags listen) answering OPTIONS, and its 501.
  const std::string server = ReadCapture("ffmpeg_server_record.s2c.rtsp");
  EXPECT_EQ(FormatResponse(Protocol::kRtsp, 200, "",
                           {{"CSeq", "1"},
                            {"Server", "Lavf59.27.100"},
                            {"Public", "ANNOUNCE, PAUSE, SETUP, TEARDOWN, RECORD"}},
                           ""),
            FirstMessageBytes(server));
  EXPECT_EQ(FormatResponse(Protocol::kRtsp, 501, "", {}, ""),
            server.substr(server.rfind("RTSP/1.0 501")));

  // ffprobe's OPTIONS and ffmpeg's ANNOUNCE (Content-Length last, as ours).
  EXPECT_EQ(FormatRequest(Protocol::kRtsp, "OPTIONS", "rtsp://127.0.0.1:18554/cam1",
                          {{"CSeq", "1"}, {"User-Agent", "Lavf59.27.100"}}, ""),
            FirstMessageBytes(ReadCapture("ffprobe_options_describe.c2s.rtsp")));
  const std::string push = ReadCapture("ffmpeg_push_udp.c2s.rtsp");
  const size_t announce_at = push.find("ANNOUNCE ");
  ASSERT_NE(announce_at, std::string::npos);
  const std::string announce = FirstMessageBytes(std::string_view(push).substr(announce_at), 302);
  const std::string sdp = FfmpegSdp();
  EXPECT_THAT(sdp, StartsWith("v=0\r\n"));
  EXPECT_THAT(announce, ::testing::EndsWith(sdp));
  EXPECT_EQ(
      FormatRequest(
          Protocol::kRtsp, "ANNOUNCE", "rtsp://127.0.0.1:18556/cam1",
          {{"Content-Type", "application/sdp"}, {"CSeq", "2"}, {"User-Agent", "Lavf59.27.100"}},
          sdp),
      announce);

  // curl's WHEP-style POST.
  const std::string post = ReadCapture("curl_post_sdp.c2s.http");
  EXPECT_EQ(FormatRequest(Protocol::kHttp, "POST", "/whep/cam1",
                          {{"Host", "127.0.0.1:18081"},
                           {"User-Agent", "curl/7.88.1"},
                           {"Accept", "*/*"},
                           {"Content-Type", "application/sdp"}},
                          post.substr(post.size() - 92)),
            post);
}

TEST(HttpMessageTest, FormatResponseRoundTripsThroughTheParser) {
  struct Case {
    Protocol protocol;
    int status;
    std::string reason;
    std::vector<Header> headers;
    std::string body;
  };
  const std::vector<Case> cases = {
      {Protocol::kHttp,
       201,
       "",
       {{"Content-Type", "application/sdp"}, {"ETag", "\"1\""}},
       "v=0\r\n"},
      {Protocol::kHttp, 404, "", {}, ""},
      {Protocol::kHttp, 503, "Try Later", {{"Retry-After", "5"}}, std::string(70000, 'z')},
      {Protocol::kHttp, 204, "", {{"Access-Control-Allow-Origin", "*"}}, ""},
      {Protocol::kRtsp, 200, "", {{"CSeq", "3"}, {"Session", "12345678;timeout=60"}}, ""},
      {Protocol::kRtsp, 200, "", {{"CSeq", "2"}, {"Content-Type", "application/sdp"}}, FfmpegSdp()},
      {Protocol::kRtsp, 461, "", {{"CSeq", "4"}}, ""},
  };
  std::string all_http;
  std::string all_rtsp;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    const std::string bytes = FormatResponse(c.protocol, c.status, c.reason, c.headers, c.body);
    (c.protocol == Protocol::kHttp ? all_http : all_rtsp) += bytes;
    std::vector<Message> parsed = ParseAll(c.protocol, Kind::kResponse, bytes);
    ASSERT_EQ(parsed.size(), 1u);
    const Message& m = parsed[0];
    EXPECT_EQ(m.protocol, c.protocol);
    EXPECT_EQ(m.status, c.status);
    EXPECT_EQ(m.reason, c.reason.empty() ? DefaultReason(c.status, c.protocol) : c.reason);
    EXPECT_EQ(m.version_minor, c.protocol == Protocol::kHttp ? 1 : 0);
    EXPECT_EQ(m.body, c.body);
    ASSERT_GE(m.headers.size(), c.headers.size());
    for (size_t i = 0; i < c.headers.size(); ++i) {
      EXPECT_EQ(m.headers[i].name, c.headers[i].name);
      EXPECT_EQ(m.headers[i].value, c.headers[i].value);
    }
    const std::string* length = m.FindHeader("Content-Length");
    if (length != nullptr) {
      EXPECT_EQ(*length, std::to_string(c.body.size()));
    }
  }
  // Back to back on one connection, too.
  EXPECT_EQ(ParseAll(Protocol::kHttp, Kind::kResponse, all_http).size(), 4u);
  EXPECT_EQ(ParseAll(Protocol::kRtsp, Kind::kResponse, all_rtsp).size(), 3u);
}

TEST(HttpMessageTest, FormatRequestRoundTripsThroughTheParser) {
  const std::string sdp = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  const std::string bytes =
      FormatRequest(Protocol::kHttp, "POST", "/whep/cam1?token=x",
                    {{"Host", "example.org"}, {"Content-Type", "application/sdp"}}, sdp) +
      FormatRequest(Protocol::kHttp, "DELETE", "/whep/cam1/s/1", {{"Host", "example.org"}}, "");
  std::vector<Message> parsed = ParseAll(Protocol::kHttp, Kind::kRequest, bytes);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].method, "POST");
  EXPECT_EQ(parsed[0].Path(), "/whep/cam1");
  EXPECT_EQ(parsed[0].Query(), "token=x");
  EXPECT_EQ(parsed[0].body, sdp);
  EXPECT_EQ(parsed[1].method, "DELETE");
  EXPECT_EQ(parsed[1].FindHeader("Content-Length"), nullptr);

  std::vector<Message> rtsp = ParseAll(
      Protocol::kRtsp, Kind::kRequest,
      FormatRequest(Protocol::kRtsp, "SETUP", "rtsp://h/cam1/trackID=0",
                    {{"CSeq", "3"}, {"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}, ""));
  ASSERT_EQ(rtsp.size(), 1u);
  EXPECT_EQ(rtsp[0].Path(), "/cam1/trackID=0");
  EXPECT_EQ(*rtsp[0].FindHeader("transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");
}

TEST(HttpMessageTest, FormattersCannotBeMadeToSplitAMessage) {
  // A header value echoed from a peer must not start a new header or end the response.
  const std::string bytes = FormatResponse(
      Protocol::kHttp, 200, "OK\r\nX-Evil: 1",
      {{"Location", "/a\r\nSet-Cookie: x=1\r\n\r\nHTTP/1.1 200 OK"}, {"X\nY", "1"}}, "");
  EXPECT_EQ(bytes.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_EQ(bytes.find("\r\nX-Evil"), std::string::npos);
  Parser parser(Protocol::kHttp, Kind::kResponse);
  size_t used = 0;
  EXPECT_EQ(parser.Feed(bytes, used), State::kError);  // "X Y" is not a token: refused...
  EXPECT_EQ(parser.error_reason(), "malformed header line 3: whitespace in field name");

  const std::string clean = FormatResponse(
      Protocol::kHttp, 302, "", {{"Location", "/a\r\nSet-Cookie: x=1\r\n\r\nHTTP/1.1 200 OK"}}, "");
  std::vector<Message> parsed = ParseAll(Protocol::kHttp, Kind::kResponse, clean);
  ASSERT_EQ(parsed.size(), 1u);  // ...and a sanitized value stays one field.
  EXPECT_EQ(parsed[0].headers.size(), 2u);
  EXPECT_THAT(*parsed[0].FindHeader("Location"), HasSubstr("Set-Cookie: x=1"));
  EXPECT_EQ(parsed[0].FindHeader("Set-Cookie"), nullptr);
}

}  // namespace
}  // namespace ringcast::net::http
