// The control socket (ctl.socket): ringcastctl's way into the daemon. A Unix stream socket,
// mode 0660 (group "ringcast" when that group exists), speaking core/ctl_protocol.h; each
// request line is answered by core::CtlService. Control thread only.
#ifndef RINGCAST_NET_CTL_SERVER_H_
#define RINGCAST_NET_CTL_SERVER_H_

#include <memory>
#include <string>

#include "core/ctl_service.h"
#include "net/stream_server.h"

namespace ringcast::net {

class CtlServer {
 public:
  // Creates the socket's directory if needed, binds `path` and starts accepting.
  static absl::StatusOr<std::unique_ptr<CtlServer>> Start(core::Ring& ring,
                                                          core::BufferRing& buffers,
                                                          const std::string& path,
                                                          core::CtlService& service);
  ~CtlServer();

  const std::string& path() const { return path_; }
  StreamServer& server() { return *server_; }

 private:
  explicit CtlServer(core::Ring& ring) : ring_(ring) {}
  core::Ring& ring_;
  std::string path_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace ringcast::net

#endif  // RINGCAST_NET_CTL_SERVER_H_
