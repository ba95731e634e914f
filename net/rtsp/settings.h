// The RTSP server's tunables (rtsp.*): defined here, next to the code that uses them, and read
// into RtspServerOptions in one place. Control thread (the registry's).
#ifndef RINGCAST_NET_RTSP_SETTINGS_H_
#define RINGCAST_NET_RTSP_SETTINGS_H_

#include <cstdint>
#include <string>

#include "core/networks.h"
#include "core/status.h"
#include "core/tunables.h"
#include "net/http/auth.h"

namespace ringcast::net::rtsp {

// What every session of the server is told.
struct RtspSettings {
  int64_t session_timeout_s = 60;       // advertised in the Session header (keep-alive period x2)
  size_t max_connections_per_ip = 256;  // rtsp.max_connections_per_ip (0: no limit)
  int64_t request_timeout_ns = 10'000'000'000;  // rtsp.request_timeout_ms
  size_t max_tracks = 8;                        // rtsp.max_tracks: per publisher
  core::NetworkList allow;                      // rtsp.allow: who may connect (empty: anyone)
};

struct RtspServerOptions {
  std::string listen = ":8554";  // rtsp.listen
  bool udp = true;               // rtsp.transports has udp
  int rtp_port = 8000;           // rtsp.rtp_port
  int rtcp_port = 8001;          // rtsp.rtcp_port
  http::ServerAuthOptions auth;  // rtsp.auth_methods
  bool publish_any = false;      // rtsp.publish_any (the path hub applies it; live)
  RtspSettings session;          // rtsp.read_timeout_ms
  // Every worker listens on the same ports (SO_REUSEPORT); set by the daemon, not a tunable.
  bool reuse_port = false;
};

void DefineRtspTunables(core::Registry& registry);
absl::StatusOr<RtspServerOptions> ReadRtspServerOptions(const core::Registry& registry);

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_SETTINGS_H_
