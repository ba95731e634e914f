// Leveled logging: one line per event, to stderr, in a form journald understands.
//
// Under systemd (JOURNAL_STREAM set) each line starts with a "<N>" syslog priority prefix, so
// `journalctl -p warning` works; on a terminal it starts with a UTC timestamp and the level.
// Every line is written with one write(2), so lines from different threads never interleave.
// Any thread may log. The level (core.log_level) is a process-wide atomic.
//
//   LOG_INFO("rtsp: %s published %s", peer, path);
//   LOG_EVERY_SEC(Warn, "rtp: dropped packet from %s: %s", peer, reason);  // rate-limited
//
// Never log credentials.
#ifndef RINGCAST_CORE_LOG_H_
#define RINGCAST_CORE_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"

namespace ringcast::core {

enum class LogLevel : int { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

std::string_view LogLevelName(LogLevel level);
std::optional<LogLevel> ParseLogLevel(std::string_view name);

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
inline bool LogEnabled(LogLevel level) {
  extern std::atomic<int> g_log_level;
  return static_cast<int>(level) <= g_log_level.load(std::memory_order_relaxed);
}

// Writes one line (a trailing newline is added).
void LogLine(LogLevel level, std::string_view message);

// Tests capture log lines instead of writing them to stderr; pass nullptr to restore.
using LogSink = std::function<void(LogLevel, std::string_view)>;
void SetLogSinkForTest(LogSink sink);

// Per call site state for LOG_EVERY_SEC. Shared between threads: atomics only.
class LogRateLimiter {
 public:
  // Returns true when a line may be written now; `suppressed` is set to the number of lines
  // held back since the last one written.
  bool Allow(int64_t period_ns, uint64_t& suppressed);

 private:
  std::atomic<int64_t> next_ns_{0};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace ringcast::core

#define RC_LOG_AT_(level, ...)                                          \
  do {                                                                  \
    if (::ringcast::core::LogEnabled(level))                            \
      ::ringcast::core::LogLine(level, ::absl::StrFormat(__VA_ARGS__)); \
  } while (false)

#define LOG_ERROR(...) RC_LOG_AT_(::ringcast::core::LogLevel::kError, __VA_ARGS__)
#define LOG_WARN(...) RC_LOG_AT_(::ringcast::core::LogLevel::kWarn, __VA_ARGS__)
#define LOG_INFO(...) RC_LOG_AT_(::ringcast::core::LogLevel::kInfo, __VA_ARGS__)
#define LOG_DEBUG(...) RC_LOG_AT_(::ringcast::core::LogLevel::kDebug, __VA_ARGS__)

// At most one line per second from `limiter` (a LogRateLimiter the caller keeps, e.g. one per
// connection, so one noisy peer cannot silence the lines about others); the next line written
// says how many were held back.
#define LOG_RATE_LIMITED(limiter, LEVEL, ...)                                                   \
  do {                                                                                          \
    constexpr auto rc_level_ = ::ringcast::core::LogLevel::k##LEVEL;                            \
    if (::ringcast::core::LogEnabled(rc_level_)) {                                              \
      uint64_t rc_suppressed_ = 0;                                                              \
      if ((limiter).Allow(1'000'000'000, rc_suppressed_)) {                                     \
        std::string rc_line_ = ::absl::StrFormat(__VA_ARGS__);                                  \
        if (rc_suppressed_ > 0)                                                                 \
          ::absl::StrAppendFormat(&rc_line_, " (%d similar lines suppressed)", rc_suppressed_); \
        ::ringcast::core::LogLine(rc_level_, rc_line_);                                         \
      }                                                                                         \
    }                                                                                           \
  } while (false)

// At most one line per second from this call site.
#define LOG_EVERY_SEC(LEVEL, ...)                             \
  do {                                                        \
    static ::ringcast::core::LogRateLimiter rc_site_limiter_; \
    LOG_RATE_LIMITED(rc_site_limiter_, LEVEL, __VA_ARGS__);   \
  } while (false)

#endif  // RINGCAST_CORE_LOG_H_
