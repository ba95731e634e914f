#include "net/socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "absl/strings/str_format.h"
#include "core/strings.h"

namespace ringcast::net {

using core::StrCat;

using core::ErrnoStatus;

void Fd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return 0;
}

void SocketAddress::set_port(int port) {
  if (family() == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(static_cast<uint16_t>(port));
  } else if (family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(static_cast<uint16_t>(port));
  }
}

absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view text) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(
        StrCat("invalid address \"", text, "\": expected HOST:PORT, [IPV6]:PORT or :PORT"));
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalid();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return invalid();
  }
  SocketAddress address;
  if (host.empty() || (host.size() > 2 && host.front() == '[')) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    v6->sin6_addr = in6addr_any;
    if (!host.empty()) {
      if (host.back() != ']') return invalid();
      std::string inner(host.substr(1, host.size() - 2));
      if (inet_pton(AF_INET6, inner.c_str(), &v6->sin6_addr) != 1) return invalid();
    }
    address.length = sizeof(sockaddr_in6);
    return address;
  }
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  v4->sin_family = AF_INET;
  v4->sin_port = htons(static_cast<uint16_t>(port));
  std::string host_text(host);
  if (host_text == "localhost") host_text = "127.0.0.1";
  if (inet_pton(AF_INET, host_text.c_str(), &v4->sin_addr) != 1) return invalid();
  address.length = sizeof(sockaddr_in);
  return address;
}

std::string FormatSocketAddress(const sockaddr* address, socklen_t length) {
  if (address == nullptr || length == 0) return "unknown";
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    return absl::StrFormat("%s:%d", text, ntohs(v4->sin_port));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof(text));
      return absl::StrFormat("%s:%d", text, ntohs(v6->sin6_port));
    }
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    return absl::StrFormat("[%s]:%d", text, ntohs(v6->sin6_port));
  }
  if (address->sa_family == AF_UNIX) return "unix";
  return "unknown";
}

namespace {

absl::StatusOr<Fd> OpenBound(const SocketAddress& address, int type, std::string_view what,
                             bool reuse_port) {
  Fd fd(::socket(address.family(), type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoStatus(errno, StrCat(what, ": socket"));
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port && setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
    return ErrnoStatus(errno, StrCat(what, ": SO_REUSEPORT"));
  }
  if (address.family() == AF_INET6) {
    int zero = 0;  // ":port" listens on IPv4 too
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  }
  if (::bind(fd.get(), address.get(), address.length) != 0) {
    return ErrnoStatus(errno,
                       StrCat(what, ": bind ", FormatSocketAddress(address.get(), address.length)));
  }
  return fd;
}

}  // namespace

absl::StatusOr<Fd> ListenTcp(const SocketAddress& address, int backlog, bool reuse_port) {
  ASSIGN_OR_RETURN(Fd fd, OpenBound(address, SOCK_STREAM, "tcp listener", reuse_port));
  if (::listen(fd.get(), backlog) != 0) return ErrnoStatus(errno, "tcp listener: listen");
  return fd;
}

absl::StatusOr<Fd> BindUdp(const SocketAddress& address, bool reuse_port) {
  return OpenBound(address, SOCK_DGRAM, "udp socket", reuse_port);
}

bool HasIpv6() {
  Fd probe(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return probe.valid();
}

absl::StatusOr<Fd> ConnectedUdp(const SocketAddress& local, const SocketAddress& peer) {
  ASSIGN_OR_RETURN(Fd fd, OpenBound(local, SOCK_DGRAM, "udp socket", /*reuse_port=*/true));
  if (::connect(fd.get(), peer.get(), peer.length) != 0) {
    return ErrnoStatus(
        errno, StrCat("udp socket: connect ", FormatSocketAddress(peer.get(), peer.length)));
  }
  return fd;
}

absl::StatusOr<Fd> ListenUnix(const std::string& path, unsigned mode, int backlog) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(StrCat("unix socket path too long: ", path));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return ErrnoStatus(errno, "unix socket");
  // A socket file may be left by a daemon that died. Replace it only if nobody answers on it.
  Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (::connect(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    return absl::AlreadyExistsError(StrCat(path, ": another ringcastd is already listening there"));
  }
  ::unlink(path.c_str());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    return ErrnoStatus(errno, StrCat("bind ", path));
  }
  if (::chmod(path.c_str(), mode) != 0) return ErrnoStatus(errno, StrCat("chmod ", path));
  if (::listen(fd.get(), backlog) != 0) return ErrnoStatus(errno, StrCat("listen ", path));
  return fd;
}

absl::StatusOr<int> LocalPort(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return ErrnoStatus(errno, "getsockname");
  }
  SocketAddress address;
  address.storage = storage;
  address.length = length;
  return address.port();
}

std::string_view PeerHost(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    const size_t close = peer.find(']');
    return close == std::string_view::npos ? peer : peer.substr(1, close - 1);
  }
  const size_t colon = peer.rfind(':');
  // One colon: host:port; none or several (a bare IPv6 address): the text itself.
  if (colon == std::string_view::npos || peer.find(':') != colon) return peer;
  return peer.substr(0, colon);
}

}  // namespace ringcast::net
