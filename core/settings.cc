#include "core/settings.h"

#include <algorithm>
#include <thread>

#include "core/settings_reader.h"

namespace ringcast::core {

void DefineCoreTunables(Registry& registry) {
  registry.Define(
      {.name = "core.workers",
       .type = TunableType::kInt,
       .default_value = "0",
       .min = 0,
       .max = 256,
       .description = "worker threads, each with its own io_uring (0: one per online CPU)",
       .apply = Apply::kRestart});
  registry.Define({.name = "core.rx_buffers",
                   .type = TunableType::kInt,
                   .default_value = "1024",
                   .min = 16,
                   .max = 32768,
                   .description = "receive ring buffers per worker (rounded up to a power of two)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "core.rx_buffer_bytes",
                   .type = TunableType::kInt,
                   .default_value = "4096",
                   .min = 1536,
                   .max = 65536,
                   .description = "bytes per receive ring buffer",
                   .apply = Apply::kRestart});
  registry.Define({.name = "core.batch_wait_us",
                   .type = TunableType::kInt,
                   .default_value = "0",
                   .min = 0,
                   .max = 1000,
                   .description = "once a worker has a completion to handle, wait up to this long "
                                  "for more before handling them together: fewer wake-ups for at "
                                  "most this much added latency (Linux 6.12+; 0: off)"});
  registry.Define({.name = "core.log_level",
                   .type = TunableType::kEnum,
                   .default_value = "info",
                   .choices = {"error", "warn", "info", "debug"},
                   .description = "least severe log lines written to stderr / the journal"});
}

absl::StatusOr<CoreSettings> ReadCoreSettings(const Registry& registry) {
  SettingsReader read(registry);
  CoreSettings settings;
  int64_t workers = read.Int("core.workers");
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  settings.workers = static_cast<int>(workers);
  settings.rx_buffers = static_cast<uint32_t>(read.Int("core.rx_buffers"));
  settings.rx_buffer_bytes = static_cast<uint32_t>(read.Int("core.rx_buffer_bytes"));
  settings.batch_wait_ns = read.Int("core.batch_wait_us") * 1000;
  std::optional<LogLevel> level = ParseLogLevel(read.String("core.log_level"));
  RETURN_IF_ERROR(read.status());
  if (level) settings.log_level = *level;
  return settings;
}

}  // namespace ringcast::core
