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

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_STRINGS_H_
