#include "net/http/stored_password.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <optional>

#include "core/strings.h"
#include "net/http/auth.h"

namespace ringcast::net::http {
namespace {

constexpr std::string_view kPbkdf2 = "pbkdf2-sha256:";
constexpr std::string_view kDigestMd5 = "digest-md5:";
constexpr std::string_view kDigestSha256 = "digest-sha256:";
constexpr std::string_view kPlain = "plain:";
constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxSaltBytes = 64;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string Pbkdf2(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string key(kKeyBytes, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), password.size(), reinterpret_cast<const uint8_t*>(salt.data()),
                    salt.size(), iterations, EVP_sha256(), key.size(),
                    reinterpret_cast<uint8_t*>(key.data()));
  return key;
}

absl::Status Malformed(std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("hashed password: ", why));
}

// An HA1 in hex of the right length, lower-cased.
std::optional<std::string> Ha1(std::string_view hex, size_t bytes) {
  if (hex.size() != bytes * 2 || !FromHex(hex)) return std::nullopt;
  std::string out(hex);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  return out;
}

}  // namespace

bool LooksHashed(std::string_view value) {
  return StartsWith(value, kPbkdf2) || StartsWith(value, kDigestMd5) ||
         StartsWith(value, kDigestSha256);
}

absl::StatusOr<StoredPassword> ParseStoredPassword(std::string_view value) {
  StoredPassword out;
  if (StartsWith(value, kPlain)) {
    out.plain = std::string(value.substr(kPlain.size()));
    return out;
  }
  if (!LooksHashed(value)) {
    out.plain = std::string(value);
    return out;
  }
  out.hashed = true;
  std::string_view rest = value;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return Malformed("ends with ','");
    if (StartsWith(part, kPbkdf2)) {
      if (out.iterations != 0) return Malformed("pbkdf2-sha256 given twice");
      part.remove_prefix(kPbkdf2.size());
      const size_t c1 = part.find(':');
      const size_t c2 = c1 == std::string_view::npos ? c1 : part.find(':', c1 + 1);
      if (c2 == std::string_view::npos) {
        return Malformed("pbkdf2-sha256 needs <iterations>:<salt-hex>:<key-hex>");
      }
      const std::string_view count = part.substr(0, c1);
      uint32_t iterations = 0;
      auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), iterations);
      if (count.empty() || ec != std::errc() || end != count.data() + count.size() ||
          iterations < kMinPbkdf2Iterations || iterations > kMaxPbkdf2Iterations) {
        return Malformed(core::StrCat("pbkdf2-sha256 iterations must be ", kMinPbkdf2Iterations,
                                      "..", kMaxPbkdf2Iterations));
      }
      std::optional<std::string> salt = FromHex(part.substr(c1 + 1, c2 - c1 - 1));
      std::optional<std::string> key = FromHex(part.substr(c2 + 1));
      if (!salt || salt->empty() || salt->size() > kMaxSaltBytes) {
        return Malformed("pbkdf2-sha256 salt must be 1..64 bytes of hex");
      }
      if (!key || key->size() != kKeyBytes) return Malformed("pbkdf2-sha256 key must be 32 bytes");
      out.iterations = iterations;
      out.salt = *std::move(salt);
      out.key = *std::move(key);
    } else if (StartsWith(part, kDigestMd5)) {
      std::optional<std::string> ha1 = Ha1(part.substr(kDigestMd5.size()), 16);
      if (!ha1 || !out.ha1_md5.empty()) return Malformed("digest-md5 needs one 32-digit hex HA1");
      out.ha1_md5 = *std::move(ha1);
    } else if (StartsWith(part, kDigestSha256)) {
      std::optional<std::string> ha1 = Ha1(part.substr(kDigestSha256.size()), 32);
      if (!ha1 || !out.ha1_sha256.empty()) {
        return Malformed("digest-sha256 needs one 64-digit hex HA1");
      }
      out.ha1_sha256 = *std::move(ha1);
    } else {
      return Malformed("a part is not pbkdf2-sha256:, digest-md5: or digest-sha256:");
    }
  }
  return out;
}

bool CheckPassword(const StoredPassword& stored, std::string_view user, std::string_view realm,
                   std::string_view password) {
  if (!stored.hashed) return SecretEquals(password, stored.plain);
  if (stored.iterations != 0) {
    return SecretEquals(Pbkdf2(password, stored.salt, stored.iterations), stored.key);
  }
  if (!stored.ha1_sha256.empty()) {
    return SecretEquals(DigestHa1(DigestAlgorithm::kSha256, user, realm, password),
                        stored.ha1_sha256);
  }
  if (!stored.ha1_md5.empty()) {
    return SecretEquals(DigestHa1(DigestAlgorithm::kMd5, user, realm, password), stored.ha1_md5);
  }
  return false;
}

std::string HashPasswordLineWithSalt(std::string_view user, std::string_view realm,
                                     std::string_view password, bool with_digest,
                                     uint32_t iterations, std::string_view salt) {
  std::string line = core::StrCat(kPbkdf2, iterations, ":", ToHex(salt), ":",
                                  ToHex(Pbkdf2(password, salt, iterations)));
  if (with_digest) {
    core::StrAppend(line, ",", kDigestMd5, DigestHa1(DigestAlgorithm::kMd5, user, realm, password),
                    ",", kDigestSha256, DigestHa1(DigestAlgorithm::kSha256, user, realm, password));
  }
  return line;
}

std::string HashPasswordLine(std::string_view user, std::string_view realm,
                             std::string_view password, bool with_digest, uint32_t iterations) {
  uint8_t salt[16];
  RAND_bytes(salt, sizeof(salt));
  return HashPasswordLineWithSalt(user, realm, password, with_digest, iterations,
                                  {reinterpret_cast<const char*>(salt), sizeof(salt)});
}

}  // namespace ringcast::net::http
