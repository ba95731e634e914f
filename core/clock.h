// Monotonic time in nanoseconds, for timers, timeouts and rate limits. Any thread.
#ifndef RINGCAST_CORE_CLOCK_H_
#define RINGCAST_CORE_CLOCK_H_

#include <time.h>

#include <cstdint>

namespace ringcast::core {

inline constexpr int64_t kNsPerMs = 1'000'000;
inline constexpr int64_t kNsPerSec = 1'000'000'000;

inline int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * kNsPerSec + ts.tv_nsec;
}

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_CLOCK_H_
