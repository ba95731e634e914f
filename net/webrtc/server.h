// WebRtcServer: WebRTC egress on one worker — the WHEP/player HTTP server (webrtc.listen), the
// one UDP port every session shares (webrtc.udp_port), the sessions, and their figures.
//
//   UDP datagram ─▶ OnReceive: first byte (RFC 7983 §7) ─▶ STUN: session by our ufrag
//                                                       ─▶ DTLS / SRTCP: session by address
//   HTTP ─▶ whep.cc: POST /NAME/whep builds the answer (answer.h) and a viewer's WebRtcSession;
//                   POST /NAME/whip the answer (publish_answer.h) and a publisher's
//
// Sessions that end are deleted from a timer of the server's, never inside their own calls. The
// server lives on the worker that owns the paths (rtp::hub::PathHub); everything here runs on that
// thread except Snapshot(), which asks the worker for its figures and waits for them (taken only
// when read: their cost grows with the sessions), and the relaxed counters for stats.worker.N.*.
#ifndef RINGCAST_NET_WEBRTC_SERVER_H_
#define RINGCAST_NET_WEBRTC_SERVER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
#include "net/webrtc/routes.h"
#include "net/webrtc/session.h"
#include "net/webrtc/settings.h"
#include "rtp/hub/path_hub.h"

namespace ringcast::net::webrtc {

// The ICE host candidates of a UDP port bound to `bound`: its address when it is bound to one;
// else the addresses of every up interface of the families it receives — IPv4 for an IPv4
// socket, IPv4 then IPv6 (link-local left out) for a dual-stack one — with the loopback ones
// only when there is nothing else.
std::vector<std::string> HostCandidates(const SocketAddress& bound);

class WebRtcServer;

// What the servers of every worker share, and how one reaches another (made by the daemon).
// With one worker, `run_on` is still used: it posts to the server itself.
struct WebRtcShared {
  int workers = 1;
  SessionRoutes routes;
  // The DTLS certificate every worker presents (generated once, or crypto.cert_file).
  std::shared_ptr<const crypto::Certificate> certificate;
  // Runs `task` on worker `worker`'s thread with its server (nullptr when that one is gone).
  std::function<void(int worker, std::function<void(WebRtcServer*)> task)> run_on;
  // Sessions per worker, each written by its own worker (relaxed): where spread viewers go.
  std::unique_ptr<std::atomic<uint64_t>[]> sessions;
};

// What /api/paths says of one path, as one worker sees it.
struct PathInfo {
  std::string name;
  bool owned = false;       // this worker runs the path: the fields below are its own
  bool configured = false;  // from path.NAME.* (every worker knows those)
  bool ready = false;
  std::string source;
  std::string tracks_json;     // the "tracks" array's items
  size_t webrtc_sessions = 0;  // this worker's
  size_t readers = 0;          // this worker's (RTSP and WebRTC)
};

class WebRtcServer final : public SessionHost, public core::ReceiveHandler {
 public:
  // `shared` outlives every worker's server; `worker` is this one's index, and its hub's.
  static absl::StatusOr<std::unique_ptr<WebRtcServer>> Start(core::Ring& ring,
                                                             core::BufferRing& buffers,
                                                             rtp::hub::PathHub& hub,
                                                             const WebRtcServerOptions& options,
                                                             WebRtcShared& shared);
  ~WebRtcServer() override;

  void ApplySettings(const WebRtcSettings& settings);

  int http_port() const { return http_->port(); }
  int udp_port() const { return udp_port_; }
  size_t session_count() const { return sessions_.size(); }
  // For the control thread's stats.worker.N.* (relaxed: figures).
  uint64_t sessions_now() const { return sessions_now_.load(std::memory_order_relaxed); }
  uint64_t datagrams_out() const { return egress_->packets_published(); }

  // A datagram another worker received for one of our sessions.
  void OnForwardedDatagram(std::span<uint8_t> bytes, const SocketAddress& from);
  // An HTTP request for a path or session of this worker. A WHEP offer for a path with
  // webrtc.viewers_per_worker viewers here already goes on to the least busy other worker
  // (with `may_spread`), which serves it from a replica.
  void AnswerRequest(const http::Message& request, const std::string& peer, http::HttpReply reply,
                     bool may_spread);
  // Answered here, whatever the path's viewer count.
  http::HttpResponse AnswerHere(const http::Message& request, const std::string& peer);
  // /api/paths: this worker's view of every path it knows.
  std::vector<PathInfo> LocalPathInfo() const;

  // stats.webrtc.* and stats.path.NAME.webrtc_*, taken now on the worker (core::StatSnapshot,
  // on demand). Any thread but the worker's own waits for it, at most half a second.
  std::vector<core::StatSample> Snapshot() const { return snapshot_.Copy(); }

 private:
  WebRtcServer(core::Ring& ring, core::BufferRing& buffers, rtp::hub::PathHub& hub,
               WebRtcShared& shared)
      : ring_(ring),
        buffers_(buffers),
        hub_(hub),
        shared_(shared),
        worker_(hub.worker()),
        reap_timer_(ring, [this] { ReapEndedSessions(); }),
        snapshot_(ring, core::StatSnapshot::kOnDemand,
                  [this](std::vector<core::StatSample>& out) { TakeSnapshot(out); }) {}

  // SessionHost
  UdpEgress& egress() override { return *egress_; }
  const SessionSettings& settings() const override { return settings_.session; }
  void OnSessionAddress(WebRtcSession& session, const SocketAddress& address) override;
  void OnSessionReady(WebRtcSession& session) override;
  void OnSessionEnded(WebRtcSession& session) override;

  // core::ReceiveHandler: the UDP port.
  void OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                 uint16_t bid) override;
  void OnReceiveEnd(int error) override;
  // `forwarded`: it came from another worker, which looked it up already.
  void Demux(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len, bool forwarded);
  // Sends a datagram that is not ours to the worker SessionRoutes names; false if none does.
  bool Forward(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len, int worker);

  // HTTP (whep.cc).
  void RegisterRoutes();
  // Which worker answers `request`: this one, or the owner of the path or session it names.
  int WorkerFor(const http::Message& request);
  // For a WHEP offer this worker owns the path of: the worker to send the viewer to, or -1.
  int SpreadTarget(const http::Message& request);
  void CountSessions();
  http::HttpResponse Route(const http::Message& request, const std::string& peer);
  void AnswerPathsJson(http::HttpReply reply);
  http::HttpResponse CreateSession(const http::Message& request, const std::string& peer,
                                   const std::string& path_name);
  // WHIP: a publisher for `path_name`.
  http::HttpResponse CreatePublisher(const http::Message& request, const std::string& peer,
                                     const std::string& path_name);
  // Our side of the answer for new session `id`: fresh ICE credentials, the certificate, the
  // candidates, a CNAME from the id.
  LocalDescription MakeLocalDescription(const std::string& path_name, const std::string& id) const;
  // Takes a session whose answer is ready: pending until ICE and DTLS are done.
  void AddSession(std::unique_ptr<WebRtcSession> session, const std::string& ufrag,
                  const std::string& client);
  // 201 with the answer, Location /NAME`resource`ID, ETag.
  static http::HttpResponse SessionCreated(const std::string& path_name, std::string_view resource,
                                           const std::string& id, std::string answer_sdp);
  // `publisher`: the resource is /NAME/whip/ID; a session of the other kind is not found.
  http::HttpResponse DeleteSession(const std::string& path_name, const std::string& id,
                                   bool publisher);
  http::HttpResponse PatchSession(const http::Message& request, const std::string& path_name,
                                  const std::string& id, bool publisher);

  // May `peer` read `path` (its player page, a WHEP session), or publish it (`publish`: WHIP)?
  // The path's read_allow or publish_allow (403), then its read or publish credentials; nullopt:
  // yes.
  std::optional<http::HttpResponse> CheckAccess(const http::Message& request,
                                                const rtp::hub::Path& path, const std::string& peer,
                                                bool publish);
  // Checks `user`/`pass` (a path's read_* or publish_*): Basic, or Bearer with the password;
  // nullopt: OK. `what` ("read", "publish") is for the log and the 401's text.
  std::optional<http::HttpResponse> CheckCredentials(
      const http::Message& request, const rtp::hub::Path& path, const std::string& peer,
      const std::string& user, const std::string& pass, std::string_view what);
  void AddCors(http::HttpResponse& response) const;

  // Room for a new session from `client` (max_sessions_per_ip, max_sessions): nullopt, or the
  // refusal.
  std::optional<http::HttpResponse> AdmitSession(const std::string& client);
  // Ends the oldest sessions still in ICE or DTLS while webrtc.max_pending_sessions are.
  void MakeRoomForPending();
  // Drops the ids at the front of pending_order_ that are no longer pending.
  void TidyPendingOrder();
  void EraseSession(const std::string& id);
  void ReapEndedSessions();
  void TakeSnapshot(std::vector<core::StatSample>& out) const;

  core::Ring& ring_;
  core::BufferRing& buffers_;
  rtp::hub::PathHub& hub_;
  WebRtcShared& shared_;
  const int worker_;
  WebRtcServerOptions options_;
  WebRtcSettings settings_;
  std::vector<std::string> candidates_;  // advertised addresses in use
  std::shared_ptr<const crypto::Certificate> certificate_;
  std::unique_ptr<crypto::DtlsContext> dtls_context_;
  std::unique_ptr<http::HttpServer> http_;
  Fd udp_fd_;
  SocketAddress udp_address_;  // as bound (the port as configured; udp_port_ has the real one)
  int udp_port_ = 0;
  std::unique_ptr<UdpEgress> egress_;
  std::unique_ptr<core::Receiver> receiver_;

  std::map<std::string, std::unique_ptr<WebRtcSession>> sessions_;  // by id
  std::unordered_map<std::string, WebRtcSession*> by_ufrag_;
  std::unordered_map<AddressKey, WebRtcSession*, AddressHash> by_address_;
  std::unordered_map<const WebRtcSession*, AddressKey> address_of_;
  bool closing_ = false;  // in the destructor
  uint64_t sessions_total_ = 0;
  // Sessions before DTLS-SRTP is up ("pending"): counted apart from max_sessions, and ended
  // oldest first when a new POST finds max_pending_sessions of them. The queue is in creation
  // order and may hold ids that are no longer pending; they are skipped.
  size_t pending_ = 0;
  std::deque<std::string> pending_order_;
  std::unordered_map<std::string, int64_t> sessions_per_ip_;  // by client address (no port)
  SessionStats ended_totals_;                                 // counters of sessions already gone
  IngestStats ended_ingest_totals_;                           // of publishers already gone
  uint64_t unrouted_ = 0;
  uint64_t forwarded_out_ = 0;       // datagrams this worker passed to the session's worker
  uint64_t forwarded_in_ = 0;        // datagrams other workers passed to ours
  uint64_t requests_forwarded_ = 0;  // HTTP requests answered by another worker
  uint64_t viewers_spread_ = 0;      // WHEP offers sent on to a replica's worker
  std::atomic<uint64_t> sessions_now_{0};
  core::LogRateLimiter log_limiter_;
  // Sessions that ended are deleted from this timer, which fires on its own (never inside a
  // session's call) and goes away with the server, unlike a posted task.
  std::vector<std::string> ended_;
  core::Timer reap_timer_;
  core::StatSnapshot snapshot_;
};

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_SERVER_H_
