#include "net/http/message.h"

#include <array>
#include <charconv>
#include <cstdint>

#include "core/strings.h"

namespace ringcast::net::http {
namespace {

constexpr std::array<bool, 256> MakeTcharTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTchar = MakeTcharTable();

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool IsScheme(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return false;
  for (char c : s) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void AppendInt(std::string& out, uint64_t value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, result.ptr);
}

// Calls `fn` with each comma-separated element of every `name` header, trimmed, skipping empty
// elements (RFC 9110 §5.6.1). Stops early when `fn` returns true; returns whether it did.
template <typename Fn>
bool AnyListElement(const std::vector<Header>& headers, std::string_view name, Fn fn) {
  for (const Header& header : headers) {
    if (!HeaderNameEquals(header.name, name)) continue;
    std::string_view rest = header.value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view element = TrimOws(rest.substr(0, comma));
      if (!element.empty() && fn(element)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

bool HasConnectionOption(const std::vector<Header>& headers, std::string_view option) {
  return AnyListElement(headers, "Connection", [option](std::string_view element) {
    return HeaderNameEquals(element, option);
  });
}

bool HasHeader(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& header : headers) {
    if (HeaderNameEquals(header.name, name)) return true;
  }
  return false;
}

// Appends `s` with CR, LF and NUL replaced by SP: header bytes never end a line early.
void AppendSanitized(std::string& out, std::string_view s) {
  size_t start = out.size();
  out.append(s);
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n' || out[i] == '\0') out[i] = ' ';
  }
}

void AppendHeaders(std::string& out, const std::vector<Header>& headers) {
  for (const Header& header : headers) {
    AppendSanitized(out, header.name);
    out.append(": ");
    AppendSanitized(out, header.value);
    out.append("\r\n");
  }
}

size_t HeadersSize(const std::vector<Header>& headers) {
  size_t size = 0;
  for (const Header& header : headers) size += header.name.size() + header.value.size() + 4;
  return size;
}

std::string_view VersionString(Protocol protocol) {
  return protocol == Protocol::kRtsp ? "RTSP/1.0" : "HTTP/1.1";
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  return core::EqualsIgnoreCase(a, b);
}

bool IsTchar(char c) { return kTchar[static_cast<unsigned char>(c)]; }

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

std::string_view ProtocolName(Protocol protocol) {
  return protocol == Protocol::kRtsp ? "RTSP" : "HTTP";
}

const std::string* Message::FindHeader(std::string_view name) const {
  for (const Header& header : headers) {
    if (HeaderNameEquals(header.name, name)) return &header.value;
  }
  return nullptr;
}

std::string_view Message::Path() const {
  std::string_view path = target;
  path = path.substr(0, path.find_first_of("?#"));
  size_t scheme_end = path.find("://");
  if (scheme_end != std::string_view::npos && IsScheme(path.substr(0, scheme_end))) {
    std::string_view rest = path.substr(scheme_end + 3);
    size_t slash = rest.find('/');
    return slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  }
  return path;
}

std::string_view Message::Query() const {
  std::string_view t = target;
  size_t question = t.find('?');
  size_t hash = t.find('#');
  if (question == std::string_view::npos || hash < question) return {};
  std::string_view query = t.substr(question + 1);
  return hash == std::string_view::npos ? query : query.substr(0, hash - question - 1);
}

bool Message::KeepAlive() const {
  if (HasConnectionOption(headers, "close")) return false;
  if (protocol == Protocol::kRtsp) return true;
  if (version_major > 1 || (version_major == 1 && version_minor >= 1)) return true;
  return HasConnectionOption(headers, "keep-alive");
}

std::string_view DefaultReason(int status, Protocol protocol) {
  const bool rtsp = protocol == Protocol::kRtsp;
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 250:
      return rtsp ? "Low on Storage Space" : "";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return rtsp ? "Moved Temporarily" : "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 305:
      return "Use Proxy";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return rtsp ? "Request Entity Too Large" : "Content Too Large";
    case 414:
      return rtsp ? "Request-URI Too Long" : "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 422:
      return "Unprocessable Content";
    case 426:
      return "Upgrade Required";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    // RFC 2326 §7.1.1: the 45x and 46x codes are RTSP's own.
    case 451:
      return rtsp ? "Parameter Not Understood" : "Unavailable For Legal Reasons";
    case 452:
      return rtsp ? "Conference Not Found" : "";
    case 453:
      return rtsp ? "Not Enough Bandwidth" : "";
    case 454:
      return rtsp ? "Session Not Found" : "";
    case 455:
      return rtsp ? "Method Not Valid in This State" : "";
    case 456:
      return rtsp ? "Header Field Not Valid for Resource" : "";
    case 457:
      return rtsp ? "Invalid Range" : "";
    case 458:
      return rtsp ? "Parameter Is Read-Only" : "";
    case 459:
      return rtsp ? "Aggregate Operation Not Allowed" : "";
    case 460:
      return rtsp ? "Only Aggregate Operation Allowed" : "";
    case 461:
      return rtsp ? "Unsupported Transport" : "";
    case 462:
      return rtsp ? "Destination Unreachable" : "";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return rtsp ? "RTSP Version Not Supported" : "HTTP Version Not Supported";
    case 551:
      return rtsp ? "Option not supported" : "";
    default:
      return "";
  }
}

std::string FormatResponse(Protocol protocol, int status, std::string_view reason,
                           const std::vector<Header>& headers, std::string_view body) {
  if (reason.empty()) reason = DefaultReason(status, protocol);
  // RFC 9110 §6.4.1: 1xx, 204 and 304 responses end at the header section.
  const bool bodiless = (status >= 100 && status < 200) || status == 204 || status == 304;
  if (bodiless) body = {};
  const bool framed =
      HasHeader(headers, "Content-Length") || HasHeader(headers, "Transfer-Encoding");
  const bool add_length = !framed && !bodiless && (protocol == Protocol::kHttp || !body.empty());

  std::string out;
  out.reserve(32 + reason.size() + HeadersSize(headers) + 32 + body.size());
  out.append(VersionString(protocol));
  out.append(" ");
  AppendInt(out, static_cast<uint64_t>(status < 0 ? 0 : status));
  out.append(" ");
  AppendSanitized(out, reason);
  out.append("\r\n");
  AppendHeaders(out, headers);
  if (add_length) {
    out.append("Content-Length: ");
    AppendInt(out, body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

std::string FormatRequest(Protocol protocol, std::string_view method, std::string_view target,
                          const std::vector<Header>& headers, std::string_view body) {
  const bool add_length = !body.empty() && !HasHeader(headers, "Content-Length") &&
                          !HasHeader(headers, "Transfer-Encoding");
  std::string out;
  out.reserve(method.size() + target.size() + 16 + HeadersSize(headers) + 32 + body.size());
  AppendSanitized(out, method);
  out.append(" ");
  AppendSanitized(out, target);
  out.append(" ");
  out.append(VersionString(protocol));
  out.append("\r\n");
  AppendHeaders(out, headers);
  if (add_length) {
    out.append("Content-Length: ");
    AppendInt(out, body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

}  // namespace ringcast::net::http
