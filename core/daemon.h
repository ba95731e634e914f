// The ringcastd process: reads the config, starts the workers and the control plane (control
// socket, /metrics), and runs until SIGTERM/SIGINT; SIGHUP re-reads the config files.
//
// Threads: the calling thread becomes the control thread (its own Ring: signals, control
// socket, HTTP). core.workers worker threads each run a Ring for the data path.
#ifndef RINGCAST_CORE_DAEMON_H_
#define RINGCAST_CORE_DAEMON_H_

#include <string>

#include "core/config_file.h"

namespace ringcast::core {

struct DaemonOptions {
  std::string config_file = kDefaultConfigFile;
  std::string config_dir = kDefaultConfigDir;
  bool config_required = false;  // --config given: the file must exist
  bool check_only = false;       // --check-config: validate, report, exit
};

// Returns the process exit code.
int RunDaemon(const DaemonOptions& options);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_DAEMON_H_
