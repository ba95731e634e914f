// WebRtcServer: WebRTC egress on one worker — the WHEP/player HTTP server (webrtc.listen), the
// one UDP port every session shares (webrtc.udp_port), the sessions, and their figures.
//
//   UDP datagram ─▶ OnReceive: first byte (RFC 7983 §7) ─▶ STUN: session by our ufrag
//                                                       ─▶ DTLS / SRTCP: session by address
//   HTTP ─▶ whep.cc: POST /NAME/whep builds the answer (answer.h) and a WebRtcSession
//
// Sessions that end are deleted from a timer of the server's, never inside their own calls. The
// server lives on the worker that owns the paths (rtp::hub::PathHub); everything here runs on that
// thread except Snapshot(), which copies the figures taken once a second under a mutex.
#ifndef RINGCAST_NET_WEBRTC_SERVER_H_
#define RINGCAST_NET_WEBRTC_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/buffer_ring.h"
#include "core/receiver.h"
#include "core/ring.h"
#include "core/stat_snapshot.h"
#include "core/tunables.h"
#include "crypto/certificate.h"
#include "crypto/dtls.h"
#include "net/http/server.h"
#include "net/socket.h"
#include "net/webrtc/egress.h"
#include "net/webrtc/session.h"
#include "net/webrtc/settings.h"
#include "rtp/hub/path_hub.h"

namespace ringcast::net::webrtc {

// The addresses of every up, non-loopback interface (IPv4; loopback if there is nothing else).
std::vector<std::string> InterfaceAddresses();

class WebRtcServer final : public SessionHost, public core::ReceiveHandler {
 public:
  static absl::StatusOr<std::unique_ptr<WebRtcServer>> Start(core::Ring& ring,
                                                             core::BufferRing& buffers,
                                                             rtp::hub::PathHub& hub,
                                                             const WebRtcServerOptions& options);
  ~WebRtcServer() override;

  void ApplySettings(const WebRtcSettings& settings);

  int http_port() const { return http_->port(); }
  int udp_port() const { return udp_port_; }
  size_t session_count() const { return sessions_.size(); }

  // stats.webrtc.* and stats.path.NAME.webrtc_*, as of the last snapshot. Any thread.
  std::vector<core::StatSample> Snapshot() const { return snapshot_.Copy(); }

 private:
  WebRtcServer(core::Ring& ring, core::BufferRing& buffers, rtp::hub::PathHub& hub)
      : ring_(ring),
        buffers_(buffers),
        hub_(hub),
        reap_timer_(ring, [this] { ReapEndedSessions(); }),
        snapshot_(ring, 1'000'000'000,
                  [this](std::vector<core::StatSample>& out) { TakeSnapshot(out); }) {}

  // SessionHost
  UdpEgress& egress() override { return *egress_; }
  const SessionSettings& settings() const override { return settings_.session; }
  void OnSessionAddress(WebRtcSession& session, const SocketAddress& address) override;
  void OnSessionEnded(WebRtcSession& session) override;

  // core::ReceiveHandler: the UDP port.
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;
  void Demux(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len);

  // HTTP (whep.cc).
  void RegisterRoutes();
  http::HttpResponse Route(const http::Message& request, const std::string& peer);
  http::HttpResponse CreateSession(const http::Message& request, const std::string& peer,
                                   const std::string& path_name);
  http::HttpResponse DeleteSession(const std::string& path_name, const std::string& id);
  http::HttpResponse PatchSession(const http::Message& request, const std::string& path_name,
                                  const std::string& id);
  http::HttpResponse PathsJson() const;
  // Checks the path's read credentials (Basic, or Bearer with the read password); nullopt: OK.
  std::optional<http::HttpResponse> CheckReadAuth(const http::Message& request,
                                                  const rtp::hub::Path& path,
                                                  const std::string& peer);
  void AddCors(http::HttpResponse& response) const;

  void EraseSession(const std::string& id);
  void ReapEndedSessions();
  void TakeSnapshot(std::vector<core::StatSample>& out) const;

  // A datagram source as a map key (family, port, address) — no allocation per lookup.
  struct AddressKey {
    uint8_t bytes[20]{};
    bool operator==(const AddressKey& other) const {
      return memcmp(bytes, other.bytes, sizeof(bytes)) == 0;
    }
  };
  struct AddressHash {
    size_t operator()(const AddressKey& key) const;
  };
  static std::optional<AddressKey> KeyOf(const sockaddr* address, socklen_t length);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  rtp::hub::PathHub& hub_;
  WebRtcServerOptions options_;
  WebRtcSettings settings_;
  std::vector<std::string> candidates_;  // advertised addresses in use
  std::shared_ptr<const crypto::Certificate> certificate_;
  std::unique_ptr<crypto::DtlsContext> dtls_context_;
  std::unique_ptr<http::HttpServer> http_;
  Fd udp_fd_;
  int udp_port_ = 0;
  std::unique_ptr<UdpEgress> egress_;
  std::unique_ptr<core::Receiver> receiver_;

  std::map<std::string, std::unique_ptr<WebRtcSession>> sessions_;  // by id
  std::unordered_map<std::string, WebRtcSession*> by_ufrag_;
  std::unordered_map<AddressKey, WebRtcSession*, AddressHash> by_address_;
  std::unordered_map<const WebRtcSession*, AddressKey> address_of_;
  bool closing_ = false;  // in the destructor
  uint64_t sessions_total_ = 0;
  SessionStats ended_totals_;  // counters of sessions already gone
  uint64_t unrouted_ = 0;
  core::LogRateLimiter log_limiter_;
  // Sessions that ended are deleted from this timer, which fires on its own (never inside a
  // session's call) and goes away with the server, unlike a posted task.
  std::vector<std::string> ended_;
  core::Timer reap_timer_;
  core::StatSnapshot snapshot_;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_SERVER_H_
