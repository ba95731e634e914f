#include "net/webrtc/server.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "absl/strings/str_join.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/stun/ice_lite.h"
#include "net/webrtc/drops.h"
#include "rtp/rtp_packet.h"

namespace ringcast::net::webrtc {
namespace {

// The retransmission figures that sum over sessions, beside the older ones summed inline.
void AddNackRefusals(SessionStats& sum, const SessionStats& s) {
  sum.retransmit_bytes += s.retransmit_bytes;
  sum.nack_too_old += s.nack_too_old;
  sum.nack_repeats += s.nack_repeats;
  sum.nack_over_budget += s.nack_over_budget;
  sum.nack_congested += s.nack_congested;
}

}  // namespace

std::vector<std::string> HostCandidates(const SocketAddress& bound) {
  char text[INET6_ADDRSTRLEN];
  if (bound.family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&bound.storage);
    if (in->sin_addr.s_addr != htonl(INADDR_ANY) &&
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) {
      return {text};
    }
  } else if (bound.family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&bound.storage);
    if (!IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) {
      const bool mapped = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
      if (inet_ntop(mapped ? AF_INET : AF_INET6,
                    mapped ? static_cast<const void*>(&in6->sin6_addr.s6_addr[12])
                           : static_cast<const void*>(&in6->sin6_addr),
                    text, sizeof(text)) != nullptr) {
        return {text};
      }
    }
  }
  const bool dual_stack = bound.family() == AF_INET6;
  std::vector<std::string> v4, v6, loopback4, loopback6;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return {"127.0.0.1"};
  for (ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || (ifa->ifa_flags & IFF_UP) == 0) continue;
    const bool is_loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
    if (ifa->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr);
      if (inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) == nullptr) continue;
      (is_loopback ? loopback4 : v4).emplace_back(text);
    } else if (ifa->ifa_addr->sa_family == AF_INET6 && dual_stack) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr);
      // Link-local addresses need a scope a candidate cannot carry; mapped ones are IPv4's.
      if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) continue;
      if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)) == nullptr) continue;
      (is_loopback ? loopback6 : v6).emplace_back(text);
    }
  }
  freeifaddrs(list);
  std::vector<std::string>& first = v4.empty() && v6.empty() ? loopback4 : v4;
  std::vector<std::string>& second = v4.empty() && v6.empty() ? loopback6 : v6;
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

absl::StatusOr<std::unique_ptr<WebRtcServer>> WebRtcServer::Start(
    core::Ring& ring, core::BufferRing& buffers, rtp::hub::PathHub& hub,
    const WebRtcServerOptions& options, WebRtcShared& shared) {
  std::unique_ptr<WebRtcServer> server(new WebRtcServer(ring, buffers, hub, shared));
  server->options_ = options;
  if (shared.certificate == nullptr) {  // the first worker's server makes the one certificate
    if (options.cert_file.empty()) {
      ASSIGN_OR_RETURN(shared.certificate, crypto::Certificate::Generate());
    } else {
      ASSIGN_OR_RETURN(shared.certificate,
                       crypto::Certificate::LoadPem(options.cert_file, options.key_file));
    }
  }
  server->certificate_ = shared.certificate;
  const bool several = shared.workers > 1;
  crypto::DtlsConfig dtls;
  dtls.profiles = options.srtp_profiles;
  ASSIGN_OR_RETURN(server->dtls_context_, crypto::DtlsContext::Create(server->certificate_, dtls));

  // No host: dual-stack ("[::]", IPv4 peers arrive as ::ffff:a.b.c.d), or IPv4 alone on a
  // kernel without IPv6.
  std::string udp_host = options.udp_host.empty() && !HasIpv6() ? "0.0.0.0" : options.udp_host;
  ASSIGN_OR_RETURN(SocketAddress udp_address,
                   ParseSocketAddress(core::StrCat(udp_host, ":", options.udp_port)));
  server->udp_address_ = udp_address;
  absl::StatusOr<Fd> fd = BindUdp(udp_address, several);
  if (!fd.ok()) {
    return absl::Status(fd.status().code(), core::StrCat("webrtc.udp_port ", options.udp_port, ": ",
                                                         core::ToStd(fd.status().message())));
  }
  server->udp_fd_ = std::move(fd).value();
  ASSIGN_OR_RETURN(server->udp_port_, LocalPort(server->udp_fd_.get()));
  // Room for bursts: a fast start and many viewers' GSO trains leave in one batch.
  int sndbuf = 4 << 20;
  setsockopt(server->udp_fd_.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  int rcvbuf = 1 << 20;
  setsockopt(server->udp_fd_.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));

  EgressOptions egress_options;
  egress_options.max_slots = options.max_send_slots;
  egress_options.gso = options.settings.gso;
  server->egress_ = std::make_unique<UdpEgress>(ring, server->udp_fd_.get(), egress_options);
  server->receiver_ = std::make_unique<core::Receiver>(ring, buffers, server->udp_fd_.get(),
                                                       core::Receiver::Mode::kDatagram, *server);
  server->receiver_->Start();

  ASSIGN_OR_RETURN(
      server->http_,
      http::HttpServer::Start(ring, buffers, options.listen, "webrtc",
                              {.reuse_port = several,
                               .max_connections_per_ip = options.http_max_connections_per_ip,
                               .request_timeout_ns = options.http_request_timeout_ns,
                               .allow = options.http_allow}));
  server->RegisterRoutes();
  server->ApplySettings(options.settings);
  server->snapshot_.Start();
  if (server->worker_ == 0) {
    LOG_INFO(
        "webrtc: WHEP and player on %s (port %d), media on UDP port %d, candidates %s, "
        "DTLS fingerprint sha-256 %s%s",
        options.listen, server->http_->port(), server->udp_port_,
        absl::StrJoin(server->candidates_, ","), server->certificate_->fingerprint_sha256(),
        several ? core::StrCat(", on each of ", shared.workers, " workers") : "");
  }
  return server;
}

WebRtcServer::~WebRtcServer() {
  closing_ = true;  // sessions ending now are deleted right here, not by the reap timer
  std::vector<WebRtcSession*> live;
  for (auto& [id, session] : sessions_) live.push_back(session.get());
  for (WebRtcSession* session : live) session->End("ringcastd is shutting down");
  for (auto& [id, session] : sessions_) shared_.routes.RemoveSession(id, worker_);
  sessions_.clear();  // their last packets (RTCP BYE) are flushed as they go
  http_.reset();
  if (receiver_ != nullptr) {
    receiver_->Detach();
    ring_.Retire(std::move(receiver_));
  }
  egress_.reset();
}

void WebRtcServer::ApplySettings(const WebRtcSettings& settings) {
  settings_ = settings;
  candidates_ = settings.advertise.empty() ? HostCandidates(udp_address_) : settings.advertise;
  if (egress_ != nullptr) egress_->set_gso(settings.gso);
}

// --- the UDP port --------------------------------------------------------------------------

void WebRtcServer::OnReceive(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                             uint16_t bid) {
  Demux(bytes, from, from_len, /*forwarded=*/false);
  buffers_.Recycle(bid);
}

void WebRtcServer::OnForwardedDatagram(std::span<uint8_t> bytes, const SocketAddress& from) {
  ++forwarded_in_;
  Demux(bytes, from.get(), from.length, /*forwarded=*/true);
}

bool WebRtcServer::Forward(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                           int worker) {
  if (worker < 0 || worker == worker_) return false;
  ++forwarded_out_;
  // A copy, posted: the receive buffer goes back to the kernel when this returns.
  auto datagram = std::make_shared<std::vector<uint8_t>>(bytes.begin(), bytes.end());
  SocketAddress address;
  memcpy(&address.storage, from, std::min<size_t>(from_len, sizeof(address.storage)));
  address.length = from_len;
  shared_.run_on(worker, [datagram, address](WebRtcServer* server) {
    if (server != nullptr) server->OnForwardedDatagram(*datagram, address);
  });
  return true;
}

void WebRtcServer::OnReceiveEnd(int error) {
  LOG_ERROR("webrtc: UDP port %d stopped receiving: %s", udp_port_, strerror(-error));
}

// RFC 7983 §7 (updating RFC 5764 §5.1.2): the first byte tells STUN (0..3), DTLS (20..63) and
// RTP/RTCP (128..191) apart on the one port. STUN finds its session by our ufrag (the
// viewer's address may be new); everything else by the address ICE confirmed.
void WebRtcServer::Demux(std::span<uint8_t> bytes, const sockaddr* from, socklen_t from_len,
                         bool forwarded) {
  if (bytes.empty()) return;
  uint8_t first = bytes[0];
  const bool several = shared_.workers > 1 && !forwarded;
  if (first <= 3) {
    std::optional<std::string_view> ufrag = stun::LocalUfragFromRequest(bytes);
    auto it = ufrag ? by_ufrag_.find(std::string(*ufrag)) : by_ufrag_.end();
    if (it == by_ufrag_.end() && ufrag && several &&
        Forward(bytes, from, from_len, shared_.routes.WorkerForUfrag(*ufrag))) {
      return;
    }
    if (it == by_ufrag_.end() || it->second->ended()) {
      ++unrouted_;
      kUnroutedDrops.Count();
      LOG_RATE_LIMITED(log_limiter_, Debug, "webrtc: STUN from %s for no session (ufrag %s)",
                       FormatSocketAddress(from, from_len), ufrag ? *ufrag : "none");
      return;
    }
    SocketAddress address;
    memcpy(&address.storage, from, from_len);
    address.length = from_len;
    it->second->OnStun(bytes, address);
    return;
  }
  bool dtls = first >= 20 && first <= 63;
  bool rtp = first >= 128 && first <= 191;
  if (!dtls && !rtp) {
    kUnknownPacketDrops.Count();
    return;
  }
  AddressKey key;
  bool keyed = AddressKey::Of(from, from_len, key);
  auto it = keyed ? by_address_.find(key) : by_address_.end();
  if (it == by_address_.end() && keyed && several &&
      Forward(bytes, from, from_len, shared_.routes.WorkerForAddress(key))) {
    return;
  }
  if (it == by_address_.end() || it->second->ended()) {
    ++unrouted_;
    kUnroutedDrops.Count();
    return;
  }
  if (dtls) {
    it->second->OnDtls(bytes);
  } else {
    it->second->OnSrtcp(bytes);
  }
}

void WebRtcServer::OnSessionAddress(WebRtcSession& session, const SocketAddress& address) {
  AddressKey key;
  if (!AddressKey::Of(address.get(), address.length, key)) return;
  auto old = address_of_.find(&session);
  if (old != address_of_.end()) by_address_.erase(old->second);
  // Another session on the same address (a viewer that reconnected from the same port)
  // loses it: datagrams go to the newest.
  by_address_[key] = &session;
  address_of_[&session] = key;
  if (shared_.workers > 1) shared_.routes.SetAddress(session.id(), key, worker_);
}

void WebRtcServer::OnSessionReady(WebRtcSession&) {
  if (pending_ > 0) --pending_;
  TidyPendingOrder();
}

void WebRtcServer::TidyPendingOrder() {
  while (!pending_order_.empty()) {
    auto it = sessions_.find(pending_order_.front());
    if (it != sessions_.end() && !it->second->media_ready() && !it->second->ended()) return;
    pending_order_.pop_front();
  }
}

void WebRtcServer::OnSessionEnded(WebRtcSession& session) {
  if (closing_) return;
  if (!session.media_ready() && pending_ > 0) --pending_;
  ended_.push_back(session.id());
  if (!reap_timer_.armed()) reap_timer_.ArmAt(core::NowNs());
}

void WebRtcServer::ReapEndedSessions() {
  std::vector<std::string> ended;
  ended.swap(ended_);
  for (const std::string& id : ended) EraseSession(id);
  // Sessions that ended before they connected (the handshake timeout, a DELETE) leave their ids
  // in pending_order_; without this they would pile up until a session connects.
  TidyPendingOrder();
}

void WebRtcServer::EraseSession(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  WebRtcSession* session = it->second.get();
  auto ufrag = by_ufrag_.find(session->local_ufrag());
  if (ufrag != by_ufrag_.end() && ufrag->second == session) by_ufrag_.erase(ufrag);
  auto address = address_of_.find(session);
  if (address != address_of_.end()) {
    auto owner = by_address_.find(address->second);
    if (owner != by_address_.end() && owner->second == session) by_address_.erase(owner);
    address_of_.erase(address);
  }
  auto client = sessions_per_ip_.find(std::string(PeerHost(session->peer())));
  if (client != sessions_per_ip_.end() && --client->second <= 0) sessions_per_ip_.erase(client);
  const SessionStats& stats = session->stats();
  ended_totals_.packets_out += stats.packets_out;
  ended_totals_.bytes_out += stats.bytes_out;
  ended_totals_.nacks += stats.nacks;
  ended_totals_.retransmits += stats.retransmits;
  ended_totals_.nack_misses += stats.nack_misses;
  AddNackRefusals(ended_totals_, stats);
  ended_totals_.plis += stats.plis;
  ended_totals_.firs += stats.firs;
  ended_totals_.catch_up_packets += stats.catch_up_packets;
  if (std::optional<IngestStats> ingest = session->ingest_stats()) ended_ingest_totals_ += *ingest;
  shared_.routes.RemoveSession(id, worker_);
  sessions_.erase(it);
  CountSessions();
}

// --- figures -------------------------------------------------------------------------------

void WebRtcServer::TakeSnapshot(std::vector<core::StatSample>& out) const {
  auto add = [&](std::string name, double value, std::string metric, std::string help, bool counter,
                 std::vector<std::pair<std::string, std::string>> labels = {}) {
    out.push_back(counter ? core::Counter(std::move(name), value, std::move(metric),
                                          std::move(help), std::move(labels))
                          : core::Gauge(std::move(name), value, std::move(metric), std::move(help),
                                        std::move(labels)));
  };
  SessionStats totals = ended_totals_;
  IngestStats ingest_totals = ended_ingest_totals_;
  uint64_t publishers = 0;
  std::map<std::string, std::pair<uint64_t, SessionStats>> per_path;
  for (const auto& entry : sessions_) {  // clang 14 cannot capture structured bindings
    const WebRtcSession* session = entry.second.get();
    const SessionStats& s = session->stats();
    for (SessionStats* sum : {&totals, &per_path[session->path_name()].second}) {
      sum->packets_out += s.packets_out;
      sum->bytes_out += s.bytes_out;
      sum->nacks += s.nacks;
      sum->retransmits += s.retransmits;
      sum->nack_misses += s.nack_misses;
      AddNackRefusals(*sum, s);
      sum->plis += s.plis;
      sum->firs += s.firs;
    }
    if (std::optional<IngestStats> ingest = session->ingest_stats()) {
      ingest_totals += *ingest;
      if (!session->ended()) ++publishers;
      continue;  // a publisher: none of a viewer's figures
    }
    if (!session->ended()) ++per_path[session->path_name()].first;
    const std::string& id = entry.first;
    std::string prefix = core::StrCat("stats.webrtc.session.", id, ".");
    auto labels = [&] {
      return std::vector<std::pair<std::string, std::string>>{{"session", id},
                                                              {"path", session->path_name()}};
    };
    add(prefix + "packets_out", s.packets_out, "ringcast_webrtc_session_packets_out_total",
        "RTP packets sent to this viewer (retransmissions included)", true, labels());
    add(prefix + "bytes_out", s.bytes_out, "ringcast_webrtc_session_bytes_out_total",
        "SRTP bytes sent to this viewer", true, labels());
    add(prefix + "nacks", s.nacks, "ringcast_webrtc_session_nacks_total",
        "sequence numbers this viewer NACKed", true, labels());
    add(prefix + "retransmits", s.retransmits, "ringcast_webrtc_session_retransmits_total",
        "packets sent again from the History", true, labels());
    add(prefix + "retransmit_bytes", s.retransmit_bytes,
        "ringcast_webrtc_session_retransmit_bytes_total",
        "SRTP bytes of the retransmissions to this viewer", true, labels());
    add(prefix + "nack_too_old", s.nack_too_old, "ringcast_webrtc_session_nack_too_old_total",
        "NACKed packets older than webrtc.nack_history_ms, not resent", true, labels());
    add(prefix + "nack_repeats", s.nack_repeats, "ringcast_webrtc_session_nack_repeats_total",
        "NACKed packets already resent within the round trip, not resent again", true, labels());
    add(prefix + "nack_over_budget", s.nack_over_budget,
        "ringcast_webrtc_session_nack_over_budget_total",
        "NACKed packets not resent: webrtc.nack_budget_percent spent", true, labels());
    add(prefix + "nack_congested", s.nack_congested, "ringcast_webrtc_session_nack_congested_total",
        "NACKs not answered while the viewer's loss was past webrtc.nack_max_loss_percent", true,
        labels());
    add(prefix + "congested", s.congested ? 1 : 0, "ringcast_webrtc_session_congested",
        "1 while the viewer's reported loss is past webrtc.nack_max_loss_percent", false, labels());
    add(prefix + "plis", s.plis, "ringcast_webrtc_session_plis_total", "PLIs from this viewer",
        true, labels());
    add(prefix + "firs", s.firs, "ringcast_webrtc_session_firs_total", "FIRs from this viewer",
        true, labels());
    add(prefix + "rtt_ms", s.rtt_ms, "ringcast_webrtc_session_rtt_ms",
        "round-trip time from the last receiver report (-1: unknown)", false, labels());
    add(prefix + "fraction_lost", s.fraction_lost, "ringcast_webrtc_session_fraction_lost",
        "loss the last receiver report gave (0..1)", false, labels());
    add(prefix + "packets_lost", static_cast<double>(s.packets_lost),
        "ringcast_webrtc_session_packets_lost", "cumulative loss the viewer reports", false,
        labels());
    add(prefix + "jitter_ms", s.jitter_ms, "ringcast_webrtc_session_jitter_ms",
        "interarrival jitter the viewer reports", false, labels());
    std::vector<std::pair<std::string, std::string>> state = labels();
    state.push_back({"ice", std::string(session->ice_state())});
    state.push_back({"dtls", std::string(session->dtls_state())});
    state.push_back({"srtp", std::string(session->srtp_profile())});
    state.push_back({"peer", session->peer()});
    add(prefix + "info", 1, "ringcast_webrtc_session_info",
        "a session's ICE/DTLS state and SRTP profile as labels; always 1", false, std::move(state));
  }
  add("stats.webrtc.sessions", static_cast<double>(sessions_.size()), "ringcast_webrtc_sessions",
      "WebRTC sessions now", false);
  add("stats.webrtc.pending_sessions", static_cast<double>(pending_),
      "ringcast_webrtc_pending_sessions",
      "sessions still in ICE or DTLS (webrtc.max_pending_sessions)", false);
  add("stats.webrtc.sessions_total", static_cast<double>(sessions_total_),
      "ringcast_webrtc_sessions_total", "WebRTC sessions created", true);
  add("stats.webrtc.packets_out", static_cast<double>(totals.packets_out),
      "ringcast_webrtc_packets_out_total", "RTP packets sent to viewers", true);
  add("stats.webrtc.bytes_out", static_cast<double>(totals.bytes_out),
      "ringcast_webrtc_bytes_out_total", "SRTP bytes sent to viewers", true);
  add("stats.webrtc.nacks", static_cast<double>(totals.nacks), "ringcast_webrtc_nacks_total",
      "sequence numbers viewers NACKed", true);
  add("stats.webrtc.retransmits", static_cast<double>(totals.retransmits),
      "ringcast_webrtc_retransmits_total", "packets retransmitted from track histories", true);
  add("stats.webrtc.nack_misses", static_cast<double>(totals.nack_misses),
      "ringcast_webrtc_nack_misses_total", "NACKed packets no longer in the history", true);
  add("stats.webrtc.retransmit_bytes", static_cast<double>(totals.retransmit_bytes),
      "ringcast_webrtc_retransmit_bytes_total", "SRTP bytes of retransmissions", true);
  add("stats.webrtc.nack_refused",
      static_cast<double>(totals.nack_too_old + totals.nack_repeats + totals.nack_over_budget +
                          totals.nack_congested),
      "ringcast_webrtc_nack_refused_total",
      "NACKed packets not resent: too old, repeated within the RTT, over the viewer's budget, or "
      "the viewer congested (drops.webrtc_nack_* by reason)",
      true);
  add("stats.webrtc.plis", static_cast<double>(totals.plis), "ringcast_webrtc_plis_total",
      "picture loss indications from viewers", true);
  add("stats.webrtc.firs", static_cast<double>(totals.firs), "ringcast_webrtc_firs_total",
      "full intra requests from viewers", true);
  add("stats.webrtc.catch_up_packets", static_cast<double>(totals.catch_up_packets),
      "ringcast_webrtc_catch_up_packets_total", "packets sent by fast starts (ended sessions)",
      true);
  add("stats.webrtc.publishers", static_cast<double>(publishers), "ringcast_webrtc_publishers",
      "WHIP publishers now", false);
  add("stats.webrtc.publisher_packets", static_cast<double>(ingest_totals.packets),
      "ringcast_webrtc_publisher_packets_total",
      "RTP packets from WHIP publishers (retransmissions and probes included)", true);
  add("stats.webrtc.publisher_bytes", static_cast<double>(ingest_totals.bytes),
      "ringcast_webrtc_publisher_bytes_total", "RTP bytes from WHIP publishers", true);
  add("stats.webrtc.publisher_nacks", static_cast<double>(ingest_totals.nacks),
      "ringcast_webrtc_publisher_nacks_total",
      "sequence numbers WHIP publishers were asked for again", true);
  add("stats.webrtc.publisher_recovered", static_cast<double>(ingest_totals.recovered),
      "ringcast_webrtc_publisher_recovered_total",
      "packets missing from WHIP publishers that came after being asked for", true);
  add("stats.webrtc.publisher_given_up", static_cast<double>(ingest_totals.given_up),
      "ringcast_webrtc_publisher_given_up_total",
      "sequence numbers of WHIP publishers passed on without their packet", true);
  add("stats.webrtc.publisher_plis", static_cast<double>(ingest_totals.plis + ingest_totals.firs),
      "ringcast_webrtc_publisher_plis_total", "keyframe requests (PLI, FIR) sent to publishers",
      true);
  add("stats.webrtc.publisher_feedback", static_cast<double>(ingest_totals.feedback),
      "ringcast_webrtc_publisher_feedback_total",
      "transport-wide congestion control feedback messages sent to WHIP publishers", true);
  add("stats.webrtc.publisher_dropped",
      static_cast<double>(ingest_totals.unknown + ingest_totals.malformed),
      "ringcast_webrtc_publisher_dropped_total",
      "RTP packets from WHIP publishers that no track takes or that do not parse", true);
  const EgressStats& egress = egress_->stats();
  add("stats.webrtc.datagrams_out", static_cast<double>(egress.packets),
      "ringcast_webrtc_datagrams_out_total", "UDP datagrams the WebRTC port sent (all kinds)",
      true);
  add("stats.webrtc.sendmsgs", static_cast<double>(egress.sendmsgs),
      "ringcast_webrtc_sendmsgs_total", "sendmsg operations (one GSO train each)", true);
  add("stats.webrtc.send_errors", static_cast<double>(egress.errors),
      "ringcast_webrtc_send_errors_total", "datagrams the kernel refused", true);
  add("stats.webrtc.send_slots", static_cast<double>(egress_->slots_in_use()),
      "ringcast_webrtc_send_slots_in_use", "send slots queued or in flight", false);
  add("stats.webrtc.send_slot_bytes", static_cast<double>(egress_->slot_bytes()),
      "ringcast_webrtc_send_slot_bytes",
      "send slot memory reserved (resident only as far as slots have been used at once)", false);
  add("stats.webrtc.unrouted", static_cast<double>(unrouted_), "ringcast_webrtc_unrouted_total",
      "datagrams no session claimed", true);
  add("stats.webrtc.forwarded", static_cast<double>(forwarded_out_),
      "ringcast_webrtc_forwarded_total",
      "datagrams that reached another worker's socket and were passed to the session's worker",
      true);
  add("stats.webrtc.viewers_spread", static_cast<double>(viewers_spread_),
      "ringcast_webrtc_viewers_spread_total",
      "WHEP offers a path's worker sent on to another worker's replica", true);
  add("stats.webrtc.requests_forwarded", static_cast<double>(requests_forwarded_),
      "ringcast_webrtc_requests_forwarded_total",
      "HTTP requests answered by the worker that owns their path or session", true);
  for (const auto& [key_name, entry] : hub_.paths()) {
    const std::string& name = key_name;
    const auto& [count, sums] = per_path[name];
    std::vector<std::pair<std::string, std::string>> labels = {{"path", name}};
    add(core::StrCat("stats.path.", name, ".webrtc_sessions"), static_cast<double>(count),
        "ringcast_path_webrtc_sessions", "WebRTC viewers of the path now", false, labels);
    add(core::StrCat("stats.path.", name, ".webrtc_packets_out"),
        static_cast<double>(sums.packets_out), "ringcast_path_webrtc_packets_out",
        "RTP packets sent to the path's WebRTC viewers now connected", false, labels);
    add(core::StrCat("stats.path.", name, ".webrtc_retransmits"),
        static_cast<double>(sums.retransmits), "ringcast_path_webrtc_retransmits",
        "retransmissions to the path's WebRTC viewers now connected", false, labels);
    add(core::StrCat("stats.path.", name, ".webrtc_nacks"), static_cast<double>(sums.nacks),
        "ringcast_path_webrtc_nacks",
        "NACKed sequence numbers from the path's viewers now connected", false, labels);
  }
}

}  // namespace ringcast::net::webrtc
