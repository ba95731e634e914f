#include "net/rtsp/server.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::net::rtsp {

absl::StatusOr<std::unique_ptr<RtspServer>> RtspServer::Start(
    core::Ring& ring, core::BufferRing& buffers, const RtspServerOptions& server_options,
    rtp::hub::PathHub& hub, HandOffTo hand_off) {
  const std::string& listen_address = server_options.listen;
  const RtspSettings& settings = server_options.session;
  ASSIGN_OR_RETURN(SocketAddress address, ParseSocketAddress(listen_address));
  absl::StatusOr<Fd> fd = ListenTcp(address, 512, server_options.reuse_port);
  if (!fd.ok()) {
    return absl::Status(fd.status().code(), core::StrCat("rtsp: cannot listen on ", listen_address,
                                                         ": ", core::ToStd(fd.status().message())));
  }
  std::unique_ptr<RtspServer> rtsp(new RtspServer(ring, server_options.auth));
  ASSIGN_OR_RETURN(rtsp->port_, LocalPort(fd->get()));
  rtsp->settings_ = settings;
  rtsp->hand_off_ = std::move(hand_off);
  if (server_options.udp) {
    std::string host = listen_address.substr(0, listen_address.rfind(':'));
    ASSIGN_OR_RETURN(rtsp->udp_,
                     UdpMediaPorts::Open(ring, buffers, host, server_options.rtp_port,
                                         server_options.rtcp_port, server_options.reuse_port));
  }
  StreamServerOptions options;
  options.name = "rtsp";
  options.max_connections = 4096;
  // The Session header tells players the timeout; they send a keep-alive before it runs out,
  // some with little to spare (ffmpeg at half of it, GStreamer at 80% of a 10 s timeout), and a
  // busy machine can delay one. The cut comes a grace period later: half the timeout, at least
  // 5 s. (A reader over UDP has only those requests: its RTCP goes to a port every worker shares.)
  const int64_t timeout_ns = settings.session_timeout_s * core::kNsPerSec;
  options.idle_timeout_ns = timeout_ns + std::max<int64_t>(timeout_ns / 2, 5 * core::kNsPerSec);
  options.max_queued_bytes = 16 << 20;
  options.max_connections_per_ip = settings.max_connections_per_ip;
  options.request_timeout_ns = settings.request_timeout_ns;
  options.allow = settings.allow;
  RtspServer* raw = rtsp.get();
  rtsp->server_ = std::make_unique<StreamServer>(
      ring, buffers, std::move(fd).value(), options, [raw, &hub](StreamConnection& connection) {
        return std::make_unique<RtspSession>(
            connection, hub, raw->auth_, raw->settings_, raw->udp_.get(),
            raw->hand_off_ ? &raw->hand_off_ : nullptr, &raw->packets_out_);
      });
  rtsp->server_->Start();
  LOG_INFO("rtsp: listening on %s (port %d)", listen_address, rtsp->port_);
  return rtsp;
}

void RtspServer::Adopt(std::shared_ptr<HandedConnection> connection) {
  std::string peer = connection->peer;
  server_->Adopt(std::move(connection->fd), std::move(peer), [&](StreamSession& session) {
    static_cast<RtspSession&>(session).Resume(connection->request, connection->pending,
                                              connection->hops);
  });
}

RtspServer::~RtspServer() {
  // The sessions go now — they leave their paths and unregister from udp_ — and the listener
  // when its accept has drained.
  server_->CloseAll();
  ring_.Retire(std::move(server_));
  udp_.reset();
}

}  // namespace ringcast::net::rtsp
