// Small string helpers shared by the SDP parser, model and codec parameters. Internal to
// net/sdp; pure functions, any thread.
#ifndef RINGCAST_NET_SDP_TEXT_H_
#define RINGCAST_NET_SDP_TEXT_H_

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "core/strings.h"

namespace ringcast::net::sdp::text {

inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

inline std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

inline std::string_view Trim(std::string_view s) { return TrimRight(TrimLeft(s)); }

// Splits off the first whitespace-separated token of `s`; `s` keeps what follows it, with its
// leading whitespace removed. Returns an empty view when `s` is blank.
inline std::string_view NextToken(std::string_view& s) {
  s = TrimLeft(s);
  size_t end = 0;
  while (end < s.size() && !IsSpace(s[end])) ++end;
  std::string_view token = s.substr(0, end);
  s = TrimLeft(s.substr(end));
  return token;
}

// Splits `s` at the first `sep`: {before, after}; after is nullopt when there is no `sep`.
inline std::pair<std::string_view, std::optional<std::string_view>> SplitOnce(std::string_view s,
                                                                              char sep) {
  size_t at = s.find(sep);
  if (at == std::string_view::npos) return {s, std::nullopt};
  return {s.substr(0, at), s.substr(at + 1)};
}

// Decimal digits only (no sign, no spaces), within T's range.
template <typename T>
std::optional<T> ParseUnsigned(std::string_view s) {
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  T value{};
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

using core::EqualsIgnoreCase;

}  // namespace ringcast::net::sdp::text

#endif  // RINGCAST_NET_SDP_TEXT_H_
