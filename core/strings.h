// StrCat for std::string_view. Debian's abseil 20220623 is built with its own
// absl::string_view (not std::string_view), so absl::StrCat rejects std::string_view pieces;
// this one takes strings, string views, C strings, characters and numbers. Any thread.
#ifndef RINGCAST_CORE_STRINGS_H_
#define RINGCAST_CORE_STRINGS_H_

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace ringcast::core {
namespace strings_internal {

inline void Append(std::string& out, std::string_view piece) { out.append(piece); }
inline void Append(std::string& out, const char* piece) { out.append(piece); }
inline void Append(std::string& out, char piece) { out.push_back(piece); }
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) void Append(std::string& out, T value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}
inline void Append(std::string& out, bool value) = delete;  // say "0"/"1" or "true" explicitly

}  // namespace strings_internal

template <typename... Pieces>
std::string StrCat(const Pieces&... pieces) {
  std::string out;
  (strings_internal::Append(out, pieces), ...);
  return out;
}

template <typename... Pieces>
void StrAppend(std::string& out, const Pieces&... pieces) {
  (strings_internal::Append(out, pieces), ...);
}

// ASCII case-insensitive equality: protocol tokens (HTTP field names, SDP encodings, digest
// algorithms, URL schemes, fingerprint hash names).
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// `s` escaped for the inside of a JSON string (RFC 8259 §7): quote, backslash and control
// characters.
inline std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

// `s` as a JSON string literal, quotes included.
inline std::string JsonQuoted(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_STRINGS_H_
