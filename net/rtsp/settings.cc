#include "net/rtsp/settings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/settings_reader.h"

namespace ringcast::net::rtsp {

using core::Apply;
using core::TunableType;

void DefineRtspTunables(core::Registry& registry) {
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
  registry.Define({.name = "rtsp.max_connections_per_ip",
                   .type = TunableType::kInt,
                   .default_value = "256",
                   .min = 0,
                   .max = 100000,
                   .description = "RTSP connections one client address may hold, per worker (0: "
                                  "no limit)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.request_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "10000",
                   .min = 1000,
                   .max = 600000,
                   .description = "a request or interleaved frame begun must be complete within "
                                  "this, or the connection is closed (slow clients)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.allow",
                   .type = TunableType::kList,
                   .description = "networks RTSP clients may connect from, e.g. 10.0.0.0/8, "
                                  "2001:db8::/32 (empty: anywhere); others are closed at once",
                   .apply = Apply::kRestart,
                   .check_item = core::NetworkList::CheckItem});
  registry.Define({.name = "rtsp.max_tracks",
                   .type = TunableType::kInt,
                   .default_value = "8",
                   .min = 1,
                   .max = 64,
                   .description = "media sections an ANNOUNCE may publish (each is a track with "
                                  "its own history)",
                   .apply = Apply::kRestart});
  registry.Define({.name = "rtsp.read_timeout_ms",
                   .type = TunableType::kDuration,
                   .default_value = "10000",
                   .min = 1000,
                   .max = 3600000,
                   .description = "the session timeout players are told: they send keep-alives "
                                  "within it; a connection silent for it plus half again (at "
                                  "least 5 s more) is closed",
                   .apply = Apply::kRestart});
}

absl::StatusOr<RtspServerOptions> ReadRtspServerOptions(const core::Registry& registry) {
  core::SettingsReader read(registry);
  RtspServerOptions options;
  options.listen = read.String("rtsp.listen");
  std::vector<std::string> transports = read.List("rtsp.transports");
  options.udp = std::find(transports.begin(), transports.end(), "udp") != transports.end();
  options.rtp_port = static_cast<int>(read.Int("rtsp.rtp_port"));
  options.rtcp_port = static_cast<int>(read.Int("rtsp.rtcp_port"));
  options.auth.offer_basic = options.auth.offer_digest_md5 = options.auth.offer_digest_sha256 =
      false;
  for (const std::string& method : read.List("rtsp.auth_methods")) {
    if (method == "basic") options.auth.offer_basic = true;
    if (method == "digest") options.auth.offer_digest_md5 = true;
    if (method == "digest-sha256") options.auth.offer_digest_sha256 = true;
  }
  options.publish_any = read.Bool("rtsp.publish_any");
  options.session.max_connections_per_ip =
      static_cast<size_t>(read.Int("rtsp.max_connections_per_ip"));
  options.session.request_timeout_ns = read.DurationNs("rtsp.request_timeout_ms");
  options.session.max_tracks = static_cast<size_t>(read.Int("rtsp.max_tracks"));
  ASSIGN_OR_RETURN(options.session.allow, core::NetworkList::Parse(read.ListText("rtsp.allow")));
  options.session.session_timeout_s =
      std::max<int64_t>(1, read.DurationNs("rtsp.read_timeout_ms") / 1'000'000'000);
  RETURN_IF_ERROR(read.status());
  return options;
}

}  // namespace ringcast::net::rtsp
