#include "net/http/parser.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ringcast::net::http {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using State = Parser::State;
using Kind = Parser::Kind;
using namespace std::string_literals;

// A real capture from tests/data/http (see the README there).
std::string ReadCapture(const std::string& name) {
  const std::string path = (std::filesystem::path(RINGCAST_HTTP_TEST_DATA) / name).string();
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Parsed {
  std::vector<Message> messages;
  State last = State::kNeedMore;
  int error_status = 0;
  std::string error_reason;
};

// Feeds `bytes` in pieces of at most `piece` bytes, as a connection would, taking every message
// that completes. Stops at the first error.
Parsed ParseAll(Parser& parser, std::string_view bytes, size_t piece = std::string_view::npos) {
  Parsed out;
  for (size_t offset = 0; offset < bytes.size(); offset += piece) {
    std::string_view rest = bytes.substr(offset, piece);
    while (!rest.empty()) {
      size_t used = 12345;
      out.last = parser.Feed(rest, used);
      EXPECT_LE(used, rest.size());
      rest.remove_prefix(used);
      if (out.last == State::kComplete) {
        out.messages.push_back(parser.Take());
      } else if (out.last == State::kError) {
        out.error_status = parser.error_status();
        out.error_reason = std::string(parser.error_reason());
        return out;
      } else {
        EXPECT_FALSE(parser.at_interleaved_frame());
        EXPECT_TRUE(rest.empty()) << "kNeedMore must use every byte";
        break;
      }
    }
  }
  return out;
}

Parsed ParseAll(Protocol protocol, Kind kind, std::string_view bytes,
                size_t piece = std::string_view::npos, Limits limits = {}) {
  Parser parser(protocol, kind, limits);
  return ParseAll(parser, bytes, piece);
}

// Parses one complete HTTP request that must be followed by nothing.
Message ParseOneRequest(std::string_view bytes) {
  Parsed parsed = ParseAll(Protocol::kHttp, Kind::kRequest, bytes);
  EXPECT_EQ(parsed.last, State::kComplete) << parsed.error_reason;
  EXPECT_EQ(parsed.messages.size(), 1u);
  return parsed.messages.empty() ? Message{} : std::move(parsed.messages[0]);
}

// The error a request provokes; -1 when it parsed.
std::pair<int, std::string> RequestError(std::string_view bytes, Limits limits = {},
                                         Protocol protocol = Protocol::kHttp) {
  Parsed parsed = ParseAll(protocol, Kind::kRequest, bytes, std::string_view::npos, limits);
  if (parsed.last != State::kError) return {-1, ""};
  return {parsed.error_status, parsed.error_reason};
}

std::vector<std::pair<std::string, std::string>> HeaderPairs(const Message& m) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const Header& h : m.headers) pairs.emplace_back(h.name, h.value);
  return pairs;
}

void ExpectSameMessage(const Message& a, const Message& b) {
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.version_major, b.version_major);
  EXPECT_EQ(a.version_minor, b.version_minor);
  EXPECT_EQ(HeaderPairs(a), HeaderPairs(b));
  EXPECT_EQ(a.body, b.body);
}

std::vector<std::string> Methods(const std::vector<Message>& messages) {
  std::vector<std::string> methods;
  for (const Message& m : messages) methods.push_back(m.method);
  return methods;
}

std::string SeqOneTo400() {  // the file curl sent chunked: `seq 1 400`
  std::string s;
  for (int i = 1; i <= 400; ++i) s += std::to_string(i) + "\n";
  return s;
}

// --- Real HTTP requests ------------------------------------------------------------------------

TEST(HttpParserTest, CurlGetsOnOneKeptAliveConnection) {
  const std::string bytes = ReadCapture("curl_two_gets_keepalive.c2s.http");
  const size_t first_end = bytes.find("\r\n\r\n") + 4;
  Parser parser(Protocol::kHttp, Kind::kRequest);

  size_t used = 0;
  ASSERT_EQ(parser.Feed(bytes, used), State::kComplete) << parser.error_reason();
  EXPECT_EQ(used, first_end);
  Message first = parser.Take();
  EXPECT_EQ(first.protocol, Protocol::kHttp);
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.target, "/index.html?x=1&y=two");
  EXPECT_EQ(first.Path(), "/index.html");
  EXPECT_EQ(first.Query(), "x=1&y=two");
  EXPECT_EQ(first.version_major, 1);
  EXPECT_EQ(first.version_minor, 1);
  EXPECT_THAT(HeaderPairs(first),
              ElementsAre(std::pair<std::string, std::string>("Host", "127.0.0.1:18091"),
                          std::pair<std::string, std::string>("User-Agent", "curl/7.88.1"),
                          std::pair<std::string, std::string>("Accept", "*/*")));
  EXPECT_TRUE(first.body.empty());
  EXPECT_TRUE(first.KeepAlive());

  ASSERT_EQ(parser.Feed(std::string_view(bytes).substr(used), used), State::kComplete);
  EXPECT_EQ(first_end + used, bytes.size());
  Message second = parser.Take();
  EXPECT_EQ(second.target, "/index.html");
  EXPECT_EQ(second.Query(), "");
}

TEST(HttpParserTest, PipelinedRealRequestsInOneBuffer) {
  const std::string form = ReadCapture("curl_post_form.c2s.http");
  const std::string sdp = ReadCapture("curl_post_sdp.c2s.http");
  const std::string del = ReadCapture("curl_delete.c2s.http");
  const std::string get10 = ReadCapture("curl_get_http10.c2s.http");
  const std::string all = form + sdp + del + get10;
  Parser parser(Protocol::kHttp, Kind::kRequest);

  std::string_view rest = all;
  std::vector<size_t> used_per_message;
  std::vector<Message> messages;
  while (!rest.empty()) {
    size_t used = 0;
    ASSERT_EQ(parser.Feed(rest, used), State::kComplete) << parser.error_reason();
    used_per_message.push_back(used);
    messages.push_back(parser.Take());
    rest.remove_prefix(used);
  }
  EXPECT_THAT(used_per_message, ElementsAre(form.size(), sdp.size(), del.size(), get10.size()));
  EXPECT_THAT(Methods(messages), ElementsAre("POST", "POST", "DELETE", "GET"));
  EXPECT_EQ(messages[0].body, "a=1&b=2");
  EXPECT_EQ(*messages[0].FindHeader("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(messages[1].target, "/whep/cam1");
  EXPECT_EQ(*messages[1].FindHeader("Content-Type"), "application/sdp");
  EXPECT_EQ(messages[1].body.size(), 92u);
  EXPECT_THAT(messages[1].body, StartsWith("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"));
  EXPECT_EQ(messages[2].target, "/whep/cam1/session/abc");
  EXPECT_EQ(messages[3].version_minor, 0);
  EXPECT_FALSE(messages[3].KeepAlive());
}

TEST(HttpParserTest, OtherCurlMethods) {
  Message patch = ParseOneRequest(ReadCapture("curl_patch_sdpfrag.c2s.http"));
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(*patch.FindHeader("Content-Type"), "application/trickle-ice-sdpfrag");
  EXPECT_EQ(patch.body, "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host");
  Message options = ParseOneRequest(ReadCapture("curl_options.c2s.http"));
  EXPECT_EQ(options.method, "OPTIONS");
  EXPECT_EQ(options.Path(), "/whep/cam1");
}

// Every capture parses the same fed whole, byte by byte, and split in two at every offset (so
// also between every CR and LF).
TEST(HttpParserTest, EverySplitOfRealCapturesParsesTheSame) {
  struct Case {
    const char* file;
    Protocol protocol;
    Kind kind;
    size_t messages;
  };
  const Case cases[] = {
      {"curl_two_gets_keepalive.c2s.http", Protocol::kHttp, Kind::kRequest, 2},
      {"curl_post_sdp.c2s.http", Protocol::kHttp, Kind::kRequest, 1},
      {"curl_post_chunked.c2s.http", Protocol::kHttp, Kind::kRequest, 1},
      {"curl_patch_sdpfrag.c2s.http", Protocol::kHttp, Kind::kRequest, 1},
      {"python_http_server_two_200s.s2c.http", Protocol::kHttp, Kind::kResponse, 2},
      {"python_http_server_501.s2c.http", Protocol::kHttp, Kind::kResponse, 1},
      {"ffmpeg_push_udp.c2s.rtsp", Protocol::kRtsp, Kind::kRequest, 4},
      {"ffmpeg_server_record.s2c.rtsp", Protocol::kRtsp, Kind::kResponse, 5},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string bytes = ReadCapture(c.file);
    Parsed whole = ParseAll(c.protocol, c.kind, bytes);
    ASSERT_EQ(whole.last, State::kComplete) << whole.error_reason;
    ASSERT_EQ(whole.messages.size(), c.messages);

    Parsed bytewise = ParseAll(c.protocol, c.kind, bytes, 1);
    ASSERT_EQ(bytewise.messages.size(), c.messages);
    for (size_t i = 0; i < c.messages; ++i)
      ExpectSameMessage(whole.messages[i], bytewise.messages[i]);

    for (size_t split = 1; split < bytes.size(); ++split) {
      Parser parser(c.protocol, c.kind);
      Parsed two;
      for (std::string_view piece :
           {std::string_view(bytes).substr(0, split), std::string_view(bytes).substr(split)}) {
        Parsed part = ParseAll(parser, piece);
        for (Message& m : part.messages) two.messages.push_back(std::move(m));
        ASSERT_NE(part.last, State::kError) << "split at " << split << ": " << part.error_reason;
      }
      ASSERT_EQ(two.messages.size(), c.messages) << "split at " << split;
      for (size_t i = 0; i < c.messages; ++i) ExpectSameMessage(whole.messages[i], two.messages[i]);
    }
  }
}

TEST(HttpParserTest, SplitInsideCrlf) {
  Parser parser(Protocol::kHttp, Kind::kRequest);
  size_t used = 0;
  EXPECT_EQ(parser.Feed("GET /a HTTP/1.1\r", used), State::kNeedMore);
  EXPECT_EQ(used, 16u);
  EXPECT_EQ(parser.Feed("\nHost: h\r", used), State::kNeedMore);
  EXPECT_EQ(parser.Feed("\n\r", used), State::kNeedMore);
  EXPECT_EQ(parser.Feed("\nNEXT", used), State::kComplete);
  EXPECT_EQ(used, 1u);
  Message m = parser.Take();
  EXPECT_EQ(m.target, "/a");
  EXPECT_EQ(m.version_minor, 1);
  EXPECT_THAT(HeaderPairs(m), ElementsAre(std::pair<std::string, std::string>("Host", "h")));
}

TEST(HttpParserTest, ChunkedBodyFromCurl) {
  Message m = ParseOneRequest(ReadCapture("curl_post_chunked.c2s.http"));
  EXPECT_EQ(m.method, "POST");
  EXPECT_EQ(*m.FindHeader("Transfer-Encoding"), "chunked");
  EXPECT_EQ(m.body, SeqOneTo400());
}

TEST(HttpParserTest, ChunkExtensionsTrailersAndBareLf) {
  const std::string request =
      "POST /x HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"
      "4;name=value\nWiki\n5 ; a=b\r\npedia\r\n00\r\nExpires: never\r\nX-T: 1\n\r\n";
  Parsed parsed = ParseAll(Protocol::kHttp, Kind::kRequest, request + "GET / HTTP/1.1\r\n");
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].body, "Wikipedia");
  EXPECT_EQ(parsed.messages[0].headers.size(), 2u);  // trailers are dropped
  EXPECT_EQ(parsed.messages[0].FindHeader("Expires"), nullptr);
  EXPECT_EQ(parsed.last, State::kNeedMore);  // the next request has started
}

TEST(HttpParserTest, ChunkedErrors) {
  const std::string head = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  Limits small;
  small.max_body = 10;
  EXPECT_EQ(RequestError(head + "8\r\n12345678\r\n8\r\n", small).first, 413);
  EXPECT_EQ(RequestError(head + "a\r\n0123456789\r\n0\r\n\r\n", small).first, -1);
  EXPECT_EQ(RequestError(head + "b\r\n", small).first, 413);
  EXPECT_EQ(RequestError(head + "fffffffffffffffff1\r\n").first, 413);  // overflows 64 bits
  EXPECT_EQ(RequestError(head + "10000000000000005\r\n").first, 413);   // 2^64 + 5, not 5
  EXPECT_EQ(RequestError(head + "zz\r\n").first, 400);
  EXPECT_EQ(RequestError(head + "\r\n").first, 400);
  EXPECT_EQ(RequestError(head + "4 x\r\n").first, 400);
  EXPECT_EQ(RequestError(head + "4\r\nWikiX\r\n").first, 400);
  EXPECT_EQ(RequestError(head + std::string(5000, '0')).first, 400);
}

// --- Limits --------------------------------------------------------------------------------------

TEST(HttpParserTest, HeaderSectionLimitIs431) {
  Limits limits;
  limits.max_header_bytes = 64;
  // Header section = "Host: h\r\n" (9) + "X: <v>\r\n" (5 + n) + "\r\n" (2) = 16 + n bytes.
  const auto request = [](size_t n) {
    return "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(n, 'v') + "\r\n\r\n";
  };
  EXPECT_EQ(RequestError(request(48), limits).first, -1);
  auto [status, reason] = RequestError(request(49), limits);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(reason, "header section larger than 64 bytes");

  // A line that never ends is refused once it is too long, not when its LF arrives.
  Parser parser(Protocol::kHttp, Kind::kRequest, limits);
  size_t used = 0;
  EXPECT_EQ(parser.Feed("GET / HTTP/1.1\r\nX: " + std::string(40, 'v'), used), State::kNeedMore);
  EXPECT_EQ(parser.Feed(std::string(40, 'v'), used), State::kError);
  EXPECT_EQ(parser.error_status(), 431);
}

TEST(HttpParserTest, TooManyHeaderFieldsIs431) {
  Limits limits;
  limits.max_headers = 3;
  EXPECT_EQ(RequestError("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits).first, -1);
  auto [status, reason] =
      RequestError("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits);
  EXPECT_EQ(status, 431);
  EXPECT_EQ(reason, "more than 3 header fields");
}

TEST(HttpParserTest, RequestLineLimitIs414) {
  Limits limits;
  limits.max_start_line = 32;
  // "GET /<n> HTTP/1.1\r\n" is 16 + n bytes.
  EXPECT_EQ(
      RequestError("GET /" + std::string(16, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).first,
      -1);
  EXPECT_EQ(
      RequestError("GET /" + std::string(17, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits).first,
      414);
  EXPECT_EQ(RequestError(std::string(40, '\n') + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", limits).first,
            400);
}

TEST(HttpParserTest, BodyLimitIs413BeforeTheBodyArrives) {
  Limits limits;
  limits.max_body = 1000;
  const std::string head = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n";
  Parser parser(Protocol::kHttp, Kind::kRequest, limits);
  size_t used = 0;
  EXPECT_EQ(parser.Feed(head, used), State::kError);
  EXPECT_EQ(parser.error_status(), 413);
  EXPECT_EQ(parser.error_reason(), "body of 1001 bytes is over the 1000 byte limit");

  Parsed ok = ParseAll(
      Protocol::kHttp, Kind::kRequest,
      "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b'), 7,
      limits);
  ASSERT_EQ(ok.messages.size(), 1u);
  EXPECT_EQ(ok.messages[0].body, std::string(1000, 'b'));
}

// --- Framing and syntax errors -------------------------------------------------------------------

TEST(HttpParserTest, BadContentLengthIs400) {
  for (const char* value :
       {"abc", "-1", "+5", "5 5", "0x10", "", "1.0", "5,", ",5", "5, 6", "18446744073709551616"}) {
    SCOPED_TRACE(value);
    const std::string request =
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::string(value) + "\r\n\r\n12345";
    EXPECT_EQ(RequestError(request).first, 400);
  }
  auto [status, reason] = RequestError(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n123456");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(reason, "conflicting Content-Length values");

  // Repeats of one value are that value (RFC 9110 §8.6).
  EXPECT_EQ(ParseOneRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                            "content-length: 5\r\n\r\n12345")
                .body,
            "12345");
  EXPECT_EQ(ParseOneRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n12345").body,
            "12345");
  EXPECT_EQ(ParseOneRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0005\r\n\r\n12345").body,
            "12345");
}

TEST(HttpParserTest, UnsupportedVersionIs505) {
  for (const char* line :
       {"GET / HTTP/2.0", "GET / HTTP/0.9", "GET / RTSP/1.0", "GET / HTTP/3.0"}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(RequestError(std::string(line) + "\r\nHost: h\r\n\r\n").first, 505);
  }
  EXPECT_EQ(RequestError("OPTIONS * HTTP/1.1\r\nCSeq: 1\r\n\r\n", {}, Protocol::kRtsp).first, 505);
  EXPECT_EQ(RequestError("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n", {}, Protocol::kRtsp).first, 505);
  EXPECT_EQ(RequestError("OPTIONS * RTSP/1.1\r\nCSeq: 1\r\n\r\n", {}, Protocol::kRtsp).first, 505);
  auto [status, reason] = RequestError("GET / HTTP/2.0\r\n\r\n");
  EXPECT_EQ(reason, "unsupported protocol version HTTP/2.0 (expected HTTP/1.x)");

  // Malformed versions are 400, not 505.
  for (const char* line : {"GET / HTTP/1", "GET / HTTP/1.1x", "GET / http/1.1", "GET / HTTP/11.1",
                           "GET / HTTP/1.1 ", "GET / /1.1", "GET / HTTP-1.1"}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(RequestError(std::string(line) + "\r\nHost: h\r\n\r\n").first, 400);
  }
  // A later HTTP/1 minor version is served as 1.1 (RFC 9110 §2.5).
  Message m = ParseOneRequest("GET / HTTP/1.2\r\nHost: h\r\n\r\n");
  EXPECT_EQ(m.version_minor, 2);
}

TEST(HttpParserTest, MissingColonNamesTheLine) {
  auto [status, reason] = RequestError("GET / HTTP/1.1\r\nHost: a\r\nBogus line\r\n\r\n");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(reason, "malformed header line 3: no ':'");
}

TEST(HttpParserTest, FieldNameAndValueRules) {
  const auto error = [](std::string header) {
    return RequestError("GET / HTTP/1.1\r\nHost: h\r\n" + header + "\r\n\r\n");
  };
  EXPECT_EQ(error("X-A : 1"),
            std::make_pair(400, std::string("malformed header line 3: whitespace in field name")));
  EXPECT_EQ(error("X\x01"
                  "A: 1")
                .first,
            400);
  EXPECT_EQ(error("X(A): 1").first, 400);
  EXPECT_EQ(error(": 1"),
            std::make_pair(400, std::string("malformed header line 3: empty field name")));
  EXPECT_EQ(error("X-A: a\0b"s).first, 400);
  EXPECT_EQ(error("X-A: a\rb").first, 400);
  EXPECT_EQ(error("X-A: a\x7f").first, 400);
  EXPECT_EQ(error("X-A: a\tb").first, -1);

  Message m =
      ParseOneRequest("GET / HTTP/1.1\r\nHost: h\r\nX-Name: \t caf\xc3\xa9 \t\r\nX-E:\r\n\r\n");
  EXPECT_EQ(*m.FindHeader("x-name"), "caf\xc3\xa9");  // obs-text kept, OWS trimmed
  EXPECT_EQ(*m.FindHeader("X-E"), "");
}

TEST(HttpParserTest, StartLineRules) {
  for (std::string line :
       {"GET /\0 HTTP/1.1"s, "G\tET / HTTP/1.1"s, "GET  / HTTP/1.1"s, "GET /a\rb HTTP/1.1"s,
        "GET /\x80 HTTP/1.1"s, "GE(T / HTTP/1.1"s, " GET / HTTP/1.1"s, "GET /"s, "GET"s}) {
    SCOPED_TRACE(line);
    EXPECT_EQ(RequestError(line + "\r\nHost: h\r\n\r\n").first, 400);
  }
  // Empty lines before the request line are skipped (RFC 9112 §2.2); bare LF ends lines.
  Parsed parsed = ParseAll(Protocol::kHttp, Kind::kRequest,
                           "\r\n\nGET /x HTTP/1.1\nHost: h\n\n\r\nGET /y HTTP/1.1\nHost: h\n\n");
  ASSERT_EQ(parsed.messages.size(), 2u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].target, "/x");
  EXPECT_EQ(parsed.messages[1].target, "/y");
}

TEST(HttpParserTest, ObsFoldIsAnErrorInHttp) {
  auto [status, reason] = RequestError("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n");
  EXPECT_EQ(status, 400);
  EXPECT_EQ(reason, "malformed header line 4: obsolete line folding");
}

TEST(HttpParserTest, TransferEncodingRules) {
  EXPECT_EQ(RequestError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n").first,
            501);
  EXPECT_EQ(
      RequestError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").first,
      501);
  EXPECT_EQ(RequestError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n")
                .first,
            501);
  EXPECT_EQ(RequestError("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Length: 3\r\n\r\n0\r\n\r\n")
                .first,
            400);
  EXPECT_EQ(RequestError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").first,
            400);
  EXPECT_EQ(RequestError("ANNOUNCE rtsp://h/a RTSP/1.0\r\nCSeq: 2\r\nTransfer-Encoding: chunked"
                         "\r\n\r\n0\r\n\r\n",
                         {}, Protocol::kRtsp)
                .first,
            501);
  EXPECT_EQ(ParseOneRequest("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
                            "1\r\nx\r\n0\r\n\r\n")
                .body,
            "x");
}

TEST(HttpParserTest, HostHeaderRules) {
  EXPECT_EQ(RequestError("GET / HTTP/1.1\r\n\r\n"),
            std::make_pair(400, std::string("HTTP/1.1 request without Host header")));
  EXPECT_EQ(RequestError("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n").first, 400);
  EXPECT_EQ(RequestError("GET / HTTP/1.0\r\n\r\n").first, -1);
}

TEST(HttpParserTest, ParserStateRules) {
  Parser parser(Protocol::kHttp, Kind::kRequest);
  size_t used = 99;
  EXPECT_EQ(parser.Feed("", used), State::kNeedMore);
  EXPECT_EQ(used, 0u);

  const std::string two = "GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n";
  ASSERT_EQ(parser.Feed(two, used), State::kComplete);
  EXPECT_EQ(used, two.size() / 2);
  size_t again = 99;
  EXPECT_EQ(parser.Feed(std::string_view(two).substr(used), again), State::kComplete);
  EXPECT_EQ(again, 0u);  // nothing more is read until Take()
  EXPECT_EQ(parser.Take().target, "/1");
  ASSERT_EQ(parser.Feed(std::string_view(two).substr(used), again), State::kComplete);
  EXPECT_EQ(parser.Take().target, "/2");

  // Errors are sticky until Reset().
  ASSERT_EQ(parser.Feed("BAD\r\n", used), State::kError);
  EXPECT_EQ(parser.Feed("GET / HTTP/1.0\r\n\r\n", used), State::kError);
  EXPECT_EQ(used, 0u);
  parser.Reset();
  EXPECT_EQ(parser.error_status(), 0);
  EXPECT_EQ(parser.Feed("GET / HTTP/1.0\r\n\r\n", used), State::kComplete);
  parser.Take();

  // Reset() also drops a half-received line.
  EXPECT_EQ(parser.Feed("GET /half", used), State::kNeedMore);
  parser.Reset();
  EXPECT_EQ(parser.Feed("GET /x HTTP/1.0\r\n\r\n", used), State::kComplete);
  EXPECT_EQ(parser.Take().target, "/x");
}

// --- RTSP ----------------------------------------------------------------------------------------

TEST(RtspParserTest, FfmpegAnnounceWithSdp) {
  const std::string bytes = ReadCapture("ffmpeg_push_udp.c2s.rtsp");
  for (size_t piece : {bytes.size(), size_t{1}, size_t{7}}) {
    SCOPED_TRACE(piece);
    Parsed parsed = ParseAll(Protocol::kRtsp, Kind::kRequest, bytes, piece);
    ASSERT_EQ(parsed.last, State::kComplete) << parsed.error_reason;
    ASSERT_THAT(Methods(parsed.messages), ElementsAre("OPTIONS", "ANNOUNCE", "SETUP", "SETUP"));
    const Message& options = parsed.messages[0];
    EXPECT_EQ(options.protocol, Protocol::kRtsp);
    EXPECT_EQ(options.version_major, 1);
    EXPECT_EQ(options.version_minor, 0);
    EXPECT_EQ(options.target, "rtsp://127.0.0.1:18556/cam1");
    EXPECT_EQ(options.Path(), "/cam1");
    EXPECT_EQ(*options.FindHeader("cseq"), "1");
    EXPECT_TRUE(options.KeepAlive());

    const Message& announce = parsed.messages[1];
    EXPECT_EQ(*announce.FindHeader("CSeq"), "2");
    EXPECT_EQ(*announce.FindHeader("Content-Type"), "application/sdp");
    EXPECT_EQ(*announce.FindHeader("User-Agent"), "Lavf59.27.100");
    ASSERT_EQ(announce.body.size(), 302u);
    EXPECT_THAT(announce.body, StartsWith("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n"));
    EXPECT_THAT(announce.body, HasSubstr("a=rtpmap:96 H264/90000\r\n"));
    EXPECT_THAT(announce.body,
                HasSubstr("sprop-parameter-sets=Z/QACpGbKFCPxOAiAAADAAIAAAMAKB4kSyw"));
    EXPECT_EQ(announce.body.substr(announce.body.size() - 22), "a=control:streamid=0\r\n");

    EXPECT_EQ(parsed.messages[2].Path(), "/cam1/streamid=0");
    EXPECT_EQ(*parsed.messages[2].FindHeader("Transport"),
              "RTP/AVP/UDP;unicast;client_port=18566-18567;mode=record");
    EXPECT_EQ(*parsed.messages[3].FindHeader("Transport"),
              "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record");
    EXPECT_EQ(*parsed.messages[3].FindHeader("CSeq"), "4");
  }
}

TEST(RtspParserTest, FfprobeOptionsDescribe) {
  Parsed parsed =
      ParseAll(Protocol::kRtsp, Kind::kRequest, ReadCapture("ffprobe_options_describe.c2s.rtsp"));
  ASSERT_THAT(Methods(parsed.messages), ElementsAre("OPTIONS", "DESCRIBE"));
  EXPECT_EQ(*parsed.messages[1].FindHeader("Accept"), "application/sdp");
  EXPECT_EQ(*parsed.messages[1].FindHeader("CSeq"), "2");
}

// The TCP-interleaved record session: requests and '$' frames on one stream, demuxed the way
// an RTSP connection does it.
TEST(RtspParserTest, InterleavedFramesFromFfmpegRecord) {
  const std::string bytes = ReadCapture("ffmpeg_record_tcp.c2s.rtsp");
  Parser parser(Protocol::kRtsp, Kind::kRequest);
  std::string_view rest = bytes;
  std::vector<Message> messages;
  std::vector<int> channels;
  while (!rest.empty()) {
    size_t used = 0;
    State state = parser.Feed(rest, used);
    rest.remove_prefix(used);
    if (state == State::kComplete) {
      messages.push_back(parser.Take());
      continue;
    }
    ASSERT_EQ(state, State::kNeedMore) << parser.error_reason();
    ASSERT_TRUE(parser.at_interleaved_frame()) << "ran out of input inside a message";
    ASSERT_GE(rest.size(), 4u);
    ASSERT_EQ(rest[0], '$');
    const size_t length = (static_cast<uint8_t>(rest[2]) << 8) | static_cast<uint8_t>(rest[3]);
    ASSERT_GE(rest.size(), 4 + length);
    channels.push_back(static_cast<uint8_t>(rest[1]));
    rest.remove_prefix(4 + length);
  }
  EXPECT_THAT(Methods(messages), ElementsAre("OPTIONS", "ANNOUNCE", "SETUP", "RECORD", "TEARDOWN"));
  EXPECT_EQ(*messages[3].FindHeader("Session"), "3100628515");
  EXPECT_EQ(*messages[4].FindHeader("CSeq"), "5");
  EXPECT_EQ(channels.size(), 13u);
  EXPECT_EQ(std::set<int>(channels.begin(), channels.end()), (std::set<int>{0, 1}));
}

TEST(RtspParserTest, DollarIsAFrameOnlyAtAMessageBoundary) {
  Parser rtsp(Protocol::kRtsp, Kind::kRequest);
  size_t used = 99;
  EXPECT_EQ(rtsp.Feed("$\x00\x00\x04"
                      "abcd"s,
                      used),
            State::kNeedMore);
  EXPECT_EQ(used, 0u);
  EXPECT_TRUE(rtsp.at_interleaved_frame());
  EXPECT_EQ(rtsp.Feed("\r\n$\x01", used), State::kNeedMore);
  EXPECT_EQ(used, 2u);  // the empty line before it is used up
  EXPECT_TRUE(rtsp.at_interleaved_frame());

  // Inside a message '$' is just a byte; the flag clears on the next Feed().
  EXPECT_EQ(rtsp.Feed("GET_PARAMETER rtsp://h/$x RTSP/1.0\r\nCSeq: 3\r\nX: $\r\n", used),
            State::kNeedMore);
  EXPECT_FALSE(rtsp.at_interleaved_frame());
  EXPECT_EQ(rtsp.Feed("\r\n", used), State::kComplete);
  Message m = rtsp.Take();
  EXPECT_EQ(m.target, "rtsp://h/$x");
  EXPECT_EQ(*m.FindHeader("X"), "$");

  // A '$' that starts a Feed() in the middle of a line is part of the line.
  Parser split(Protocol::kRtsp, Kind::kRequest);
  EXPECT_EQ(split.Feed("OPTIONS rtsp://h/", used), State::kNeedMore);
  EXPECT_EQ(split.Feed("$x RTSP/1.0\r\nCSeq: 1\r\nX: ", used), State::kNeedMore);
  EXPECT_FALSE(split.at_interleaved_frame());
  EXPECT_EQ(split.Feed("$y\r\n\r\n", used), State::kComplete);
  EXPECT_FALSE(split.at_interleaved_frame());
  Message m2 = split.Take();
  EXPECT_EQ(m2.target, "rtsp://h/$x");
  EXPECT_EQ(*m2.FindHeader("X"), "$y");

  // Empty lines between frames do not add up to "too many empty lines".
  Limits limits;
  limits.max_start_line = 8;
  Parser frames(Protocol::kRtsp, Kind::kRequest, limits);
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(frames.Feed("\r\n\r\n$", used), State::kNeedMore) << i << frames.error_reason();
    EXPECT_EQ(used, 4u);
    EXPECT_TRUE(frames.at_interleaved_frame());
  }

  // A response parser demuxes too (servers interleave towards players).
  Parser client(Protocol::kRtsp, Kind::kResponse);
  EXPECT_EQ(client.Feed("$\x00\x00\x01z"s, used), State::kNeedMore);
  EXPECT_TRUE(client.at_interleaved_frame());

  // HTTP has no interleaving: '$' is a token character.
  Parser http(Protocol::kHttp, Kind::kRequest);
  EXPECT_EQ(http.Feed("$X / HTTP/1.1\r\nHost: h\r\n\r\n", used), State::kComplete);
  EXPECT_FALSE(http.at_interleaved_frame());
  EXPECT_EQ(http.Take().method, "$X");
}

TEST(RtspParserTest, ObsFoldIsJoined) {
  Parsed parsed = ParseAll(Protocol::kRtsp, Kind::kRequest,
                           "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Long: a\r\n  b\r\n\t c \r\n\r\n");
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].target, "*");
  EXPECT_EQ(*parsed.messages[0].FindHeader("X-Long"), "a b c");
  EXPECT_EQ(parsed.messages[0].headers.size(), 2u);
  EXPECT_EQ(RequestError("OPTIONS * RTSP/1.0\r\n  b\r\n\r\n", {}, Protocol::kRtsp).first, 400);
}

// --- Responses -----------------------------------------------------------------------------------

TEST(HttpResponseParserTest, PythonHttpServerKeepAlive) {
  Parsed parsed = ParseAll(Protocol::kHttp, Kind::kResponse,
                           ReadCapture("python_http_server_two_200s.s2c.http"));
  ASSERT_EQ(parsed.messages.size(), 2u) << parsed.error_reason;
  for (const Message& m : parsed.messages) {
    EXPECT_EQ(m.status, 200);
    EXPECT_EQ(m.reason, "OK");
    EXPECT_EQ(m.version_minor, 1);
    EXPECT_EQ(*m.FindHeader("content-type"), "text/html");
    EXPECT_EQ(m.body, "<html><body>hello ringcast</body></html>\n");
    EXPECT_TRUE(m.KeepAlive());
  }
}

TEST(HttpResponseParserTest, PythonHttpServerErrorsWithBodies) {
  Parsed parsed =
      ParseAll(Protocol::kHttp, Kind::kResponse, ReadCapture("python_http_server_501.s2c.http"));
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  const Message& m = parsed.messages[0];
  EXPECT_EQ(m.status, 501);
  EXPECT_EQ(m.reason, "Unsupported method ('POST')");
  EXPECT_EQ(m.version_minor, 0);
  EXPECT_EQ(m.body.size(), 357u);
  EXPECT_THAT(m.body, StartsWith("<!DOCTYPE HTML>\n"));
  EXPECT_FALSE(m.KeepAlive());

  parsed =
      ParseAll(Protocol::kHttp, Kind::kResponse, ReadCapture("python_http_server_404.s2c.http"), 3);
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].status, 404);
  EXPECT_EQ(parsed.messages[0].reason, "File not found");
  EXPECT_THAT(parsed.messages[0].body, HasSubstr("Error code: 404"));
}

TEST(HttpResponseParserTest, FfmpegRtspServerResponses) {
  Parsed parsed =
      ParseAll(Protocol::kRtsp, Kind::kResponse, ReadCapture("ffmpeg_server_record.s2c.rtsp"));
  ASSERT_EQ(parsed.messages.size(), 5u) << parsed.error_reason;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(parsed.messages[i].status, 200);
    EXPECT_EQ(parsed.messages[i].reason, "OK");
    EXPECT_EQ(*parsed.messages[i].FindHeader("CSeq"), std::to_string(i + 1));
  }
  EXPECT_EQ(*parsed.messages[0].FindHeader("Public"), "ANNOUNCE, PAUSE, SETUP, TEARDOWN, RECORD");
  EXPECT_EQ(*parsed.messages[2].FindHeader("Transport"),
            "RTP/AVP/TCP;unicast;mode=receive;interleaved=0-1");
  EXPECT_EQ(parsed.messages[4].status, 501);
  EXPECT_EQ(parsed.messages[4].reason, "Not Implemented");
  EXPECT_TRUE(parsed.messages[4].headers.empty());
}

TEST(HttpResponseParserTest, BodilessStatusesAndMissingLength) {
  const std::string head204 = "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n";
  Parser parser(Protocol::kHttp, Kind::kResponse);
  size_t used = 0;
  ASSERT_EQ(parser.Feed(head204 + "HTTP/1.1 100 Continue\r\n\r\n", used), State::kComplete);
  EXPECT_EQ(used, head204.size());
  EXPECT_EQ(parser.Take().status, 204);
  ASSERT_EQ(parser.Feed("HTTP/1.1 100 Continue\r\n\r\n", used), State::kComplete);
  EXPECT_EQ(parser.Take().status, 100);
  ASSERT_EQ(parser.Feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", used),
            State::kComplete);
  EXPECT_TRUE(parser.Take().body.empty());

  // No Content-Length and no chunking: no body (read-until-close is not supported).
  const std::string head = "HTTP/1.1 200 OK\r\n\r\n";
  ASSERT_EQ(parser.Feed(head + "tail", used), State::kComplete);
  EXPECT_EQ(used, head.size());
  parser.Take();

  // Chunked responses are decoded like chunked requests.
  ASSERT_EQ(parser.Feed(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", used),
            State::kComplete);
  EXPECT_EQ(parser.Take().body, "abc");

  // RTSP has the same rule (RFC 2326 §4.4), and RTSP responses do not chunk.
  Parser rtsp(Protocol::kRtsp, Kind::kResponse);
  const std::string rtsp204 = "RTSP/1.0 204 No Content\r\nCSeq: 1\r\nContent-Length: 2\r\n\r\n";
  ASSERT_EQ(rtsp.Feed(rtsp204 + "ok", used), State::kComplete);
  EXPECT_EQ(used, rtsp204.size());
  EXPECT_TRUE(rtsp.Take().body.empty());
  ASSERT_EQ(rtsp.Feed("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 2\r\n\r\nok", used),
            State::kComplete);
  EXPECT_EQ(rtsp.Take().body, "ok");
  ASSERT_EQ(rtsp.Feed("RTSP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", used),
            State::kError);
  EXPECT_EQ(rtsp.error_status(), 501);
}

TEST(HttpResponseParserTest, StatusLineRules) {
  Parsed parsed = ParseAll(Protocol::kHttp, Kind::kResponse, "HTTP/1.1 200\r\n\r\n");
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].status, 200);
  EXPECT_EQ(parsed.messages[0].reason, "");
  parsed = ParseAll(Protocol::kHttp, Kind::kResponse, "HTTP/1.1 200 \r\n\r\n");
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  parsed = ParseAll(Protocol::kRtsp, Kind::kResponse,
                    "RTSP/1.0 454 Session Not Found\r\nCSeq: 9\r\n\r\n");
  ASSERT_EQ(parsed.messages.size(), 1u) << parsed.error_reason;
  EXPECT_EQ(parsed.messages[0].reason, "Session Not Found");

  for (const char* line : {"HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 X", "HTTP/1.1 600 X",
                           "HTTP/1.1  200 OK", "HTTP/1.1", "HTTP/1.1 2x0 OK", "HTTP/1.1 200 O\x01K",
                           "GET / HTTP/1.1"}) {
    SCOPED_TRACE(line);
    parsed = ParseAll(Protocol::kHttp, Kind::kResponse, std::string(line) + "\r\n\r\n");
    EXPECT_EQ(parsed.last, State::kError);
    EXPECT_EQ(parsed.error_status, 400);
  }
  parsed = ParseAll(Protocol::kHttp, Kind::kResponse, "RTSP/1.0 200 OK\r\n\r\n");
  EXPECT_EQ(parsed.error_status, 505);
}

}  // namespace
}  // namespace ringcast::net::http
