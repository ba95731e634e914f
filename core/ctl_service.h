// CtlService: answers control-protocol requests (core/ctl_protocol.h) from the registry.
// Transport-free so it can be tested without sockets; net/ctl_server.h puts it on the Unix
// socket. Control thread only, like the registry.
#ifndef RINGCAST_CORE_CTL_SERVICE_H_
#define RINGCAST_CORE_CTL_SERVICE_H_

#include <functional>
#include <string>
#include <string_view>

#include "core/ctl_protocol.h"
#include "core/tunables.h"

namespace ringcast::core {

class CtlService {
 public:
  // `reload` re-reads the config files (SIGHUP does the same).
  CtlService(Registry& registry, std::function<absl::Status()> reload)
      : registry_(registry), reload_(std::move(reload)) {}

  // Handles one request line (without its newline) from `peer`; appends the reply lines and the
  // end marker to `out`.
  void HandleLine(std::string_view line, std::string_view peer, std::string& out);

 private:
  void AppendValue(std::string_view name, std::string& out);

  Registry& registry_;
  std::function<absl::Status()> reload_;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_CTL_SERVICE_H_
