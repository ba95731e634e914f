// Linked into the rpm's programs only (packaging/rpm/static_deps.cmake, with
// -Wl,--wrap=arc4random): Debian 12's libstdc++.a, linked in statically for RHEL 9's older GCC,
// reads std::random_device through arc4random(), which glibc has only since 2.36; RHEL 9 has
// 2.34. This is the same thing through getrandom() (glibc 2.25, Linux 3.17), so the binary
// needs no GLIBC_2.36. Like glibc's own arc4random, it never fails: no randomness is fatal.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>

uint32_t __wrap_arc4random(void);

uint32_t __wrap_arc4random(void) {
  uint32_t value;
  for (;;) {
    ssize_t n = getrandom(&value, sizeof value, 0);
    if (n == (ssize_t)sizeof value) return value;
    if (n < 0 && errno != EINTR) abort();
  }
}
