// The runtime's own tunables (core.*): how many workers, their receive buffers, how long a worker
// waits to batch completions, the log level.
// Every other component declares its keys next to its code (net/rtsp/settings.h, ...), and the
// daemon (tools/ringcastd) defines them all at start-up.
#ifndef RINGCAST_CORE_SETTINGS_H_
#define RINGCAST_CORE_SETTINGS_H_

#include <cstdint>

#include "core/log.h"
#include "core/status.h"
#include "core/tunables.h"

namespace ringcast::core {

struct CoreSettings {
  int workers = 1;  // core.workers, with 0 (one per online CPU) resolved
  uint32_t rx_buffers = 1024;
  uint32_t rx_buffer_bytes = 4096;
  int64_t batch_wait_ns = 0;  // core.batch_wait_us
  LogLevel log_level = LogLevel::kInfo;
};

void DefineCoreTunables(Registry& registry);
absl::StatusOr<CoreSettings> ReadCoreSettings(const Registry& registry);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_SETTINGS_H_
