#include "net/webrtc/settings.h"

#include "core/settings_reader.h"

namespace ringcast::net::webrtc {

using core::Apply;
using core::TunableType;

void DefineWebrtcTunables(core::Registry& registry) {
  registry.Define({.name = "webrtc.listen",
                   .type = TunableType::kAddress,
                   .default_value = ":8889",
                   .description = "HOST:PORT of the WHEP endpoints, the player pages and /api",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.udp_port",
                   .type = TunableType::kInt,
                   .default_value = "8189",
                   .min = 0,
                   .max = 65535,
                   .description = "the one UDP port every WebRTC session uses (ICE, DTLS, SRTP)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.advertise",
                   .type = TunableType::kString,
                   .default_value = "",
                   .description =
                       "comma-separated IPv4 and IPv6 addresses offered as ICE host candidates "
                       "(empty: the webrtc.listen host if it names one, else every up "
                       "interface's IPv4 addresses, and its IPv6 ones except link-local when "
                       "the UDP port is dual-stack)"});
  registry.Define({.name = "webrtc.nack",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "answer viewers' generic NACKs with retransmissions from the "
                                  "track history"});
  registry.Define({.name = "webrtc.nack_budget_percent",
                   .type = TunableType::kInt,
                   .default_value = "25",
                   .min = 1,
                   .max = 1000,
                   .description = "retransmitted bytes each viewer may get, as a percentage of "
                                  "the fresh bytes it is sent (a burst of up to 2 s of it, at "
                                  "least 64 KiB); NACKs past it are counted and not answered"});
  registry.Define({.name = "webrtc.nack_max_loss_percent",
                   .type = TunableType::kInt,
                   .default_value = "25",
                   .min = 0,
                   .max = 100,
                   .description = "a viewer whose receiver reports give at least this loss three "
                                  "times in a row is congested: its NACKs go unanswered and the "
                                  "source is asked for a keyframe instead, until its loss drops "
                                  "(0: always retransmit)"});
  registry.Define({.name = "webrtc.nack_history_ms",
                   .type = TunableType::kDuration,
                   .default_value = "1000",
                   .min = 100,
                   .max = 10000,
                   .description = "how long each track keeps packets for retransmission (the "
                                  "run since the last keyframe is always kept); NACKs for older "
                                  "packets are not answered",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.history_max_kb",
                   .type = TunableType::kInt,
                   .default_value = "8192",
                   .min = 256,
                   .max = 1048576,
                   .description = "most bytes one track's history may hold; past it the oldest "
                                  "packets go, even since the last keyframe (new viewers then "
                                  "wait for the next one)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.history_max_ms",
                   .type = TunableType::kDuration,
                   .default_value = "10000",
                   .min = 1000,
                   .max = 600000,
                   .description = "the run since the last keyframe is kept only while that "
                                  "keyframe is younger than this (a source that stops sending "
                                  "keyframes cannot pin its whole stream)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.rtcp_sr_interval_ms",
                   .type = TunableType::kDuration,
                   .default_value = "1000",
                   .min = 100,
                   .max = 60000,
                   .description = "interval between RTCP sender reports to each viewer"});
  registry.Define({.name = "webrtc.fast_start",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "new viewers get the frames since the last keyframe at once, "
                                  "retimed to catch up with live (0: wait for the next keyframe)"});
  registry.Define({.name = "webrtc.srtp_profiles",
                   .type = TunableType::kList,
                   .default_value = "aead_aes_128_gcm,aes_cm_128_hmac_sha1_80",
                   .choices = {"aead_aes_128_gcm", "aes_cm_128_hmac_sha1_80"},
                   .description = "SRTP profiles offered in the DTLS handshake, preferred first",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.whip_nack",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "ask WHIP publishers again (generic NACK) for packets lost on "
                                  "the way, holding what follows a gap until the retransmission "
                                  "arrives or webrtc.whip_max_delay_ms passes (new sessions)"});
  registry.Define({.name = "webrtc.whip_max_delay_ms",
                   .type = TunableType::kDuration,
                   .default_value = "200",
                   .min = 20,
                   .max = 2000,
                   .description = "how long a WHIP publisher's packets after a gap wait for the "
                                  "lost one to be resent before they are passed on without it"});
  registry.Define({.name = "webrtc.whip_transport_cc",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "negotiate transport-wide congestion control with WHIP "
                                  "publishers and send them its feedback, so a browser's send "
                                  "rate ramps up to its target (new sessions)"});
  registry.Define({.name = "webrtc.gso",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "send each viewer's runs of equal-size packets as one "
                                  "UDP_SEGMENT (GSO) sendmsg"});
  registry.Define({.name = "webrtc.session_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "30000",
                   .min = 1000,
                   .max = 600000,
                   .description = "a session ends after this long without a valid STUN binding "
                                  "request (ICE consent, RFC 7675)"});
  registry.Define({.name = "webrtc.handshake_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "5000",
                   .min = 1000,
                   .max = 60000,
                   .description = "a session whose ICE and DTLS are not done this long after its "
                                  "WHEP POST ends"});
  registry.Define({.name = "webrtc.max_sessions",
                   .type = TunableType::kInt,
                   .default_value = "10000",
                   .min = 0,
                   .max = 1000000,
                   .description = "WebRTC sessions with media (ICE and DTLS done) at most, per "
                                  "worker; WHEP answers 503 past it"});
  registry.Define({.name = "webrtc.max_pending_sessions",
                   .type = TunableType::kInt,
                   .default_value = "256",
                   .min = 1,
                   .max = 100000,
                   .description = "sessions still in ICE or DTLS at most, per worker; a new WHEP "
                                  "POST past it ends the oldest of them"});
  registry.Define({.name = "webrtc.max_sessions_per_ip",
                   .type = TunableType::kInt,
                   .default_value = "100",
                   .min = 0,
                   .max = 1000000,
                   .description = "sessions one client address may hold, per worker; WHEP answers "
                                  "429 past it (0: no limit)"});
  registry.Define({.name = "webrtc.viewers_per_worker",
                   .type = TunableType::kInt,
                   .default_value = "1000",
                   .min = 0,
                   .max = 1000000,
                   .description = "viewers of one path its own worker serves before new ones go to "
                                  "the least busy other worker, which serves them from a replica "
                                  "(0: all on the path's worker)"});
  registry.Define({.name = "webrtc.max_connections_per_ip",
                   .type = TunableType::kInt,
                   .default_value = "128",
                   .min = 0,
                   .max = 100000,
                   .description = "HTTP connections (WHEP, pages, /api) one client address may "
                                  "hold, per worker (0: no limit)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.allow",
                   .type = TunableType::kList,
                   .description = "networks HTTP clients (WHEP, pages, /api/paths) may connect "
                                  "from (empty: anywhere); others are closed at once",
                   .apply = Apply::kRestart,
                   .check_item = core::NetworkList::CheckItem});
  registry.Define({.name = "webrtc.request_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "5000",
                   .min = 500,
                   .max = 600000,
                   .description = "an HTTP request begun (head and body) must be complete within "
                                  "this, or its connection is closed (slow clients)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "webrtc.allow_origin",
                   .type = TunableType::kString,
                   .default_value = "*",
                   .description = "Access-Control-Allow-Origin for WHEP and /api (CORS)"});
  registry.Define({.name = "webrtc.send_slots",
                   .type = TunableType::kInt,
                   .default_value = "65536",
                   .min = 1024,
                   .max = 1048576,
                   .description = "most 1536-byte send slots the WebRTC port may use (allocated "
                                  "1024 at a time, as needed)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "crypto.srtp_engine",
                   .type = TunableType::kEnum,
                   .default_value = "builtin",
                   .choices = {"builtin", "libsrtp", "boringssl"},
                   .description = "SRTP implementation for new sessions: builtin (the TLS "
                                  "library's AES-NI primitives, BoringSSL's or OpenSSL's), or "
                                  "libsrtp2 as the reference; boringssl is builtin's old name"});
  registry.Define({.name = "crypto.cert_file",
                   .type = TunableType::kString,
                   .default_value = "",
                   .description = "PEM certificate for DTLS (empty: an ECDSA P-256 certificate "
                                  "generated at start)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "crypto.key_file",
                   .type = TunableType::kString,
                   .default_value = "",
                   .description = "PEM private key of crypto.cert_file",
                   .apply = Apply::kRestart});
}

absl::StatusOr<WebRtcSettings> ReadWebRtcSettings(const core::Registry& registry) {
  core::SettingsReader read(registry);
  WebRtcSettings settings;
  settings.session.nack = read.Bool("webrtc.nack");
  settings.session.nack_budget_percent =
      static_cast<uint32_t>(read.Int("webrtc.nack_budget_percent"));
  settings.session.nack_window_ns = read.DurationNs("webrtc.nack_history_ms");
  settings.session.nack_max_loss_percent =
      static_cast<uint32_t>(read.Int("webrtc.nack_max_loss_percent"));
  settings.session.sr_interval_ns = read.DurationNs("webrtc.rtcp_sr_interval_ms");
  settings.session.fast_start = read.Bool("webrtc.fast_start");
  settings.session.timeout_ns = read.DurationNs("webrtc.session_timeout_ms");
  settings.session.srtp_engine = read.String("crypto.srtp_engine") == "libsrtp"
                                     ? crypto::SrtpEngineKind::kLibsrtp
                                     : crypto::SrtpEngineKind::kBuiltin;
  settings.session.whip_nack = read.Bool("webrtc.whip_nack");
  settings.session.whip_max_delay_ns = read.DurationNs("webrtc.whip_max_delay_ms");
  settings.session.whip_transport_cc = read.Bool("webrtc.whip_transport_cc");
  settings.gso = read.Bool("webrtc.gso");
  settings.session.handshake_timeout_ns = read.DurationNs("webrtc.handshake_timeout_ms");
  settings.max_sessions = read.Int("webrtc.max_sessions");
  settings.max_pending_sessions = read.Int("webrtc.max_pending_sessions");
  settings.max_sessions_per_ip = read.Int("webrtc.max_sessions_per_ip");
  settings.viewers_per_worker = read.Int("webrtc.viewers_per_worker");
  settings.allow_origin = read.String("webrtc.allow_origin");
  settings.advertise = read.CommaSeparated("webrtc.advertise");
  for (std::string& address : settings.advertise) {  // "[2001:db8::1]": a candidate has no brackets
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
      address = address.substr(1, address.size() - 2);
    }
  }
  RETURN_IF_ERROR(read.status());
  return settings;
}

absl::StatusOr<WebRtcServerOptions> ReadWebRtcServerOptions(const core::Registry& registry) {
  core::SettingsReader read(registry);
  WebRtcServerOptions options;
  options.listen = read.String("webrtc.listen");
  options.udp_port = static_cast<int>(read.Int("webrtc.udp_port"));
  // The UDP port binds the webrtc.listen host (IPv4, or [IPv6]); with none (":8889") it is
  // dual-stack like the HTTP listener.
  options.udp_host = options.listen.substr(0, options.listen.rfind(':'));
  options.max_send_slots = static_cast<size_t>(read.Int("webrtc.send_slots"));
  options.srtp_profiles.clear();
  for (const std::string& item : read.List("webrtc.srtp_profiles")) {
    if (item == "aead_aes_128_gcm")
      options.srtp_profiles.push_back(crypto::SrtpProfile::kAeadAes128Gcm);
    if (item == "aes_cm_128_hmac_sha1_80") {
      options.srtp_profiles.push_back(crypto::SrtpProfile::kAes128CmSha1_80);
    }
  }
  options.cert_file = read.String("crypto.cert_file");
  options.key_file = read.String("crypto.key_file");
  options.nack_history_ns = read.DurationNs("webrtc.nack_history_ms");
  options.history_max_bytes = static_cast<size_t>(read.Int("webrtc.history_max_kb")) << 10;
  options.history_max_age_ns = read.DurationNs("webrtc.history_max_ms");
  options.http_max_connections_per_ip =
      static_cast<size_t>(read.Int("webrtc.max_connections_per_ip"));
  options.http_request_timeout_ns = read.DurationNs("webrtc.request_timeout_ms");
  ASSIGN_OR_RETURN(options.http_allow, core::NetworkList::Parse(read.ListText("webrtc.allow")));
  RETURN_IF_ERROR(read.status());
  if (options.srtp_profiles.empty()) {
    return absl::InvalidArgumentError("webrtc.srtp_profiles: name at least one profile");
  }
  ASSIGN_OR_RETURN(options.settings, ReadWebRtcSettings(registry));
  return options;
}

}  // namespace ringcast::net::webrtc
