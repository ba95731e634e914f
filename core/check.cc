#include "core/check.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace ringcast::core {

void CheckFailed(const char* file, int line, const char* condition, const char* detail) {
  char message[1024];
  int n = std::snprintf(message, sizeof(message), "<2>CHECK failed at %s:%d: %s%s%s\n", file, line,
                        condition, detail != nullptr ? ": " : "", detail != nullptr ? detail : "");
  if (n > 0) {
    ssize_t ignored = ::write(
        STDERR_FILENO, message,
        static_cast<size_t>(n) < sizeof(message) ? static_cast<size_t>(n) : sizeof(message) - 1);
    (void)ignored;
  }
  std::abort();
}

}  // namespace ringcast::core
