#include "net/rtsp/transport.h"

#include <charconv>
#include <cstdio>

#include "core/strings.h"

namespace ringcast::net::rtsp {
namespace {

absl::Status Malformed(std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("Transport: ", why));
}
absl::Status Unsupported(std::string_view why) {
  return absl::UnimplementedError(core::StrCat("Transport: ", why));
}

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits on `sep` outside double quotes.
std::vector<std::string_view> SplitUnquoted(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == sep && !quoted) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

std::string_view Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

bool ParseUnsigned(std::string_view text, unsigned max, unsigned& value) {
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && value <= max;
}

// "a-b" or "a" (then b = a + 1), each in [min, max], b > a.
absl::Status ParsePair(std::string_view name, std::string_view value, unsigned min, unsigned max,
                       unsigned& first, unsigned& second) {
  const size_t dash = value.find('-');
  std::string_view a = Trim(value.substr(0, dash));
  if (!ParseUnsigned(a, max, first) || first < min) {
    return Malformed(core::StrCat(name, " is not a number in ", min, "..", max));
  }
  if (dash == std::string_view::npos) {
    if (first == max) return Malformed(core::StrCat(name, " needs two ports"));
    second = first + 1;
    return absl::OkStatus();
  }
  std::string_view b = Trim(value.substr(dash + 1));
  if (b.empty()) return Malformed(core::StrCat(name, " needs two ports"));
  if (!ParseUnsigned(b, max, second) || second < min) {
    return Malformed(core::StrCat(name, " is not a number in ", min, "..", max));
  }
  if (second <= first) return Malformed(core::StrCat(name, " needs two ports"));
  return absl::OkStatus();
}

absl::Status ParsePortPair(std::string_view name, std::string_view value,
                           std::optional<PortPair>& out) {
  unsigned a = 0, b = 0;
  if (absl::Status s = ParsePair(name, value, 1, 65535, a, b); !s.ok()) return s;
  out = PortPair{static_cast<uint16_t>(a), static_cast<uint16_t>(b)};
  return absl::OkStatus();
}

absl::Status ParseProtocol(std::string_view text, TransportSpec& spec) {
  // transport-protocol/profile[/lower-transport], e.g. RTP/AVP/TCP.
  const size_t slash1 = text.find('/');
  if (slash1 == std::string_view::npos || !EqualsIgnoreCase(text.substr(0, slash1), "RTP")) {
    return Unsupported("only RTP transports are supported (expected RTP/AVP...)");
  }
  std::string_view rest = text.substr(slash1 + 1);
  const size_t slash2 = rest.find('/');
  std::string_view profile = rest.substr(0, slash2);
  if (profile.empty() || profile.size() > 16) return Malformed("missing RTP profile");
  spec.profile.clear();
  for (char c : profile) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return Malformed("bad character in RTP profile");
    }
    spec.profile.push_back(ToUpper(c));
  }
  if (slash2 == std::string_view::npos) {
    spec.lower = LowerTransport::kUdp;
    return absl::OkStatus();
  }
  std::string_view lower = rest.substr(slash2 + 1);
  if (EqualsIgnoreCase(lower, "TCP")) {
    spec.lower = LowerTransport::kTcp;
  } else if (EqualsIgnoreCase(lower, "UDP")) {
    spec.lower = LowerTransport::kUdp;
  } else {
    return Unsupported("lower transport must be TCP or UDP");
  }
  return absl::OkStatus();
}

absl::Status ParseMode(std::string_view value, TransportSpec& spec) {
  std::optional<TransportMode> mode;
  for (std::string_view item : SplitUnquoted(Unquote(value), ',')) {
    item = Trim(item);
    TransportMode m;
    if (EqualsIgnoreCase(item, "play")) {
      m = TransportMode::kPlay;
    } else if (EqualsIgnoreCase(item, "record") || EqualsIgnoreCase(item, "receive")) {
      m = TransportMode::kRecord;
    } else {
      return Unsupported("mode must be PLAY or RECORD");
    }
    if (mode && *mode != m) return Unsupported("mode lists both PLAY and RECORD");
    mode = m;
  }
  spec.mode = mode;
  return absl::OkStatus();
}

bool IsAddressText(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == ',' || c == ';') return false;
  }
  return true;
}

// Marks `name` as seen; false when it was already.
bool FirstTime(std::vector<std::string>& seen, std::string_view name) {
  std::string lower;
  for (char c : name) lower.push_back(ToLower(c));
  for (const std::string& s : seen) {
    if (s == lower) return false;
  }
  seen.push_back(std::move(lower));
  return true;
}

absl::Status ParseParameter(std::string_view param, TransportSpec& spec,
                            std::vector<std::string>& seen) {
  const size_t eq = param.find('=');
  std::string_view name = Trim(param.substr(0, eq));
  std::string_view value =
      eq == std::string_view::npos ? std::string_view() : Trim(param.substr(eq + 1));
  const bool has_value = eq != std::string_view::npos;
  const bool is_delivery = EqualsIgnoreCase(name, "unicast") || EqualsIgnoreCase(name, "multicast");
  bool known = is_delivery;
  for (std::string_view k : {"interleaved", "client_port", "server_port", "port", "ssrc", "ttl",
                             "mode", "destination", "source", "append"}) {
    known = known || EqualsIgnoreCase(name, k);
  }
  if (!known) return absl::OkStatus();  // RFC 2326 §12.39: unknown parameters are ignored
  if (!FirstTime(seen, is_delivery ? std::string_view("delivery") : name)) {
    if (is_delivery) return Malformed("both unicast and multicast, or one given twice");
    return Malformed(core::StrCat("parameter given twice: ", name.substr(0, 32)));
  }
  if (EqualsIgnoreCase(name, "unicast")) {
    spec.delivery = Delivery::kUnicast;
  } else if (EqualsIgnoreCase(name, "multicast")) {
    spec.delivery = Delivery::kMulticast;
  } else if (EqualsIgnoreCase(name, "interleaved")) {
    unsigned a = 0, b = 0;
    if (absl::Status s = ParsePair("interleaved", value, 0, 255, a, b); !s.ok()) {
      return Malformed(s.message().find("two") != std::string_view::npos
                           ? "interleaved needs two channels"
                           : "interleaved is not a channel number in 0..255");
    }
    spec.interleaved = ChannelPair{static_cast<uint8_t>(a), static_cast<uint8_t>(b)};
  } else if (EqualsIgnoreCase(name, "client_port")) {
    return ParsePortPair("client_port", value, spec.client_port);
  } else if (EqualsIgnoreCase(name, "server_port")) {
    return ParsePortPair("server_port", value, spec.server_port);
  } else if (EqualsIgnoreCase(name, "port")) {
    return ParsePortPair("port", value, spec.port);
  } else if (EqualsIgnoreCase(name, "ssrc")) {
    value = Unquote(value);
    uint32_t ssrc = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ssrc, 16);
    if (value.empty() || value.size() > 8 || ec != std::errc() ||
        end != value.data() + value.size() || value.front() == '-' || value.front() == '+') {
      return Malformed("ssrc is not 1 to 8 hex digits");
    }
    spec.ssrc = ssrc;
  } else if (EqualsIgnoreCase(name, "ttl")) {
    unsigned ttl = 0;
    if (!ParseUnsigned(value, 255, ttl)) return Malformed("ttl is not a number in 0..255");
    spec.ttl = static_cast<uint8_t>(ttl);
  } else if (EqualsIgnoreCase(name, "mode")) {
    if (!has_value) return Malformed("mode needs a value");
    return ParseMode(value, spec);
  } else if (EqualsIgnoreCase(name, "destination") || EqualsIgnoreCase(name, "source")) {
    value = Unquote(value);
    if (!IsAddressText(value)) return Malformed(core::StrCat("bad ", name, " address"));
    (EqualsIgnoreCase(name, "source") ? spec.source : spec.destination) = std::string(value);
  } else if (EqualsIgnoreCase(name, "append")) {
    spec.append = true;
  }
  return absl::OkStatus();
}

void AppendPair(std::string& out, std::string_view name, unsigned a, unsigned b) {
  core::StrAppend(out, ";", name, "=", a, "-", b);
}

}  // namespace

absl::StatusOr<TransportSpec> ParseTransportSpec(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return Malformed("empty transport-spec");
  std::vector<std::string_view> parts = SplitUnquoted(text, ';');
  TransportSpec spec;
  if (absl::Status s = ParseProtocol(Trim(parts[0]), spec); !s.ok()) return s;
  std::vector<std::string> seen;
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view param = Trim(parts[i]);
    if (param.empty()) continue;  // "...;" as some cameras end it
    if (absl::Status s = ParseParameter(param, spec, seen); !s.ok()) return s;
  }
  return spec;
}

absl::StatusOr<std::vector<TransportSpec>> ParseTransport(std::string_view header_value) {
  std::vector<TransportSpec> specs;
  for (std::string_view alternative : SplitUnquoted(header_value, ',')) {
    absl::StatusOr<TransportSpec> spec = ParseTransportSpec(alternative);
    if (!spec.ok()) return spec.status();
    specs.push_back(*std::move(spec));
  }
  return specs;
}

std::string FormatTransportSpec(const TransportSpec& spec) {
  std::string out = core::StrCat("RTP/", spec.profile);
  if (spec.lower == LowerTransport::kTcp) out += "/TCP";
  if (spec.delivery == Delivery::kUnicast) out += ";unicast";
  if (spec.delivery == Delivery::kMulticast) out += ";multicast";
  if (!spec.destination.empty()) core::StrAppend(out, ";destination=", spec.destination);
  if (!spec.source.empty()) core::StrAppend(out, ";source=", spec.source);
  if (spec.interleaved)
    AppendPair(out, "interleaved", spec.interleaved->rtp, spec.interleaved->rtcp);
  if (spec.client_port)
    AppendPair(out, "client_port", spec.client_port->rtp, spec.client_port->rtcp);
  if (spec.server_port)
    AppendPair(out, "server_port", spec.server_port->rtp, spec.server_port->rtcp);
  if (spec.port) AppendPair(out, "port", spec.port->rtp, spec.port->rtcp);
  if (spec.ttl) core::StrAppend(out, ";ttl=", static_cast<unsigned>(*spec.ttl));
  if (spec.ssrc) {
    char hex[9];
    std::snprintf(hex, sizeof(hex), "%08X", static_cast<unsigned>(*spec.ssrc));
    core::StrAppend(out, ";ssrc=", std::string_view(hex, 8));
  }
  if (spec.mode) out += *spec.mode == TransportMode::kRecord ? ";mode=record" : ";mode=play";
  if (spec.append) out += ";append";
  return out;
}

std::string FormatTransport(std::span<const TransportSpec> specs) {
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += FormatTransportSpec(specs[i]);
  }
  return out;
}

absl::Status CheckSupported(const TransportSpec& spec) {
  if (spec.profile != "AVP") {
    return Unsupported(
        core::StrCat("profile RTP/", spec.profile, " is not supported (use RTP/AVP)"));
  }
  if (spec.delivery == Delivery::kMulticast)
    return Unsupported("multicast delivery is not supported");
  // TCP without interleaved= is fine: the server picks the channels (RFC 7826 §18.54).
  if (spec.lower == LowerTransport::kUdp && !spec.client_port && !spec.server_port) {
    return Malformed("RTP/AVP over UDP needs client_port=RTP-RTCP ports");
  }
  return absl::OkStatus();
}

absl::StatusOr<TransportSpec> ChooseTransport(std::string_view header_value,
                                              const TransportPolicy& policy) {
  absl::Status first_error;
  for (std::string_view alternative : SplitUnquoted(header_value, ',')) {
    absl::StatusOr<TransportSpec> spec = ParseTransportSpec(alternative);
    absl::Status status = spec.status();
    if (status.ok()) status = CheckSupported(*spec);
    if (status.ok() && spec->lower == LowerTransport::kTcp && !policy.allow_tcp) {
      status = Unsupported("TCP (interleaved) is disabled by rtsp.transports");
    }
    if (status.ok() && spec->lower == LowerTransport::kUdp && !policy.allow_udp) {
      status = Unsupported("UDP is disabled by rtsp.transports");
    }
    if (status.ok()) return *std::move(spec);
    if (first_error.ok()) first_error = status;
  }
  return first_error;
}

}  // namespace ringcast::net::rtsp
