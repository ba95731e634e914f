// The daemon's own tunables (ctl.socket, metrics.listen) and the one list of every component's
// keys: what ringcastd defines at start-up, and what its generated config file, man pages and
// completion document. Control thread (the registry's).
#ifndef RINGCAST_TOOLS_RINGCASTD_SETTINGS_H_
#define RINGCAST_TOOLS_RINGCASTD_SETTINGS_H_

#include <string>

#include "core/networks.h"
#include "core/status.h"
#include "core/tunables.h"

namespace ringcast::daemon {

struct DaemonSettings {
  std::string ctl_socket = "/run/ringcast/ctl.sock";  // ctl.socket
  std::string metrics_listen = "127.0.0.1:9998";      // metrics.listen
  core::NetworkList metrics_allow;                    // metrics.allow (empty: anyone)
};

void DefineDaemonTunables(core::Registry& registry);
absl::StatusOr<DaemonSettings> ReadDaemonSettings(const core::Registry& registry);

// Every key ringcastd has: core.*, path.NAME.*, rtsp.*, webrtc.*, crypto.*, ctl.*, metrics.*.
void DefineAllTunables(core::Registry& registry);

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_SETTINGS_H_
