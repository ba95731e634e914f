#include "net/rtsp/url.h"

#include <arpa/inet.h>

#include <charconv>
#include <vector>

#include "absl/status/status.h"
#include "core/strings.h"

namespace ringcast::net::rtsp {
namespace {

// Error messages name the part that is wrong and never echo the input: a malformed userinfo
// can make a password look like a host or a port.
absl::Status UrlError(std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("rtsp url: ", why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsControlOrSpace(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c <= 0x20 || c >= 0x7f;
}

// RFC 3986 §3.2.2 reg-name, restricted to what DNS names and mDNS names use.
bool IsRegNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool LooksLikeIpv4(std::string_view host) {
  for (char c : host) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return true;
}

// Splits "scheme://rest"; returns false when there is no "://".
bool SplitScheme(std::string_view url, std::string_view& scheme, std::string_view& rest) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  scheme = url.substr(0, sep);
  rest = url.substr(sep + 3);
  return true;
}

absl::Status ParseHostPort(std::string_view hostport, Url& url) {
  std::string_view port_text;
  bool has_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return UrlError("IPv6 host without ']'");
    std::string_view literal = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError("unexpected characters after the IPv6 host");
      has_port = true;
      port_text = after.substr(1);
    }
    // RFC 6874: a zone identifier is written "%25zone" inside the brackets.
    std::string_view address = literal;
    std::string zone;
    if (const size_t pct = literal.find('%'); pct != std::string_view::npos) {
      address = literal.substr(0, pct);
      if (!PercentDecode(literal.substr(pct), zone) || zone.size() < 2 || zone[0] != '%') {
        return UrlError("bad IPv6 zone identifier");
      }
      for (char c : std::string_view(zone).substr(1)) {
        if (!IsRegNameChar(c)) return UrlError("bad IPv6 zone identifier");
      }
    }
    const std::string address_str(address);
    in6_addr parsed;
    if (address.empty() || inet_pton(AF_INET6, address_str.c_str(), &parsed) != 1) {
      return UrlError("malformed IPv6 host");
    }
    url.host = address_str + zone;
    url.host_is_ipv6 = true;
  } else {
    const size_t colon = hostport.rfind(':');
    std::string_view host = hostport;
    if (colon != std::string_view::npos) {
      host = hostport.substr(0, colon);
      port_text = hostport.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) return UrlError("empty host");
    for (char c : host) {
      if (!IsRegNameChar(c)) {
        return UrlError(c == ':' ? "IPv6 host without brackets" : "bad character in host");
      }
    }
    if (LooksLikeIpv4(host)) {
      const std::string host_str(host);
      in_addr parsed;
      if (inet_pton(AF_INET, host_str.c_str(), &parsed) != 1)
        return UrlError("malformed IPv4 host");
    }
    url.host = std::string(host);
  }
  // RFC 3986 §3.2.3: an empty port ("host:") means the scheme's default.
  if (has_port && !port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return UrlError("port is not a number in 1..65535");
    }
    url.port = static_cast<uint16_t>(value);
    url.port_explicit = true;
  }
  return absl::OkStatus();
}

}  // namespace

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  for (char c : text) {
    if (IsControlOrSpace(c)) return UrlError("space, control or non-ASCII byte in URL");
  }
  std::string_view scheme, rest;
  if (!SplitScheme(text, scheme, rest)) return UrlError("not an absolute URL (no \"://\")");
  Url url;
  if (core::EqualsIgnoreCase(scheme, "rtsp")) {
    url.secure = false;
    url.port = kDefaultRtspPort;
  } else if (core::EqualsIgnoreCase(scheme, "rtsps")) {
    url.secure = true;
    url.port = kDefaultRtspsPort;
  } else {
    return UrlError("scheme is not rtsp or rtsps");
  }
  if (rest.find('#') != std::string_view::npos) return UrlError("fragment ('#') in URL");

  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_query =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  // userinfo is up to the last '@': a camera password with a raw '@' still parses.
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    url.has_user = true;
    const size_t colon = userinfo.find(':');
    if (!PercentDecode(userinfo.substr(0, colon), url.user)) {
      return UrlError("bad percent escape in user name");
    }
    if (colon != std::string_view::npos &&
        !PercentDecode(userinfo.substr(colon + 1), url.password)) {
      return UrlError("bad percent escape in password");
    }
  }
  if (authority.empty()) return UrlError("empty host");
  if (absl::Status status = ParseHostPort(authority, url); !status.ok()) return status;

  const size_t question = path_query.find('?');
  std::string_view path = path_query.substr(0, question);
  if (question != std::string_view::npos) url.query = std::string(path_query.substr(question + 1));
  url.path = path.empty() ? "/" : std::string(path);
  std::string decoded;
  if (!PercentDecode(url.path, decoded)) return UrlError("bad percent escape in path");
  return url;
}

std::string Url::HostPort() const {
  if (host_is_ipv6) return core::StrCat("[", host, "]:", port);
  return core::StrCat(host, ":", port);
}

std::string Url::RequestUri() const {
  std::string out = secure ? "rtsps://" : "rtsp://";
  if (host_is_ipv6) {
    // Write a zone back in its RFC 6874 encoded form.
    const size_t pct = host.find('%');
    core::StrAppend(out, "[", std::string_view(host).substr(0, pct));
    if (pct != std::string::npos)
      core::StrAppend(out, "%25", std::string_view(host).substr(pct + 1));
    out.push_back(']');
  } else {
    out += host;
  }
  if (port_explicit) core::StrAppend(out, ":", port);
  out += path;
  if (!query.empty()) core::StrAppend(out, "?", query);
  return out;
}

std::string FormatUrl(const Url& url) { return url.RequestUri(); }

std::string RedactUrl(std::string_view text) {
  if (absl::StatusOr<Url> url = ParseUrl(text); url.ok()) return url->RequestUri();
  std::string out(text);
  std::string_view scheme, rest;
  if (SplitScheme(text, scheme, rest)) {
    // Cut up to the last '@' anywhere: a password with a raw '/' ends the authority early.
    if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
      out = core::StrCat(scheme, "://***", rest.substr(at));
    }
  } else if (const size_t at = text.rfind('@'); at != std::string_view::npos) {
    out = core::StrCat("***", text.substr(at));
  }
  for (char& c : out) {
    if (IsControlOrSpace(c)) c = '?';
  }
  return out;
}

absl::StatusOr<PathName> SplitPathName(std::string_view path_or_url) {
  std::string from_url;
  std::string_view path = path_or_url;
  std::string_view scheme, rest;
  if (SplitScheme(path_or_url, scheme, rest)) {
    absl::StatusOr<Url> url = ParseUrl(path_or_url);
    if (!url.ok()) return url.status();
    from_url = std::move(url->path);
    path = from_url;
  } else {
    path = path.substr(0, path.find('?'));
  }
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return absl::InvalidArgumentError("rtsp path: empty path name");

  std::vector<std::string> segments;
  while (true) {
    const size_t slash = path.find('/');
    std::string_view raw = path.substr(0, slash);
    if (raw.empty()) return absl::InvalidArgumentError("rtsp path: empty segment ('//')");
    std::string segment;
    if (!PercentDecode(raw, segment)) {
      return absl::InvalidArgumentError("rtsp path: bad percent escape");
    }
    if (segment == "." || segment == "..") {
      return absl::InvalidArgumentError("rtsp path: '.' or '..' segment");
    }
    for (char c : segment) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) return absl::InvalidArgumentError("rtsp path: control byte");
      if (c == '/') return absl::InvalidArgumentError("rtsp path: encoded '/' in a segment");
    }
    segments.push_back(std::move(segment));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }

  PathName out;
  const std::string& last = segments.back();
  const size_t eq = last.find('=');
  if (segments.size() >= 2 && eq != std::string::npos && eq > 0) {
    out.control = last;
    segments.pop_back();
  }
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.name.push_back('/');
    out.name += segments[i];
  }
  return out;
}

}  // namespace ringcast::net::rtsp
