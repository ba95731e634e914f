// The control socket (ctl.socket): ringcastctl's way into the daemon. A Unix stream socket,
// mode 0660 (group "ringcast" when that group exists), speaking net/ctl/protocol.h. The server
// splits the stream into request lines; what a line means is the LineHandler's business (the
// daemon's CtlService answers from the tunables registry). Control thread only.
#ifndef RINGCAST_NET_CTL_SERVER_H_
#define RINGCAST_NET_CTL_SERVER_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/drop_counter.h"
#include "net/stream_server.h"

namespace ringcast::net::ctl {

// Answers one request line (without its newline) from `peer` by appending reply lines and the
// end marker (kEnd) to `out`.
class LineHandler {
 public:
  virtual void HandleLine(std::string_view line, std::string_view peer, std::string& out) = 0;

 protected:
  ~LineHandler() = default;
};

// Requests that are not understood (stats.drops.ctl_bad_request): counted by the handler that
// parses them, and by the server for lines over kMaxLine (stats.drops.ctl_line_too_long).
extern const core::DropCounter kBadRequestDrops;

class Server {
 public:
  // Creates the socket's directory if needed, binds `path` and starts accepting.
  static absl::StatusOr<std::unique_ptr<Server>> Start(core::Ring& ring, core::BufferRing& buffers,
                                                       const std::string& path,
                                                       LineHandler& handler);
  ~Server();

  const std::string& path() const { return path_; }
  StreamServer& server() { return *server_; }

 private:
  explicit Server(core::Ring& ring) : ring_(ring) {}
  core::Ring& ring_;
  std::string path_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace ringcast::net::ctl

#endif  // RINGCAST_NET_CTL_SERVER_H_
