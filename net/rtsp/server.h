// RtspServer: the RTSP listener (rtsp.listen) of one worker; each connection runs an
// RtspSession against that worker's path hub (rtp/hub), with the server's Digest nonces
// (http::ServerAuth) and its RTP/UDP ports. Worker thread only.
#ifndef RINGCAST_NET_RTSP_SERVER_H_
#define RINGCAST_NET_RTSP_SERVER_H_

#include <memory>
#include <string>

#include "net/http/auth.h"
#include "net/rtsp/session.h"
#include "net/rtsp/settings.h"
#include "net/rtsp/udp_ports.h"
#include "net/stream_server.h"
#include "rtp/hub/path_hub.h"

namespace ringcast::net::rtsp {

class RtspServer {
 public:
  static absl::StatusOr<std::unique_ptr<RtspServer>> Start(core::Ring& ring,
                                                           core::BufferRing& buffers,
                                                           const RtspServerOptions& options,
                                                           rtp::hub::PathHub& hub);
  // Closes every connection (their sessions leave their paths) and retires the listener.
  ~RtspServer();

  int port() const { return port_; }
  UdpMediaPorts* udp() { return udp_.get(); }
  size_t connection_count() const { return server_->connection_count(); }

 private:
  RtspServer(core::Ring& ring, const http::ServerAuthOptions& auth) : ring_(ring), auth_(auth) {}

  core::Ring& ring_;
  int port_ = 0;
  RtspSettings settings_;
  http::ServerAuth auth_;
  std::unique_ptr<UdpMediaPorts> udp_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_SERVER_H_
