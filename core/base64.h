// Base64 (RFC 4648 §4, the standard alphabet) for the binary values protocols carry as text:
// H.264 sprop-parameter-sets (RFC 6184 §8.1), H.265 sprop-vps/sps/pps (RFC 7798 §7.1), HTTP Basic
// credentials (RFC 7617). absl::Base64Escape/Unescape do the work; decoding is stricter than
// absl's, which skips whitespace. Pure functions, any thread.
#ifndef RINGCAST_CORE_BASE64_H_
#define RINGCAST_CORE_BASE64_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ringcast::core {

// Decodes `text`. Padding is optional (encoders in the wild drop it), but when present it must
// be where RFC 4648 puts it. Characters outside the alphabet (whitespace included) and a lone
// trailing character give nullopt; non-zero pad bits are ignored.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

// Encodes with padding.
std::string Base64Encode(std::span<const uint8_t> bytes);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_BASE64_H_
