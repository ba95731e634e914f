#include "core/log.h"

#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "core/strings.h"

namespace ringcast::core {

std::atomic<int> g_log_level{static_cast<int>(LogLevel::kInfo)};

namespace {

std::mutex g_sink_mutex;
LogSink* g_sink = nullptr;  // guarded by g_sink_mutex; only tests set it

bool UnderJournal() {
  static const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  return journal;
}

// RFC 5424 severities, as sd-daemon(3) expects in the "<N>" prefix.
int SyslogPriority(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return 3;
    case LogLevel::kWarn:
      return 4;
    case LogLevel::kInfo:
      return 6;
    case LogLevel::kDebug:
      return 7;
  }
  return 6;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "info";
}

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel level : {LogLevel::kError, LogLevel::kWarn, LogLevel::kInfo, LogLevel::kDebug}) {
    if (name == LogLevelName(level)) return level;
  }
  if (name == "warning") return LogLevel::kWarn;
  return std::nullopt;
}

void SetLogLevel(LogLevel level) {
  g_log_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(g_log_level.load(std::memory_order_relaxed));
}

void SetLogSinkForTest(LogSink sink) {
  std::lock_guard<std::mutex> lock(g_sink_mutex);
  delete g_sink;
  g_sink = sink ? new LogSink(std::move(sink)) : nullptr;
}

void LogLine(LogLevel level, std::string_view message) {
  {
    std::lock_guard<std::mutex> lock(g_sink_mutex);
    if (g_sink != nullptr) {
      (*g_sink)(level, message);
      return;
    }
  }
  std::string line;
  if (UnderJournal()) {
    line = StrCat("<", SyslogPriority(level), ">");
  } else {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tm utc;
    gmtime_r(&ts.tv_sec, &utc);
    char stamp[40];
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
    static constexpr const char* kTags[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};
    line = absl::StrFormat("%s.%03dZ %s ", stamp, static_cast<int>(ts.tv_nsec / 1'000'000),
                           kTags[static_cast<int>(level)]);
  }
  line.append(message);
  // A newline inside a message would start a bogus journal entry.
  for (size_t i = line.size() - message.size(); i < line.size(); ++i) {
    if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
  }
  line.push_back('\n');
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
}

bool LogRateLimiter::Allow(int64_t period_ns, uint64_t& suppressed) {
  int64_t now = MonotonicNs();
  int64_t next = next_ns_.load(std::memory_order_relaxed);
  if (now < next || !next_ns_.compare_exchange_strong(next, now + period_ns)) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
  return true;
}

}  // namespace ringcast::core
