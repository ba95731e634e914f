// RtspServer: the RTSP listener (rtsp.listen) of one worker; each connection runs an
// RtspSession against that worker's path hub (rtp/hub), with the server's Digest nonces
// (http::ServerAuth) and its RTP/UDP ports.
//
// With several workers each one runs a server on the same ports (SO_REUSEPORT), and the kernel
// spreads the connections. A connection whose first request names a path another worker owns is
// handed over before it is answered: its socket, the parsed request and the bytes read after it
// go to that worker's server (Adopt), which answers as if it had accepted the connection — so
// every request of a path, its Digest challenge included, is answered by the path's worker.
// Worker thread only.
#ifndef RINGCAST_NET_RTSP_SERVER_H_
#define RINGCAST_NET_RTSP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "net/http/auth.h"
#include "net/rtsp/hand_off.h"
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
                                                           rtp::hub::PathHub& hub,
                                                           HandOffTo hand_off = nullptr);
  // A connection another worker handed over (on this worker's thread).
  void Adopt(std::shared_ptr<HandedConnection> connection);
  // Closes every connection (their sessions leave their paths) and retires the listener.
  ~RtspServer();

  int port() const { return port_; }
  UdpMediaPorts* udp() { return udp_.get(); }
  size_t connection_count() const { return server_->connection_count(); }
  // For the control thread's stats.worker.N.* (relaxed: figures).
  size_t sessions_now() const { return server_->connections_now(); }
  uint64_t packets_out() const { return packets_out_.load(std::memory_order_relaxed); }

 private:
  RtspServer(core::Ring& ring, const http::ServerAuthOptions& auth) : ring_(ring), auth_(auth) {}

  core::Ring& ring_;
  int port_ = 0;
  RtspSettings settings_;
  http::ServerAuth auth_;
  HandOffTo hand_off_;
  std::atomic<uint64_t> packets_out_{0};  // to RTSP readers
  std::unique_ptr<UdpMediaPorts> udp_;
  std::unique_ptr<StreamServer> server_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_SERVER_H_
