// How a path's password (path.NAME.read_pass / publish_pass) may be stored: in clear, or as a
// self-describing hashed line that `ringcastctl --hash-password USER` prints, so a leaked config
// file does not give the password away.
//
// A hashed line is one or more parts separated by ',', each "kind:fields" (hex in lower case):
//
//   pbkdf2-sha256:<iterations>:<salt-hex>:<key-hex>   PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) of the
//                                                     password; checks Basic and Bearer
//   digest-md5:<ha1-hex>                              HA1 = MD5(user:realm:password)
//   digest-sha256:<ha1-hex>                           HA1 = SHA-256(user:realm:password)
//
// Digest (RFC 7616 §3.4.2) can only be checked with the HA1 of its algorithm, which is bound to
// the user name and the realm ("ringcast"): the digest-* parts are what an htdigest file holds,
// and they are password equivalents for Digest (whoever has an HA1 can answer a challenge), so a
// line meant only for Basic/Bearer carries just the pbkdf2 part. Basic and Bearer are checked
// against the pbkdf2 part when present, else against an HA1. A line of the form
// "plain:<password>" is a clear password (for a password that would otherwise read as a hashed
// line); any other value is a clear password as before. A value that starts with one of the kinds
// above but does not parse is refused (ParseStoredPassword's error), never taken as clear text.
//
// Why PBKDF2 and not argon2 (Debian has libargon2): checks run on the worker thread that also
// moves media, so each must stay short — about 1.5 ms at kDefaultPbkdf2Iterations on the
// development machine, where a memory-hard hash tuned to be worth having costs tens of
// milliseconds — and the per-client back-off (auth_guard.h) bounds how many a client can make.
// Digest, RTSP's default, never runs PBKDF2: it checks the HA1 (a few microseconds).
// Plain functions, any thread.
#ifndef RINGCAST_NET_HTTP_STORED_PASSWORD_H_
#define RINGCAST_NET_HTTP_STORED_PASSWORD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ringcast::net::http {

inline constexpr uint32_t kDefaultPbkdf2Iterations = 10000;
// Bounds for a stored line (a config error past them): a check must stay cheap.
inline constexpr uint32_t kMinPbkdf2Iterations = 1000;
inline constexpr uint32_t kMaxPbkdf2Iterations = 1000000;

struct StoredPassword {
  bool hashed = false;
  std::string plain;  // when !hashed
  // pbkdf2-sha256 (iterations == 0: absent)
  uint32_t iterations = 0;
  std::string salt;  // raw bytes
  std::string key;   // raw bytes (32)
  // Lower-case hex, empty when absent.
  std::string ha1_md5;
  std::string ha1_sha256;
};

// Parses a read_pass / publish_pass value. Errors only for a value that starts like a hashed
// line ("pbkdf2-sha256:", "digest-md5:", "digest-sha256:") and is malformed; messages never
// contain the value.
absl::StatusOr<StoredPassword> ParseStoredPassword(std::string_view value);

// Whether `value` starts like a hashed line (so ParseStoredPassword treats it as one).
bool LooksHashed(std::string_view value);

// Whether `password` (from Basic or a Bearer token) is the stored one, for `user` and `realm`
// (used only with an HA1). Constant-time comparisons.
bool CheckPassword(const StoredPassword& stored, std::string_view user, std::string_view realm,
                   std::string_view password);

// The line to store for `user`'s `password`: the pbkdf2 part (random 16-byte salt), then the
// Digest HA1s for `realm` when `with_digest`.
std::string HashPasswordLine(std::string_view user, std::string_view realm,
                             std::string_view password, bool with_digest,
                             uint32_t iterations = kDefaultPbkdf2Iterations);
// The same with a given salt (tests).
std::string HashPasswordLineWithSalt(std::string_view user, std::string_view realm,
                                     std::string_view password, bool with_digest,
                                     uint32_t iterations, std::string_view salt);

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_STORED_PASSWORD_H_
