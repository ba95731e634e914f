#include "tools/loadgen/json_text.h"

#include <cstdio>

namespace ringcast::loadgen {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

size_t JsonFindValue(std::string_view json, std::string_view key, size_t from) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t at = json.find(quoted, from); at != std::string_view::npos;
       at = json.find(quoted, at + 1)) {
    size_t i = at + quoted.size();
    while (i < json.size() && IsSpace(json[i])) ++i;
    if (i >= json.size() || json[i] != ':') continue;  // a string value equal to the key
    ++i;
    while (i < json.size() && IsSpace(json[i])) ++i;
    return i < json.size() ? i : std::string_view::npos;
  }
  return std::string_view::npos;
}

std::optional<std::string> JsonString(std::string_view json, std::string_view key, size_t from) {
  size_t i = JsonFindValue(json, key, from);
  if (i == std::string_view::npos || json[i] != '"') return std::nullopt;
  std::string out;
  for (++i; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') return out;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= json.size()) return std::nullopt;
    switch (json[i]) {
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u': {
        if (i + 4 >= json.size()) return std::nullopt;
        uint32_t cp = 0;
        for (size_t k = 1; k <= 4; ++k) {
          const int d = HexDigit(json[i + k]);
          if (d < 0) return std::nullopt;
          cp = cp << 4 | static_cast<uint32_t>(d);
        }
        AppendUtf8(out, cp);
        i += 4;
        break;
      }
      default:
        out.push_back(json[i]);
        break;  // \" \\ \/
    }
  }
  return std::nullopt;  // unterminated
}

std::optional<uint64_t> JsonUint(std::string_view json, std::string_view key, size_t from) {
  size_t i = JsonFindValue(json, key, from);
  if (i == std::string_view::npos || json[i] < '0' || json[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < json.size() && json[i] >= '0' && json[i] <= '9'; ++i) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(json[i] - '0');
  }
  return v;
}

}  // namespace ringcast::loadgen
