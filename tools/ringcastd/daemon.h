// The ringcastd process: the composition root. It defines every component's tunables, reads the
// config, starts the workers, puts the path hub, the RTSP server and the WebRTC server on them,
// runs the control plane (control socket, /metrics) on the calling thread, and runs until
// SIGTERM/SIGINT; SIGHUP re-reads the config files.
//
// This is the only place that knows every layer (ARCHITECTURE.md, "Rooms"): the components below
// it take their settings as typed structs and their collaborators as interfaces.
//
// Threads: the calling thread becomes the control thread (its own Ring: signals, control
// socket, /metrics, the registry). core.workers worker threads each run a Ring for the data path.
#ifndef RINGCAST_TOOLS_RINGCASTD_DAEMON_H_
#define RINGCAST_TOOLS_RINGCASTD_DAEMON_H_

#include <string>

#include "core/config_file.h"

namespace ringcast::daemon {

struct DaemonOptions {
  std::string config_file = core::kDefaultConfigFile;
  std::string config_dir = core::kDefaultConfigDir;
  bool config_required = false;  // --config given: the file must exist
  bool check_only = false;       // --check-config: validate, report, exit
};

// Returns the process exit code.
int RunDaemon(const DaemonOptions& options);

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_DAEMON_H_
