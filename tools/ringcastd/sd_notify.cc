#include "tools/ringcastd/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/log.h"

namespace ringcast::daemon {

bool SdNotify(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  size_t length = std::strlen(path);
  // '/' names a file; '@' the abstract namespace (a leading NUL on the wire).
  if ((path[0] != '/' && path[0] != '@') || length >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path, length);
  if (path[0] == '@') address.sun_path[0] = '\0';
  // Non-blocking: a full receive queue must never stall the control thread; a lost state
  // datagram is better than a stuck daemon.
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                          reinterpret_cast<const sockaddr*>(&address),
                          static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length));
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

SdWatchdog::SdWatchdog(core::Ring& ring, int64_t period_ns)
    : period_ns_(period_ns), timer_(ring, [this] { OnTimerFire(); }) {
  timer_.ArmAfter(period_ns_);
}

void SdWatchdog::OnTimerFire() {
  SdNotify("WATCHDOG=1");
  timer_.ArmAfter(period_ns_);
}

std::unique_ptr<SdWatchdog> SdNotifyReady(core::Ring& ring) {
  SdNotify("READY=1");
  const char* usec_text = std::getenv("WATCHDOG_USEC");
  const char* pid_text = std::getenv("WATCHDOG_PID");
  if (usec_text == nullptr) return nullptr;
  if (pid_text != nullptr && std::strtol(pid_text, nullptr, 10) != ::getpid()) return nullptr;
  int64_t usec = std::strtoll(usec_text, nullptr, 10);
  if (usec <= 0) return nullptr;
  int64_t period_ns = usec * 1000 / 2;
  LOG_INFO("core: systemd watchdog: pinging every %d ms", period_ns / 1000000);
  return std::make_unique<SdWatchdog>(ring, period_ns);
}

}  // namespace ringcast::daemon
