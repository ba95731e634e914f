#include "core/base64.h"

#include "absl/strings/escaping.h"

namespace ringcast::core {

std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  for (char c : text) {
    bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!alphabet) return std::nullopt;
  }
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(text.data(), text.size()), &decoded)) {
    return std::nullopt;
  }
  return std::vector<uint8_t>(decoded.begin(), decoded.end());
}

std::string Base64Encode(std::span<const uint8_t> bytes) {
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace ringcast::core
