#include "core/settings.h"

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
  registry.Define({.name = "core.log_level",
                   .type = TunableType::kEnum,
                   .default_value = "info",
                   .choices = {"error", "warn", "info", "debug"},
                   .description = "least severe log lines written to stderr / the journal"});
  registry.Define({.name = "ctl.socket",
                   .type = TunableType::kString,
                   .default_value = "/run/ringcast/ctl.sock",
                   .description = "Unix socket ringcastctl talks to (mode 0660, group ringcast)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "metrics.listen",
                   .type = TunableType::kAddress,
                   .default_value = "127.0.0.1:9998",
                   .description = "HOST:PORT of the Prometheus /metrics endpoint",
                   .apply = Apply::kRestart});
}

void DefineRtspTunables(Registry& registry) {
  registry.Define({.name = "rtsp.listen",
                   .type = TunableType::kAddress,
                   .default_value = ":8554",
                   .description = "HOST:PORT of the RTSP server (publishers and readers)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.transports",
                   .type = TunableType::kList,
                   .default_value = "tcp,udp",
                   .choices = {"tcp", "udp"},
                   .description =
                       "RTP transports RTSP clients may choose (TCP interleaved is always "
                       "offered)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.rtp_port",
                   .type = TunableType::kInt,
                   .default_value = "8000",
                   .min = 0,
                   .max = 65535,
                   .description = "UDP port RTP over UDP uses (0: any free port)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.rtcp_port",
                   .type = TunableType::kInt,
                   .default_value = "8001",
                   .min = 0,
                   .max = 65535,
                   .description = "UDP port RTCP over UDP uses (0: any free port)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.auth_methods",
                   .type = TunableType::kList,
                   .default_value = "digest",
                   .choices = {"basic", "digest", "digest-sha256"},
                   .description = "authentication schemes offered for paths with credentials "
                                  "(basic sends passwords in clear text)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.publish_any",
                   .type = TunableType::kBool,
                   .default_value = "0",
                   .description = "let publishers push any path, not only configured ones"});
  registry.Define({.name = "rtsp.read_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "10000",
                   .min = 1000,
                   .max = 3600000,
                   .description = "an RTSP connection silent this long is closed (players get "
                                  "half of it as their keep-alive period)",
                   .apply = Apply::kRestart});
}

void DefinePathTunables(Registry& registry) {
  registry.DefinePathKey({.name = "source",
                          .type = TunableType::kString,
                          .default_value = "publisher",
                          .description =
                              "where the stream comes from: publisher (RTSP ANNOUNCE/RECORD) "
                              "or rtsp://[user:pass@]host[:port]/path to pull"});
  registry.DefinePathKey({.name = "source_transport",
                          .type = TunableType::kEnum,
                          .default_value = "tcp",
                          .choices = {"tcp", "udp", "auto"},
                          .description = "RTP transport when pulling from an rtsp:// source"});
  registry.DefinePathKey({.name = "on_demand",
                          .type = TunableType::kBool,
                          .default_value = "0",
                          .description = "pull the source only while someone watches"});
  registry.DefinePathKey(
      {.name = "on_demand_close_after_ms",
       .type = TunableType::kDuration,
       .default_value = "10000",
       .min = 1000,
       .max = 86400000,
       .description = "an on-demand source closes after this long without readers"});
  registry.DefinePathKey({.name = "read_user",
                          .type = TunableType::kString,
                          .description = "user name readers must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "read_pass",
                          .type = TunableType::kString,
                          .description = "password readers must give",
                          .secret = true});
  registry.DefinePathKey(
      {.name = "publish_user",
       .type = TunableType::kString,
       .description = "user name a publisher must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "publish_pass",
                          .type = TunableType::kString,
                          .description = "password a publisher must give",
                          .secret = true});
  registry.DefinePathKey({.name = "max_readers",
                          .type = TunableType::kInt,
                          .default_value = "0",
                          .min = 0,
                          .max = 1000000,
                          .description = "most simultaneous readers (0: no limit)"});
  registry.DefinePathKey(
      {.name = "override_publisher",
       .type = TunableType::kBool,
       .default_value = "0",
       .description = "a new publisher replaces the current one instead of being refused"});
}

}  // namespace ringcast::core
