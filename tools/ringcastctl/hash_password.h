// ringcastctl --hash-password USER: prints the line to store as path.NAME.read_pass or
// publish_pass instead of the clear password (format: net/http/stored_password.h). The password
// is read from stdin (one line), or asked twice on the terminal with echo off when stdin is one.
// It is never printed, and the line is the only output on stdout.
#ifndef RINGCAST_TOOLS_RINGCASTCTL_HASH_PASSWORD_H_
#define RINGCAST_TOOLS_RINGCASTCTL_HASH_PASSWORD_H_

#include <cstdint>
#include <string>

namespace ringcast::tools {

struct HashPasswordOptions {
  std::string user;         // the path's read_user / publish_user (Digest's HA1 includes it)
  bool with_digest = true;  // false: Basic/Bearer only (no Digest HA1, which is a weaker hash)
  uint32_t iterations = 0;  // 0: the default
};

// Exit status: 0, 1 when no password could be read, 2 on a usage error.
int HashPassword(const HashPasswordOptions& options);

}  // namespace ringcast::tools

#endif  // RINGCAST_TOOLS_RINGCASTCTL_HASH_PASSWORD_H_
