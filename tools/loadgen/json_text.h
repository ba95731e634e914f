// Just enough JSON for Janus's HTTP API (janus.h): pull a string or an unsigned number out of a
// reply by key, and escape a string for a request. Not a JSON parser — it finds the first
// `"key":` at or after an offset, which is what the flat, well-known Janus replies need
// ("data":{"id":...}, "jsep":{"type":"offer","sdp":"..."}). Untrusted input: never reads out of
// bounds, nullopt when the key or a well-formed value is not there. Plain functions; any thread.
#ifndef RINGCAST_TOOLS_LOADGEN_JSON_TEXT_H_
#define RINGCAST_TOOLS_LOADGEN_JSON_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/strings.h"

namespace ringcast::loadgen {

// Offset just past `"key":` (and whitespace) at or after `from`, or npos.
size_t JsonFindValue(std::string_view json, std::string_view key, size_t from = 0);
// The string value of the first `key` at or after `from`, unescaped (\uXXXX to UTF-8).
std::optional<std::string> JsonString(std::string_view json, std::string_view key, size_t from = 0);
// The unsigned integer value of the first `key` at or after `from`.
std::optional<uint64_t> JsonUint(std::string_view json, std::string_view key, size_t from = 0);
// Writing JSON strings: core::JsonEscape (core/strings.h).
using core::JsonEscape;

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_JSON_TEXT_H_
