#include "tools/ringcastd/settings.h"

#include "core/settings.h"
#include "core/settings_reader.h"
#include "net/rtsp/settings.h"
#include "net/webrtc/settings.h"
#include "rtp/hub/path_settings.h"

namespace ringcast::daemon {

using core::Apply;
using core::TunableType;

void DefineDaemonTunables(core::Registry& registry) {
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
  registry.Define({.name = "metrics.allow",
                   .type = TunableType::kList,
                   .description = "networks that may read /metrics (empty: anywhere that reaches "
                                  "metrics.listen, by default only this host)",
                   .apply = Apply::kRestart,
                   .check_item = core::NetworkList::CheckItem});
}

absl::StatusOr<DaemonSettings> ReadDaemonSettings(const core::Registry& registry) {
  core::SettingsReader read(registry);
  DaemonSettings settings;
  settings.ctl_socket = read.String("ctl.socket");
  settings.metrics_listen = read.String("metrics.listen");
  ASSIGN_OR_RETURN(settings.metrics_allow,
                   core::NetworkList::Parse(read.ListText("metrics.allow")));
  RETURN_IF_ERROR(read.status());
  return settings;
}

void DefineAllTunables(core::Registry& registry) {
  core::DefineCoreTunables(registry);
  DefineDaemonTunables(registry);
  rtp::hub::DefineHubTunables(registry);
  rtp::hub::DefinePathTunables(registry);
  net::rtsp::DefineRtspTunables(registry);
  net::webrtc::DefineWebrtcTunables(registry);
}

}  // namespace ringcast::daemon
