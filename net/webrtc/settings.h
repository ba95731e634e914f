// The WebRTC server's tunables (webrtc.*, and crypto.* which only it uses): defined here, next to
// the code that uses them, and read in one place into the options fixed at start and the
// settings that apply live. Plain values, no crypto library: the daemon reads them whatever
// library it was built with. Control thread (the registry's).
#ifndef RINGCAST_NET_WEBRTC_SETTINGS_H_
#define RINGCAST_NET_WEBRTC_SETTINGS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/networks.h"
#include "core/status.h"
#include "core/tunables.h"
#include "crypto/srtp_profile.h"

namespace ringcast::net::webrtc {

// What a session does; new values reach running sessions too.
struct SessionSettings {
  bool nack = true;                        // webrtc.nack
  uint32_t nack_budget_percent = 25;       // webrtc.nack_budget_percent
  int64_t nack_window_ns = 1'000'000'000;  // webrtc.nack_history_ms: older packets are not resent
  uint32_t nack_max_loss_percent = 25;     // webrtc.nack_max_loss_percent (0: never give up)
  int64_t sr_interval_ns = 1'000'000'000;  // webrtc.rtcp_sr_interval_ms
  bool fast_start = true;                  // webrtc.fast_start
  int64_t timeout_ns = 30'000'000'000;     // webrtc.session_timeout_ms
  int64_t handshake_timeout_ns = 5'000'000'000;  // webrtc.handshake_timeout_ms
  crypto::SrtpEngineKind srtp_engine = crypto::SrtpEngineKind::kBuiltin;  // crypto.srtp_engine
  // WHIP publishers (new sessions take the new values).
  bool whip_nack = true;                    // webrtc.whip_nack
  bool whip_transport_cc = true;            // webrtc.whip_transport_cc
  int64_t whip_max_delay_ns = 200'000'000;  // webrtc.whip_max_delay_ms
};

// The settings that apply live (to new sessions, and where it makes sense to running ones).
struct WebRtcSettings {
  SessionSettings session;
  bool gso = true;                     // webrtc.gso
  int64_t max_sessions = 10000;        // webrtc.max_sessions (sessions with media)
  int64_t max_pending_sessions = 256;  // webrtc.max_pending_sessions (before ICE + DTLS)
  int64_t max_sessions_per_ip = 100;   // webrtc.max_sessions_per_ip (0: no limit)
  int64_t viewers_per_worker = 1000;   // webrtc.viewers_per_worker (0: never spread)
  std::string allow_origin = "*";      // webrtc.allow_origin
  std::vector<std::string> advertise;  // webrtc.advertise; empty: the up interfaces' addresses
};

// Fixed at start.
struct WebRtcServerOptions {
  std::string listen = ":8889";   // webrtc.listen
  int udp_port = 8189;            // webrtc.udp_port
  std::string udp_host;           // the webrtc.listen host ("1.2.3.4", "[::1]"); empty: all
  size_t max_send_slots = 65536;  // webrtc.send_slots
  std::vector<crypto::SrtpProfile> srtp_profiles = {crypto::SrtpProfile::kAeadAes128Gcm,
                                                    crypto::SrtpProfile::kAes128CmSha1_80};
  size_t http_max_connections_per_ip = 128;         // webrtc.max_connections_per_ip
  int64_t http_request_timeout_ns = 5'000'000'000;  // webrtc.request_timeout_ms
  core::NetworkList http_allow;                     // webrtc.allow
  std::string cert_file;                            // crypto.cert_file
  std::string key_file;                             // crypto.key_file
  // webrtc.nack_history_ms: how long every track keeps packets (the path hub's History).
  int64_t nack_history_ns = 1'000'000'000;
  size_t history_max_bytes = 8 << 20;           // webrtc.history_max_kb
  int64_t history_max_age_ns = 10'000'000'000;  // webrtc.history_max_ms
  WebRtcSettings settings;
};

// Defines webrtc.* and crypto.*.
void DefineWebrtcTunables(core::Registry& registry);
absl::StatusOr<WebRtcSettings> ReadWebRtcSettings(const core::Registry& registry);
absl::StatusOr<WebRtcServerOptions> ReadWebRtcServerOptions(const core::Registry& registry);

}  // namespace ringcast::net::webrtc

#endif  // RINGCAST_NET_WEBRTC_SETTINGS_H_
