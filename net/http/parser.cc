#include "net/http/parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "absl/strings/str_format.h"

namespace ringcast::net::http {
namespace {

// A chunk-size line with its extensions; real ones are a few bytes.
constexpr size_t kMaxChunkSizeLine = 4096;
// Body memory reserved up front; a larger declared length grows as bytes actually arrive.
constexpr size_t kMaxBodyReserve = 64 * 1024;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 §5.5 field-value bytes (also reason-phrase, RFC 9112 §4): HTAB, SP, VCHAR, obs-text.
// NUL, CR, LF, the other controls and DEL are refused.
bool IsFieldValueText(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// request-target bytes: the visible ASCII characters (RFC 3986 has no others; clients
// percent-encode the rest).
bool IsTargetText(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6): no sign, no spaces, no hex.
bool ParseDecimal(std::string_view s, uint64_t& value) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Calls fn(element) for each comma-separated, OWS-trimmed element of `value`, empty ones
// included (callers decide whether those are allowed). Stops when fn returns false.
template <typename Fn>
bool ForEachListElement(std::string_view value, Fn fn) {
  while (true) {
    size_t comma = value.find(',');
    if (!fn(TrimOws(value.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

Parser::Parser(Protocol protocol, Kind kind, Limits limits)
    : protocol_(protocol), kind_(kind), limits_(limits) {
  Reset();
}

void Parser::Reset() {
  phase_ = Phase::kStartLine;
  message_ = Message{};
  message_.protocol = protocol_;
  line_.clear();
  start_bytes_ = 0;
  header_bytes_ = 0;
  line_number_ = 0;
  remaining_ = 0;
  at_interleaved_frame_ = false;
  error_status_ = 0;
  error_reason_.clear();
}

Message Parser::Take() {
  Message message = std::move(message_);
  Reset();
  return message;
}

void Parser::Fail(int status, std::string reason) {
  phase_ = Phase::kError;
  error_status_ = status;
  error_reason_ = std::move(reason);
}

Parser::State Parser::Feed(std::string_view data, size_t& consumed) {
  consumed = 0;
  at_interleaved_frame_ = false;
  if (phase_ == Phase::kError) return State::kError;
  if (phase_ == Phase::kDone) return State::kComplete;

  size_t pos = 0;
  while (pos < data.size()) {
    if (phase_ == Phase::kBody || phase_ == Phase::kChunkData) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, data.size() - pos));
      message_.body.append(data.data() + pos, n);
      pos += n;
      remaining_ -= n;
      if (remaining_ == 0) phase_ = phase_ == Phase::kBody ? Phase::kDone : Phase::kChunkDataEnd;
    } else {
      // RFC 2326 §10.12: between messages, '$' starts an interleaved frame, never a request.
      if (phase_ == Phase::kStartLine && line_.empty() && protocol_ == Protocol::kRtsp &&
          data[pos] == '$') {
        consumed = pos;
        start_bytes_ = 0;
        at_interleaved_frame_ = true;
        return State::kNeedMore;
      }
      // Look for the end of the line only as far as the line may still reach.
      const size_t budget = LineBudget() - line_.size();
      std::string_view window = data.substr(pos, budget);
      const size_t lf = window.find('\n');
      if (lf == std::string_view::npos) {
        if (window.size() == budget) {
          LineTooLong();
          consumed = pos;
          return State::kError;
        }
        line_.append(window);
        pos += window.size();
        break;
      }
      std::string_view line;
      if (line_.empty()) {
        line = window.substr(0, lf);
      } else {
        line_.append(window.substr(0, lf));
        line = line_;
      }
      pos += lf + 1;
      const size_t line_bytes = line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (phase_ == Phase::kHeaders || phase_ == Phase::kTrailers) header_bytes_ += line_bytes;
      if (phase_ == Phase::kStartLine && line.empty()) start_bytes_ += line_bytes;
      ProcessLine(line);
      line_.clear();
    }
    if (phase_ == Phase::kError) {
      consumed = pos;
      return State::kError;
    }
    if (phase_ == Phase::kDone) {
      consumed = pos;
      return State::kComplete;
    }
  }
  consumed = pos;
  return State::kNeedMore;
}

size_t Parser::LineBudget() const {
  switch (phase_) {
    case Phase::kStartLine:
      return limits_.max_start_line;
    case Phase::kHeaders:
    case Phase::kTrailers:
      return limits_.max_header_bytes - header_bytes_;
    default:
      return kMaxChunkSizeLine;
  }
}

void Parser::LineTooLong() {
  switch (phase_) {
    case Phase::kStartLine:
      if (kind_ == Kind::kRequest) {
        Fail(414, absl::StrFormat("request line longer than %d bytes", limits_.max_start_line));
      } else {
        Fail(400, absl::StrFormat("status line longer than %d bytes", limits_.max_start_line));
      }
      return;
    case Phase::kHeaders:
      Fail(431, absl::StrFormat("header section larger than %d bytes", limits_.max_header_bytes));
      return;
    case Phase::kTrailers:
      Fail(431, absl::StrFormat("trailer section larger than %d bytes", limits_.max_header_bytes));
      return;
    default:
      Fail(400, absl::StrFormat("chunk size line longer than %d bytes", kMaxChunkSizeLine));
      return;
  }
}

void Parser::ProcessLine(std::string_view line) {
  switch (phase_) {
    case Phase::kStartLine:
      ProcessStartLine(line);
      return;
    case Phase::kHeaders:
      ++line_number_;
      ProcessHeaderLine(line);
      return;
    case Phase::kChunkSize:
      ProcessChunkSizeLine(line);
      return;
    case Phase::kChunkDataEnd:
      if (!line.empty()) {
        Fail(400, "chunk data longer than its chunk size");
      } else {
        phase_ = Phase::kChunkSize;
      }
      return;
    case Phase::kTrailers:
      // Trailer fields are dropped: nothing here may change how the message is handled.
      if (line.empty()) phase_ = Phase::kDone;
      return;
    default:
      return;
  }
}

void Parser::ProcessStartLine(std::string_view line) {
  if (line.empty()) {
    // RFC 9112 §2.2: a robust recipient ignores empty lines before the start line.
    if (start_bytes_ > limits_.max_start_line) {
      Fail(400, "too many empty lines before the start line");
    }
    return;
  }
  line_number_ = 1;
  if (kind_ == Kind::kRequest) {
    ProcessRequestLine(line);
  } else {
    ProcessStatusLine(line);
  }
  if (phase_ != Phase::kError) phase_ = Phase::kHeaders;
}

// request-line = method SP request-target SP HTTP-version (RFC 9112 §3).
void Parser::ProcessRequestLine(std::string_view line) {
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    Fail(400, "malformed request line: no spaces");
    return;
  }
  std::string_view method = line.substr(0, sp1);
  if (!IsToken(method)) {
    Fail(400, "malformed request line: method is not a token");
    return;
  }
  std::string_view rest = line.substr(sp1 + 1);
  const size_t sp2 = rest.find(' ');
  if (sp2 == std::string_view::npos) {
    Fail(400, "malformed request line: no protocol version");
    return;
  }
  std::string_view target = rest.substr(0, sp2);
  if (target.empty() || !IsTargetText(target)) {
    Fail(400, "malformed request line: bad request target");
    return;
  }
  if (!ProcessVersion(rest.substr(sp2 + 1))) return;
  message_.method.assign(method);
  message_.target.assign(target);
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4). A missing SP
// after the code is tolerated: some servers omit it along with an empty reason.
void Parser::ProcessStatusLine(std::string_view line) {
  const size_t sp = line.find(' ');
  if (!ProcessVersion(line.substr(0, sp))) return;
  if (sp == std::string_view::npos) {
    Fail(400, "malformed status line: no status code");
    return;
  }
  std::string_view rest = line.substr(sp + 1);
  if (rest.size() < 3 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || !IsDigit(rest[2]) ||
      (rest.size() > 3 && rest[3] != ' ')) {
    Fail(400, "malformed status line: status code is not 3 digits");
    return;
  }
  const int status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  if (status < 100 || status > 599) {
    Fail(400, absl::StrFormat("malformed status line: status code %d out of range", status));
    return;
  }
  std::string_view reason = rest.size() > 3 ? rest.substr(4) : std::string_view();
  if (!IsFieldValueText(reason)) {
    Fail(400, "malformed status line: control character in reason phrase");
    return;
  }
  message_.status = status;
  message_.reason.assign(reason);
}

// HTTP-version = "HTTP" "/" DIGIT "." DIGIT (RFC 9112 §2.3); RTSP-Version likewise.
bool Parser::ProcessVersion(std::string_view version) {
  const size_t slash = version.find('/');
  if (slash == std::string_view::npos || slash == 0 || version.size() != slash + 4 ||
      !IsDigit(version[slash + 1]) || version[slash + 2] != '.' || !IsDigit(version[slash + 3])) {
    Fail(400, "malformed protocol version");
    return false;
  }
  std::string_view name = version.substr(0, slash);
  for (char c : name) {
    if (c < 'A' || c > 'Z') {
      Fail(400, "malformed protocol version");
      return false;
    }
  }
  const int major = version[slash + 1] - '0';
  const int minor = version[slash + 3] - '0';
  const std::string_view expected = ProtocolName(protocol_);
  // HTTP/1.x with any minor is handled as the 1.1 it must be compatible with (RFC 9110 §2.5);
  // RTSP has only 1.0 here (RTSP 2.0, RFC 7826, is a different protocol).
  const bool supported =
      name == expected && major == 1 && (protocol_ == Protocol::kHttp || minor == 0);
  if (!supported) {
    // The reason ends up in logs: a long name is cut.
    Fail(505, absl::StrFormat("unsupported protocol version %s%s (expected %s/1.%s)",
                              version.substr(0, 16), version.size() > 16 ? "..." : "", expected,
                              protocol_ == Protocol::kHttp ? "x" : "0"));
    return false;
  }
  message_.version_major = major;
  message_.version_minor = minor;
  return true;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5).
void Parser::ProcessHeaderLine(std::string_view line) {
  if (line.empty()) {
    EndHeaders();
    return;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    // obs-fold (RFC 9112 §5.2): HTTP servers must reject it; RTSP/1.0 still allows it
    // (RFC 2326 §4.2 via RFC 2616 §2.2), so it continues the previous field after one SP.
    if (protocol_ == Protocol::kHttp) {
      Fail(400, absl::StrFormat("malformed header line %d: obsolete line folding", line_number_));
      return;
    }
    if (message_.headers.empty()) {
      Fail(400,
           absl::StrFormat("malformed header line %d: continuation of no header", line_number_));
      return;
    }
    std::string_view more = TrimOws(line);
    if (!IsFieldValueText(more)) {
      Fail(400,
           absl::StrFormat("malformed header line %d: control character in value", line_number_));
      return;
    }
    std::string& value = message_.headers.back().value;
    if (!more.empty()) {
      if (!value.empty()) value.push_back(' ');
      value.append(more);
    }
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    Fail(400, absl::StrFormat("malformed header line %d: no ':'", line_number_));
    return;
  }
  std::string_view name = line.substr(0, colon);
  if (name.empty()) {
    Fail(400, absl::StrFormat("malformed header line %d: empty field name", line_number_));
    return;
  }
  if (!IsToken(name)) {
    // RFC 9112 §5.1: whitespace before the colon must be rejected, not trimmed.
    const bool space = name.find_first_of(" \t") != std::string_view::npos;
    Fail(400, absl::StrFormat("malformed header line %d: %s in field name", line_number_,
                              space ? "whitespace" : "invalid character"));
    return;
  }
  std::string_view value = TrimOws(line.substr(colon + 1));
  if (!IsFieldValueText(value)) {
    Fail(400,
         absl::StrFormat("malformed header line %d: control character in value", line_number_));
    return;
  }
  if (message_.headers.size() >= limits_.max_headers) {
    Fail(431, absl::StrFormat("more than %d header fields", limits_.max_headers));
    return;
  }
  message_.headers.push_back(Header{std::string(name), std::string(value)});
}

// Decides how the body is framed (RFC 9112 §6.3).
void Parser::EndHeaders() {
  const bool http = protocol_ == Protocol::kHttp;
  const bool http10 = message_.version_major == 1 && message_.version_minor == 0;
  if (http && kind_ == Kind::kRequest) {
    // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, or with more than one.
    int hosts = 0;
    for (const Header& header : message_.headers) hosts += HeaderNameEquals(header.name, "Host");
    if (hosts > 1 || (hosts == 0 && !http10)) {
      Fail(400, hosts > 1 ? "more than one Host header" : "HTTP/1.1 request without Host header");
      return;
    }
  }
  if (kind_ == Kind::kResponse) {
    // RFC 9112 §6.3 rule 1, RFC 2326 §4.4 rule 1: never a body, whatever the headers say.
    const int status = message_.status;
    if (status < 200 || status == 204 || status == 304) {
      phase_ = Phase::kDone;
      return;
    }
  }

  bool has_transfer_encoding = false;
  bool only_chunked = true;
  int codings = 0;
  bool has_length = false;
  uint64_t length = 0;
  for (const Header& header : message_.headers) {
    if (HeaderNameEquals(header.name, "Transfer-Encoding")) {
      has_transfer_encoding = true;
      ForEachListElement(header.value, [&](std::string_view coding) {
        if (coding.empty()) return true;
        ++codings;
        if (!HeaderNameEquals(coding, "chunked")) only_chunked = false;
        return true;
      });
    } else if (HeaderNameEquals(header.name, "Content-Length")) {
      // RFC 9110 §8.6: a list of identical values ("42, 42", or repeated fields) is one value.
      bool valid = true;
      bool conflict = false;
      ForEachListElement(header.value, [&](std::string_view element) {
        uint64_t value = 0;
        if (!ParseDecimal(element, value)) {
          valid = false;
          return false;
        }
        if (has_length && value != length) {
          conflict = true;
          return false;
        }
        has_length = true;
        length = value;
        return true;
      });
      if (!valid) {
        Fail(400, "invalid Content-Length");
        return;
      }
      if (conflict) {
        Fail(400, "conflicting Content-Length values");
        return;
      }
    }
  }

  if (has_transfer_encoding) {
    if (!http) {
      Fail(501, "Transfer-Encoding is not supported in RTSP");
    } else if (http10) {
      Fail(400, "Transfer-Encoding in an HTTP/1.0 message");  // RFC 9112 §6.1
    } else if (has_length) {
      // RFC 9112 §6.3 rule 3: a classic request smuggling vector; refuse rather than guess.
      Fail(400, "both Transfer-Encoding and Content-Length");
    } else if (codings != 1 || !only_chunked) {
      Fail(501, "unsupported Transfer-Encoding (only \"chunked\" is)");
    } else {
      phase_ = Phase::kChunkSize;
    }
    return;
  }
  if (length > limits_.max_body) {
    Fail(413,
         absl::StrFormat("body of %d bytes is over the %d byte limit", length, limits_.max_body));
    return;
  }
  if (length == 0) {
    phase_ = Phase::kDone;
    return;
  }
  remaining_ = length;
  message_.body.reserve(static_cast<size_t>(std::min<uint64_t>(length, kMaxBodyReserve)));
  phase_ = Phase::kBody;
}

// chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG (RFC 9112 §7.1).
void Parser::ProcessChunkSizeLine(std::string_view line) {
  size_t i = 0;
  uint64_t size = 0;
  bool too_large = false;
  for (; i < line.size(); ++i) {
    const int digit = HexValue(line[i]);
    if (digit < 0) break;
    if (size > (std::numeric_limits<uint64_t>::max() >> 4)) too_large = true;
    size = (size << 4) | static_cast<uint64_t>(digit);
  }
  if (i == 0) {
    Fail(400, "malformed chunk size line");
    return;
  }
  std::string_view extensions = TrimOws(line.substr(i));
  if (!extensions.empty() && (extensions.front() != ';' || !IsFieldValueText(extensions))) {
    Fail(400, "malformed chunk size line");
    return;
  }
  if (size == 0 && !too_large) {
    header_bytes_ = 0;  // the trailer section gets its own max_header_bytes
    phase_ = Phase::kTrailers;
    return;
  }
  if (too_large || size > limits_.max_body - message_.body.size()) {
    Fail(413, absl::StrFormat("chunked body over the %d byte limit", limits_.max_body));
    return;
  }
  remaining_ = size;
  phase_ = Phase::kChunkData;
}

}  // namespace ringcast::net::http
