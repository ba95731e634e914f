// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram per state
// change to the unix socket named by $NOTIFY_SOCKET, which systemd sets for Type=notify units.
// Outside systemd (no $NOTIFY_SOCKET) every call is a no-op, so the daemon needs no flag.
//
// The watchdog pinger is a Timer on the control thread's Ring: if that loop stalls, the pings
// stop and systemd restarts the unit (WatchdogSec=). Ring thread only; destroy it before the
// Ring.
#ifndef RINGCAST_TOOLS_RINGCASTD_SD_NOTIFY_H_
#define RINGCAST_TOOLS_RINGCASTD_SD_NOTIFY_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/ring.h"

namespace ringcast::daemon {

// Sends `state` ("READY=1", "STOPPING=1", "STATUS=…", newline-separated assignments). Returns
// false when there is no $NOTIFY_SOCKET or the send failed (never fatal). Never blocks.
bool SdNotify(std::string_view state);

// Sends WATCHDOG=1 every half of systemd's watchdog period while the ring's loop runs.
class SdWatchdog {
 public:
  SdWatchdog(core::Ring& ring, int64_t period_ns);
  SdWatchdog(const SdWatchdog&) = delete;
  SdWatchdog& operator=(const SdWatchdog&) = delete;

 private:
  void OnTimerFire();
  int64_t period_ns_;
  core::Timer timer_;
};

// Sends READY=1 and, when systemd asked for a watchdog ($WATCHDOG_USEC, for this pid), returns
// the pinger; otherwise nullptr.
std::unique_ptr<SdWatchdog> SdNotifyReady(core::Ring& ring);

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_SD_NOTIFY_H_
