// CtlClient: the ringcastctl side of the control socket (core/ctl_protocol.h). Blocking, one
// request at a time, with a receive timeout so a wedged daemon cannot hang a script.
#ifndef RINGCAST_TOOLS_RINGCASTCTL_CTL_CLIENT_H_
#define RINGCAST_TOOLS_RINGCASTCTL_CTL_CLIENT_H_

#include <string>
#include <vector>

#include "core/status.h"
#include "net/ctl/protocol.h"

namespace ringcast::tools {

class CtlClient {
 public:
  // Errors: Unavailable ("ringcastd is not running …"), PermissionDenied.
  static absl::StatusOr<CtlClient> Connect(const std::string& socket_path);
  CtlClient(CtlClient&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  CtlClient& operator=(CtlClient&&) = delete;
  ~CtlClient();

  // Sends one request and returns its reply lines (without the end marker).
  absl::StatusOr<std::vector<net::ctl::Reply>> Call(const net::ctl::Request& request);

 private:
  explicit CtlClient(int fd) : fd_(fd) {}
  absl::StatusOr<std::string> ReadLine();

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace ringcast::tools

#endif  // RINGCAST_TOOLS_RINGCASTCTL_CTL_CLIENT_H_
