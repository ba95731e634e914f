#include "tools/ringcastctl/ctl_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "core/strings.h"

namespace ringcast::tools {

using core::StrCat;

absl::StatusOr<CtlClient> CtlClient::Connect(const std::string& socket_path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(StrCat("socket path too long: ", socket_path));
  }
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::ErrnoStatus(errno, "socket");
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EACCES || err == EPERM) {
      return absl::PermissionDeniedError(StrCat("permission denied on ", socket_path,
                                                " (run as root or a member of group ringcast)"));
    }
    if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
      return absl::UnavailableError(
          StrCat("ringcastd is not running (no control socket at ", socket_path, ")"));
    }
    return core::ErrnoStatus(err, StrCat("cannot connect to ", socket_path));
  }
  return CtlClient(fd);
}

CtlClient::~CtlClient() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::string> CtlClient::ReadLine() {
  for (;;) {
    size_t eol = buffer_.find('\n');
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      return line;
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n == 0) return absl::UnavailableError("ringcastd closed the control connection");
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        return absl::DeadlineExceededError("ringcastd did not answer within 10 s");
      }
      return core::ErrnoStatus(errno, "reading from ringcastd");
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::vector<net::ctl::Reply>> CtlClient::Call(const net::ctl::Request& request) {
  std::string wire = net::ctl::FormatRequest(request);
  size_t done = 0;
  while (done < wire.size()) {
    ssize_t n = ::send(fd_, wire.data() + done, wire.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::ErrnoStatus(errno, "writing to ringcastd");
    }
    done += static_cast<size_t>(n);
  }
  std::vector<net::ctl::Reply> replies;
  for (;;) {
    ASSIGN_OR_RETURN(std::string line, ReadLine());
    if (line == ".") return replies;
    std::optional<net::ctl::Reply> reply = net::ctl::ParseReply(line);
    if (!reply) return absl::InternalError(StrCat("unexpected reply from ringcastd: ", line));
    replies.push_back(std::move(*reply));
  }
}

}  // namespace ringcast::tools
