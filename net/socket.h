// Sockets and addresses: parsing "HOST:PORT" tunables, opening listeners, naming peers in logs.
// Set-up code (StatusOr); any thread.
#ifndef RINGCAST_NET_SOCKET_H_
#define RINGCAST_NET_SOCKET_H_

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace ringcast::net {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
  int port() const;
  void set_port(int port);
};

// "1.2.3.4:80", "[::1]:80", ":80" (all IPv6 and IPv4 addresses), "0.0.0.0:80".
absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view text);
// "1.2.3.4:80", "[::1]:80", "unix" — for log lines.
std::string FormatSocketAddress(const sockaddr* address, socklen_t length);
// The host part of a peer address as FormatSocketAddress writes it ("10.0.0.7:51234" ->
// "10.0.0.7", "[::1]:8554" -> "::1"); the text itself when it has no port. What per-client
// limits, allow-lists and the auth back-off key on.
std::string_view PeerHost(std::string_view peer);

// A listening TCP socket (SO_REUSEADDR; dual-stack for ":port"). With `reuse_port` every worker
// binds one to the same port (SO_REUSEPORT) and the kernel spreads connections over them.
absl::StatusOr<Fd> ListenTcp(const SocketAddress& address, int backlog = 512,
                             bool reuse_port = false);
// A bound UDP socket. With `reuse_port` (SO_REUSEPORT) several may share the port: the kernel
// gives each datagram to one of them by a hash of its addresses — or to a member connect()ed to
// exactly the datagram's source, which always wins.
absl::StatusOr<Fd> BindUdp(const SocketAddress& address, bool reuse_port = false);
// A UDP socket on `local` (SO_REUSEPORT) connected to `peer`: it receives what `peer` sends to
// that port, whichever socket of the port's group would have got it otherwise.
absl::StatusOr<Fd> ConnectedUdp(const SocketAddress& local, const SocketAddress& peer);
// A listening Unix stream socket at `path` with file mode `mode`; a stale socket file left by a
// dead daemon is replaced, a live one is an error (AlreadyExists).
absl::StatusOr<Fd> ListenUnix(const std::string& path, unsigned mode, int backlog = 64);
// True when this kernel can open IPv6 sockets (it may be built or booted without).
bool HasIpv6();
// The port a socket is bound to (for tests that bind port 0).
absl::StatusOr<int> LocalPort(int fd);

}  // namespace ringcast::net

#endif  // RINGCAST_NET_SOCKET_H_
