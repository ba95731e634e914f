// CtlService: answers control-protocol requests (net/ctl/protocol.h) from the tunables
// registry: ringcastctl's GET, LIST, SET, DESC, DELPATH and RELOAD. Transport-free so it can be
// tested without sockets; net/ctl/server.h puts it on the Unix socket. Control thread only, like
// the registry.
#ifndef RINGCAST_TOOLS_RINGCASTD_CTL_SERVICE_H_
#define RINGCAST_TOOLS_RINGCASTD_CTL_SERVICE_H_

#include <functional>
#include <string>
#include <string_view>

#include "core/tunables.h"
#include "net/ctl/protocol.h"
#include "net/ctl/server.h"

namespace ringcast::daemon {

class CtlService final : public net::ctl::LineHandler {
 public:
  // `reload` re-reads the config files (SIGHUP does the same).
  CtlService(core::Registry& registry, std::function<absl::Status()> reload)
      : registry_(registry), reload_(std::move(reload)) {}

  // Handles one request line (without its newline) from `peer`; appends the reply lines and the
  // end marker to `out`.
  void HandleLine(std::string_view line, std::string_view peer, std::string& out) override;

 private:
  // `stats`: the request's one collection of the stats (nullptr: collect for this name).
  void AppendValue(std::string_view name, std::string& out, const core::StatTable* stats = nullptr);
  // The stats a LIST or DESC of `prefix` may show, collected once (empty when it shows none).
  core::StatTable StatsFor(std::string_view prefix) const;

  core::Registry& registry_;
  std::function<absl::Status()> reload_;
};

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_CTL_SERVICE_H_
