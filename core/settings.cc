#include "core/settings.h"

namespace ringcast::core {

void DefineCoreTunables(Registry& registry) {
  registry.Define(
      {.name = "core.workers",
       .type = TunableType::kInt,
       .default_value = "0",
       .min = 0,
       .max = 256,
       .description = "worker threads, each with its own io_uring (0: one per online CPU)",
       .apply = Apply::kRestart});
  registry.Define({.name = "core.rx_buffers",
                   .type = TunableType::kInt,
                   .default_value = "1024",
                   .min = 16,
                   .max = 32768,
                   .description = "receive ring buffers per worker (rounded up to a power of two)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "core.rx_buffer_bytes",
                   .type = TunableType::kInt,
                   .default_value = "4096",
                   .min = 1536,
                   .max = 65536,
                   .description = "bytes per receive ring buffer",
                   .apply = Apply::kRestart});
  registry.Define({.name = "core.log_level",
                   .type = TunableType::kEnum,
                   .default_value = "info",
                   .choices = {"error", "warn", "info", "debug"},
                   .description = "least severe log lines written to stderr / the journal"});
  registry.Define({.name = "ctl.socket",
                   .type = TunableType::kString,
                   .default_value = "/run/ringcast/ctl.sock",
                   .description = "Unix socket ringcastctl talks to (mode 0660, group ringcast)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "metrics.listen",
                   .type = TunableType::kAddress,
                   .default_value = "127.0.0.1:9998",
                   .description = "HOST:PORT of the Prometheus /metrics endpoint",
                   .apply = Apply::kRestart});
}

void DefineRtspTunables(Registry& registry) {
  registry.Define({.name = "rtsp.listen",
                   .type = TunableType::kAddress,
                   .default_value = ":8554",
                   .description = "HOST:PORT of the RTSP server (publishers and readers)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.transports",
                   .type = TunableType::kList,
                   .default_value = "tcp,udp",
                   .choices = {"tcp", "udp"},
                   .description =
                       "RTP transports RTSP clients may choose (TCP interleaved is always "
                       "offered)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.rtp_port",
                   .type = TunableType::kInt,
                   .default_value = "8000",
                   .min = 0,
                   .max = 65535,
                   .description = "UDP port RTP over UDP uses (0: any free port)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.rtcp_port",
                   .type = TunableType::kInt,
                   .default_value = "8001",
                   .min = 0,
                   .max = 65535,
                   .description = "UDP port RTCP over UDP uses (0: any free port)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.auth_methods",
                   .type = TunableType::kList,
                   .default_value = "digest",
                   .choices = {"basic", "digest", "digest-sha256"},
                   .description = "authentication schemes offered for paths with credentials "
                                  "(basic sends passwords in clear text)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.publish_any",
                   .type = TunableType::kBool,
                   .default_value = "0",
                   .description = "let publishers push any path, not only configured ones"});
  registry.Define({.name = "rtsp.read_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "10000",
                   .min = 1000,
                   .max = 3600000,
                   .description = "an RTSP connection silent this long is closed (players get "
                                  "half of it as their keep-alive period)",
                   .apply = Apply::kRestart});
}

void DefinePathTunables(Registry& registry) {
  registry.DefinePathKey({.name = "source",
                          .type = TunableType::kString,
                          .default_value = "publisher",
                          .description =
                              "where the stream comes from: publisher (RTSP ANNOUNCE/RECORD) "
                              "or rtsp://[user:pass@]host[:port]/path to pull"});
  registry.DefinePathKey({.name = "source_transport",
                          .type = TunableType::kEnum,
                          .default_value = "tcp",
                          .choices = {"tcp", "udp", "auto"},
                          .description = "RTP transport when pulling from an rtsp:// source"});
  registry.DefinePathKey({.name = "on_demand",
                          .type = TunableType::kBool,
                          .default_value = "0",
                          .description = "pull the source only while someone watches"});
  registry.DefinePathKey(
      {.name = "on_demand_close_after_ms",
       .type = TunableType::kDuration,
       .default_value = "10000",
       .min = 1000,
       .max = 86400000,
       .description = "an on-demand source closes after this long without readers"});
  registry.DefinePathKey({.name = "read_user",
                          .type = TunableType::kString,
                          .description = "user name readers must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "read_pass",
                          .type = TunableType::kString,
                          .description = "password readers must give",
                          .secret = true});
  registry.DefinePathKey(
      {.name = "publish_user",
       .type = TunableType::kString,
       .description = "user name a publisher must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "publish_pass",
                          .type = TunableType::kString,
                          .description = "password a publisher must give",
                          .secret = true});
  registry.DefinePathKey({.name = "max_readers",
                          .type = TunableType::kInt,
                          .default_value = "0",
                          .min = 0,
                          .max = 1000000,
                          .description = "most simultaneous readers (0: no limit)"});
  registry.DefinePathKey(
      {.name = "override_publisher",
       .type = TunableType::kBool,
       .default_value = "0",
       .description = "a new publisher replaces the current one instead of being refused"});
}

void DefineWebrtcTunables(Registry& registry) {
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
                       "comma-separated addresses offered as ICE host candidates (empty: the "
                       "addresses of every up interface)"});
  registry.Define({.name = "webrtc.nack",
                   .type = TunableType::kBool,
                   .default_value = "1",
                   .description = "answer viewers' generic NACKs with retransmissions from the "
                                  "track history"});
  registry.Define({.name = "webrtc.nack_history_ms",
                   .type = TunableType::kDuration,
                   .default_value = "1000",
                   .min = 100,
                   .max = 10000,
                   .description = "how long each track keeps packets for retransmission (the "
                                  "run since the last keyframe is always kept)",
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
  registry.Define({.name = "webrtc.max_sessions",
                   .type = TunableType::kInt,
                   .default_value = "10000",
                   .min = 0,
                   .max = 1000000,
                   .description = "WebRTC sessions at most; WHEP answers 503 past it"});
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
                   .default_value = "boringssl",
                   .choices = {"boringssl", "libsrtp"},
                   .description = "SRTP implementation for new sessions (DESIGN.md: BoringSSL's "
                                  "AES-NI primitives, or libsrtp2 as the reference)"});
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

}  // namespace ringcast::core
