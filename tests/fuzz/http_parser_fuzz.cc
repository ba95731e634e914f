// Fuzz target for net/http/parser: every input is parsed as HTTP and RTSP, requests and
// responses, the way a connection would see it (pipelined messages, RTSP '$' frames demuxed).
//
// Each mode runs twice: with the input whole, and split into chunks whose sizes come from a
// generator seeded by the input's last byte. Both runs must give the same messages and the same
// error, every kNeedMore must use all of its bytes, and every message must survive
// FormatRequest / FormatResponse and a second parse unchanged. Small limits make the fuzzer
// reach the 413 / 414 / 431 paths. Seeds (corpus/http) are raw captures, used as they are.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/http/message.h"
#include "net/http/parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ringcast::net::http::DefaultReason;
using ringcast::net::http::FormatRequest;
using ringcast::net::http::FormatResponse;
using ringcast::net::http::Header;
using ringcast::net::http::HeaderNameEquals;
using ringcast::net::http::Limits;
using ringcast::net::http::Message;
using ringcast::net::http::Parser;
using ringcast::net::http::Protocol;

Limits SmallLimits() {
  Limits limits;
  limits.max_start_line = 512;
  limits.max_header_bytes = 2048;
  limits.max_headers = 16;
  limits.max_body = 16 * 1024;
  return limits;
}

// Chunk sizes from 1 to `max`, from a xorshift generator; max 0 means "all at once".
class Splitter {
 public:
  explicit Splitter(uint8_t seed) : state_(0x9e3779b9u ^ (seed * 0x01000193u)), max_(seed % 67) {}
  size_t Next(size_t left) {
    if (max_ == 0) return left;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    size_t n = 1 + state_ % max_;
    return n < left ? n : left;
  }

 private:
  uint32_t state_;
  uint32_t max_;
};

struct Outcome {
  std::vector<Message> messages;
  std::vector<std::string> frames;
  int error_status = 0;
  std::string error_reason;
};

bool SameMessage(const Message& a, const Message& b) {
  if (a.protocol != b.protocol || a.method != b.method || a.target != b.target ||
      a.status != b.status || a.reason != b.reason || a.version_major != b.version_major ||
      a.version_minor != b.version_minor || a.body != b.body ||
      a.headers.size() != b.headers.size()) {
    return false;
  }
  for (size_t i = 0; i < a.headers.size(); ++i) {
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value) {
      return false;
    }
  }
  return true;
}

void CheckMessage(const Message& m, Protocol protocol, Parser::Kind kind, const Limits& limits) {
  FUZZ_CHECK(m.protocol == protocol);
  FUZZ_CHECK(m.body.size() <= limits.max_body);
  FUZZ_CHECK(m.headers.size() <= limits.max_headers);
  FUZZ_CHECK(m.version_major == 1);
  if (kind == Parser::Kind::kRequest) {
    FUZZ_CHECK(!m.method.empty() && !m.target.empty() && m.status == 0);
    FUZZ_CHECK(m.target.find_first_of(" \r\n") == std::string::npos);
  } else {
    FUZZ_CHECK(m.status >= 100 && m.status <= 599 && m.method.empty());
  }
  for (const Header& h : m.headers) {
    FUZZ_CHECK(!h.name.empty());
    FUZZ_CHECK(h.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  }
  // Accessors must stay inside the target.
  std::string_view path = m.Path();
  std::string_view query = m.Query();
  FUZZ_CHECK(path.size() <= m.target.size() || path == "/");
  FUZZ_CHECK(query.size() < m.target.size() || query.empty());
  (void)m.KeepAlive();
  (void)m.FindHeader("content-length");
}

// Serializes `m` again (framed by Content-Length) and parses it back: it must be unchanged.
void CheckRoundTrip(const Message& m, Parser::Kind kind) {
  const bool standard_version = m.version_minor == (m.protocol == Protocol::kHttp ? 1 : 0);
  if (!standard_version) return;  // the writers only speak HTTP/1.1 and RTSP/1.0
  std::vector<Header> headers;
  for (const Header& h : m.headers) {
    if (HeaderNameEquals(h.name, "Content-Length") ||
        HeaderNameEquals(h.name, "Transfer-Encoding")) {
      continue;
    }
    headers.push_back(h);
  }
  const std::string bytes = kind == Parser::Kind::kRequest
                                ? FormatRequest(m.protocol, m.method, m.target, headers, m.body)
                                : FormatResponse(m.protocol, m.status, m.reason, headers, m.body);
  Limits big;
  big.max_start_line = 1 << 20;
  big.max_header_bytes = 1 << 20;
  big.max_headers = 1 << 16;
  big.max_body = 1 << 24;
  Parser parser(m.protocol, kind, big);
  size_t used = 0;
  FUZZ_CHECK(parser.Feed(bytes, used) == Parser::State::kComplete);
  FUZZ_CHECK(used == bytes.size());
  Message again = parser.Take();
  Message expected = m;
  expected.headers = headers;
  if (expected.reason.empty() && kind == Parser::Kind::kResponse) {
    expected.reason = std::string(DefaultReason(m.status, m.protocol));
  }
  // The writer may add a Content-Length after the caller's headers; nothing else.
  if (again.headers.size() == headers.size() + 1) {
    FUZZ_CHECK(HeaderNameEquals(again.headers.back().name, "Content-Length"));
    again.headers.pop_back();
  }
  FUZZ_CHECK(SameMessage(again, expected));
}

Outcome Run(Protocol protocol, Parser::Kind kind, std::string_view input, Splitter splitter) {
  const Limits limits = SmallLimits();
  Parser parser(protocol, kind, limits);
  Outcome out;
  std::string buffer;  // received and not yet used, as a connection keeps it
  size_t offset = 0;
  while (offset < input.size()) {
    const size_t n = splitter.Next(input.size() - offset);
    buffer.append(input.substr(offset, n));
    offset += n;
    while (!buffer.empty()) {
      size_t used = 0;
      const Parser::State state = parser.Feed(buffer, used);
      FUZZ_CHECK(used <= buffer.size());
      if (state == Parser::State::kError) {
        out.error_status = parser.error_status();
        out.error_reason = std::string(parser.error_reason());
        FUZZ_CHECK(!out.error_reason.empty());
        const int s = out.error_status;
        FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
        size_t again = 1;
        FUZZ_CHECK(parser.Feed(buffer, again) == Parser::State::kError && again == 0);
        return out;
      }
      if (state == Parser::State::kComplete) {
        FUZZ_CHECK(!parser.at_interleaved_frame());
        buffer.erase(0, used);
        out.messages.push_back(parser.Take());
        continue;
      }
      if (!parser.at_interleaved_frame()) {
        FUZZ_CHECK(used == buffer.size());
        buffer.clear();
        break;
      }
      // RFC 2326 §10.12: '$', channel, 16-bit length, payload.
      FUZZ_CHECK(protocol == Protocol::kRtsp && buffer[used] == '$');
      buffer.erase(0, used);
      if (buffer.size() < 4) break;
      const size_t length =
          4 + ((static_cast<uint8_t>(buffer[2]) << 8) | static_cast<uint8_t>(buffer[3]));
      if (buffer.size() < length) break;
      out.frames.push_back(buffer.substr(0, length));
      buffer.erase(0, length);
    }
  }
  return out;
}

void RunMode(Protocol protocol, Parser::Kind kind, std::string_view input, uint8_t seed) {
  const Outcome whole = Run(protocol, kind, input, Splitter(0));
  const Outcome split = Run(protocol, kind, input, Splitter(seed));
  FUZZ_CHECK(whole.messages.size() == split.messages.size());
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    FUZZ_CHECK(SameMessage(whole.messages[i], split.messages[i]));
    CheckMessage(whole.messages[i], protocol, kind, SmallLimits());
    CheckRoundTrip(whole.messages[i], kind);
  }
  FUZZ_CHECK(whole.frames == split.frames);
  FUZZ_CHECK(whole.error_status == split.error_status);
  FUZZ_CHECK(whole.error_reason == split.error_reason);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const uint8_t seed = size > 0 ? data[size - 1] : 0;
  for (Protocol protocol : {Protocol::kHttp, Protocol::kRtsp}) {
    for (Parser::Kind kind : {Parser::Kind::kRequest, Parser::Kind::kResponse}) {
      RunMode(protocol, kind, input, seed);
    }
  }
  return 0;
}
