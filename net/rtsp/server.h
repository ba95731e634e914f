// RtspServer: the RTSP listener (rtsp.listen) of one worker; each connection runs an
// RtspSession against that worker's PathHub. Worker thread only.
#ifndef RINGCAST_NET_RTSP_SERVER_H_
#define RINGCAST_NET_RTSP_SERVER_H_

#include <memory>
#include <string>

#include "net/rtsp/path_hub.h"
#include "net/rtsp/session.h"
#include "net/rtsp/udp_ports.h"
#include "net/stream_server.h"

namespace ringcast::net::rtsp {

struct RtspServerOptions {
  std::string listen = ":8554";  // rtsp.listen
  bool udp = true;               // rtsp.transports has udp
  int rtp_port = 8000;           // rtsp.rtp_port
  int rtcp_port = 8001;          // rtsp.rtcp_port
  RtspSettings session;
};

class RtspServer {
 public:
  static absl::StatusOr<std::unique_ptr<RtspServer>> Start(core::Ring& ring,
                                                           core::BufferRing& buffers,
                                                           const RtspServerOptions& options,
                                                           PathHub& hub);
  // Closes every connection (their sessions leave their paths) and retires the listener.
  ~RtspServer();

  int port() const { return port_; }
  UdpMediaPorts* udp() { return udp_.get(); }
  size_t connection_count() const { return server_->connection_count(); }

 private:
  explicit RtspServer(core::Ring& ring) : ring_(ring) {}

  core::Ring& ring_;
  int port_ = 0;
  RtspSettings settings_;
  std::unique_ptr<UdpMediaPorts> udp_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_SERVER_H_
