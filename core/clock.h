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

// The time the thread's Ring woke at, while it runs one batch (completions, due timers, posted
// tasks, batch-end handlers); 0 outside a batch. Set and cleared by Ring::RunOnce only.
inline thread_local int64_t t_batch_woke_ns = 0;

// NowNs() for work done per packet: inside a batch, the time the batch began, so a batch that
// carries 100 packets to 10 viewers reads the clock once rather than a thousand times. It lags
// the clock by at most the batch's own run time (microseconds; a millisecond under heavy load),
// which is below what its users measure: arrival times for the History's NACK window (1 s),
// pacing of a fast start, activity stamps for idle timeouts. Timers keep reading NowNs().
inline int64_t BatchNowNs() { return t_batch_woke_ns != 0 ? t_batch_woke_ns : NowNs(); }

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_CLOCK_H_
