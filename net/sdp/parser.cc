#include "net/sdp/parser.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/strings.h"
#include "net/sdp/text.h"

namespace ringcast::net::sdp {
namespace {

using text::NextToken;
using text::ParseUnsigned;
using text::SplitOnce;

absl::Status LineError(size_t line, std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("sdp line ", line, ": ", why));
}

absl::Status LimitError(size_t line, std::string_view why) {
  return absl::ResourceExhaustedError(core::StrCat("sdp line ", line, ": ", why));
}

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> tokens;
  for (std::string_view token = NextToken(s); !token.empty(); token = NextToken(s)) {
    tokens.push_back(token);
  }
  return tokens;
}

std::string Join(const std::vector<std::string_view>& tokens, size_t begin, size_t end) {
  std::string joined;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) joined.push_back(' ');
    joined.append(tokens[i]);
  }
  return joined;
}

// Returns the first control character of `line` (tab excepted), or -1.
int FindControl(std::string_view line) {
  for (char ch : line) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return c;
  }
  return -1;
}

std::string Hex(int byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return {'0', 'x', kDigits[(byte >> 4) & 0xf], kDigits[byte & 0xf]};
}

// Builds a Session one line at a time; keeps the state that spans lines.
class Builder {
 public:
  explicit Builder(const Limits& limits) : limits_(limits) {}

  void SetVersion(int version) { session_.version = version; }
  absl::Status Line(size_t number, char type, std::string_view value);
  Session Take() { return std::move(session_); }

 private:
  absl::Status SessionLine(char type, std::string_view value);
  absl::Status MediaLine(char type, std::string_view value);
  absl::Status ParseMediaHeader(std::string_view value);
  absl::Status ParseOrigin(std::string_view value);
  absl::Status ParseConnection(std::string_view value, std::vector<Connection>& out);
  absl::Status ParseBandwidth(std::string_view value, std::vector<Bandwidth>& out);
  absl::Status ParseTiming(std::string_view value);
  absl::Status ParseAttribute(std::string_view value, std::vector<Attribute>& out);
  // Stores a single-valued line (s=, i=, ...), refusing a second one.
  template <typename T>
  absl::Status SetOnce(std::optional<T>& field, char type, std::string_view value);
  absl::Status Error(std::string_view why) const { return LineError(line_, why); }

  const Limits& limits_;
  Session session_;
  size_t line_ = 0;
  size_t attributes_ = 0;
  bool seen_name_ = false;
};

absl::Status Builder::Line(size_t number, char type, std::string_view value) {
  line_ = number;
  if (type == 'm') return ParseMediaHeader(value);
  if (type == 'a') {
    return ParseAttribute(
        value, session_.media.empty() ? session_.attributes : session_.media.back().attributes);
  }
  return session_.media.empty() ? SessionLine(type, value) : MediaLine(type, value);
}

template <typename T>
absl::Status Builder::SetOnce(std::optional<T>& field, char type, std::string_view value) {
  if (field) return Error(core::StrCat("duplicate ", type, "= line"));
  field.emplace(value);
  return absl::OkStatus();
}

absl::Status Builder::SessionLine(char type, std::string_view value) {
  switch (type) {
    case 'v':
      return Error("duplicate v= line");  // the first v= is handled by ParseSdp()
    case 'o':
      return ParseOrigin(value);
    case 's':
      if (seen_name_) return Error("duplicate s= line");
      seen_name_ = true;
      session_.name = value;
      return absl::OkStatus();
    case 'i':
      return SetOnce(session_.information, type, value);
    case 'u':
      return SetOnce(session_.uri, type, value);
    case 'e':
      session_.emails.emplace_back(value);
      return absl::OkStatus();
    case 'p':
      session_.phones.emplace_back(value);
      return absl::OkStatus();
    case 'c':
      return ParseConnection(value, session_.connections);
    case 'b':
      return ParseBandwidth(value, session_.bandwidths);
    case 't':
      return ParseTiming(value);
    case 'r':
      if (session_.timings.empty()) return Error("r= line before any t= line");
      session_.timings.back().repeats.emplace_back(value);
      return absl::OkStatus();
    case 'z':
      return SetOnce(session_.time_zones, type, value);
    case 'k':
      return SetOnce(session_.key, type, value);
  }
  return Error(core::StrCat("unknown line type '", type, "'"));
}

absl::Status Builder::MediaLine(char type, std::string_view value) {
  Media& media = session_.media.back();
  switch (type) {
    case 'i':
      return SetOnce(media.information, type, value);
    case 'c':
      return ParseConnection(value, media.connections);
    case 'b':
      return ParseBandwidth(value, media.bandwidths);
    case 'k':
      return SetOnce(media.key, type, value);
    case 'v':
    case 'o':
    case 's':
    case 'u':
    case 'e':
    case 'p':
    case 't':
    case 'r':
    case 'z':
      return Error(
          core::StrCat(type, "= line inside a media section (it belongs before the first m=)"));
  }
  return Error(core::StrCat("unknown line type '", type, "'"));
}

absl::Status Builder::ParseMediaHeader(std::string_view value) {
  if (session_.media.size() >= limits_.max_media) {
    return LimitError(line_, core::StrCat("more than ", limits_.max_media, " media sections"));
  }
  std::vector<std::string_view> tokens = Tokens(value);
  if (tokens.size() < 4) return Error("m= line needs <media> <port> <proto> <fmt>");
  Media media;
  media.type = tokens[0];
  auto [port_text, count_text] = SplitOnce(tokens[1], '/');
  std::optional<uint32_t> port = ParseUnsigned<uint32_t>(port_text);
  if (!port || *port > 65535) {
    return Error(core::StrCat("m= port '", port_text, "' is not a number 0-65535"));
  }
  media.port = static_cast<uint16_t>(*port);
  if (count_text) {
    std::optional<uint32_t> count = ParseUnsigned<uint32_t>(*count_text);
    if (!count || *count == 0) {
      return Error(core::StrCat("m= port count '", *count_text, "' is not a positive number"));
    }
    media.port_count = *count;
  }
  media.proto = tokens[2];
  media.formats.assign(tokens.begin() + 3, tokens.end());
  session_.media.push_back(std::move(media));
  return absl::OkStatus();
}

absl::Status Builder::ParseOrigin(std::string_view value) {
  if (session_.origin) return Error("duplicate o= line");
  std::vector<std::string_view> t = Tokens(value);
  if (t.size() < 4) {
    return Error(
        "o= line needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>");
  }
  Origin o;
  o.username = t[0];
  o.session_id = t[1];
  if (t.size() <= 6) {
    // Cameras cut the line short ("o=- 1001 1 IN"): the missing fields stay empty.
    o.session_version = t[2];
    o.net_type = t[3];
    o.addr_type = t.size() > 4 ? std::string(t[4]) : std::string();
    o.address = t.size() > 5 ? std::string(t[5]) : std::string();
  } else {
    // TP-Link sends "o=- 14665860 31787219 1 IN IP4 addr": keep the extra tokens.
    const size_t n = t.size();
    o.session_version = Join(t, 2, n - 3);
    o.net_type = t[n - 3];
    o.addr_type = t[n - 2];
    o.address = t[n - 1];
  }
  session_.origin = std::move(o);
  return absl::OkStatus();
}

absl::Status Builder::ParseConnection(std::string_view value, std::vector<Connection>& out) {
  std::vector<std::string_view> t = Tokens(value);
  if (t.empty() || t.size() > 3) return Error("c= line needs <nettype> <addrtype> <address>");
  Connection c;
  c.net_type = t[0];
  if (t.size() > 1) c.addr_type = t[1];
  if (t.size() > 2) c.address = t[2];
  out.push_back(std::move(c));
  return absl::OkStatus();
}

absl::Status Builder::ParseBandwidth(std::string_view value, std::vector<Bandwidth>& out) {
  auto [type, amount] = SplitOnce(value, ':');
  std::optional<uint64_t> number =
      amount ? ParseUnsigned<uint64_t>(*amount) : std::optional<uint64_t>();
  if (type.empty() || type.find_first_of(" \t") != std::string_view::npos || !number) {
    return Error("b= line needs <bwtype>:<bandwidth>");
  }
  out.push_back(Bandwidth{std::string(type), *number});
  return absl::OkStatus();
}

absl::Status Builder::ParseTiming(std::string_view value) {
  std::vector<std::string_view> t = Tokens(value);
  std::optional<uint64_t> start = t.size() == 2 ? ParseUnsigned<uint64_t>(t[0]) : std::nullopt;
  std::optional<uint64_t> stop = t.size() == 2 ? ParseUnsigned<uint64_t>(t[1]) : std::nullopt;
  if (!start || !stop) return Error("t= line needs <start-time> <stop-time>");
  session_.timings.push_back(Timing{*start, *stop, {}});
  return absl::OkStatus();
}

absl::Status Builder::ParseAttribute(std::string_view value, std::vector<Attribute>& out) {
  if (attributes_ >= limits_.max_attributes) {
    return LimitError(line_, core::StrCat("more than ", limits_.max_attributes, " attributes"));
  }
  auto [name, attribute_value] = SplitOnce(value, ':');
  if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
    return Error("a= line needs <attribute>[:<value>]");
  }
  ++attributes_;
  out.push_back(Attribute{std::string(name), std::string(attribute_value.value_or(""))});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Session> ParseSdp(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError(core::StrCat(
        "sdp: description is ", text.size(), " bytes, over the limit of ", limits.max_bytes));
  }
  Builder builder(limits);
  bool seen_version = false;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    text.remove_prefix(lf == std::string_view::npos ? text.size() : lf + 1);
    // CRLF or LF; trailing whitespace (and stray CRs before the LF) are tolerated.
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    if (int c = FindControl(line); c >= 0) {
      return LineError(number, core::StrCat("control character ", Hex(c)));
    }
    if (line.size() < 2 || line[1] != '=') {
      return LineError(number, "expected <type>=<value>");
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!seen_version) {
      if (type != 'v') return LineError(number, "description must start with v=");
      std::optional<int> version = ParseUnsigned<int>(value);
      if (!version) return LineError(number, "v= line needs a version number");
      seen_version = true;
      builder.SetVersion(*version);
      continue;
    }
    if (absl::Status status = builder.Line(number, type, value); !status.ok()) return status;
  }
  if (!seen_version) return absl::InvalidArgumentError("sdp: empty description");
  return builder.Take();
}

}  // namespace ringcast::net::sdp
