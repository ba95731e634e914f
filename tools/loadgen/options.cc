#include "tools/loadgen/options.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/strings.h"

namespace ringcast::loadgen {
namespace {

using core::StrCat;

absl::Status Bad(std::string_view flag, std::string_view why) {
  return absl::InvalidArgumentError(StrCat(flag, ": ", why, " (see --help)"));
}

absl::StatusOr<int> ParseInt(std::string_view flag, std::string_view value, int min, int max) {
  int out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return Bad(flag, StrCat("\"", value, "\" is not an integer"));
  }
  if (out < min || out > max) return Bad(flag, StrCat(out, " is out of range ", min, "..", max));
  return out;
}

absl::StatusOr<double> ParseSeconds(std::string_view flag, std::string_view value, double max) {
  const std::string text(value);
  char* end = nullptr;
  const double out = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(out)) {
    return Bad(flag, StrCat("\"", value, "\" is not a number of seconds"));
  }
  if (out < 0 || out > max) {
    return Bad(flag, StrCat("\"", value, "\" is out of range 0..", static_cast<int>(max)));
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseIntList(std::string_view flag, std::string_view value) {
  std::vector<int> out;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    ASSIGN_OR_RETURN(const int n, ParseInt(flag, value.substr(0, comma), 1, 1 << 30));
    out.push_back(n);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  if (out.empty()) return Bad(flag, "needs a comma-separated list of ids");
  return out;
}

absl::Status CheckUrl(const Options& o, std::string_view flag, std::string_view pattern,
                      std::string_view scheme) {
  ASSIGN_OR_RETURN(const SimpleUrl url, ParseSimpleUrl(ExpandTemplate(pattern, 0)));
  if (url.scheme != scheme) return Bad(flag, StrCat("needs a ", scheme, ":// URL"));
  if (!o.allow_non_loopback && !IsLoopbackHost(url.host)) {
    return Bad(flag, StrCat(url.host, " is not a loopback address (--allow-non-loopback)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string Usage() {
  return R"(usage: ringcast-loadgen [options]

Publishers (RTSP ANNOUNCE/RECORD, or plain RTP/UDP), replaying the build's 720p30 clip:
  --publish N              RTSP publishers (0..256)
  --rtsp-url TEMPLATE      default rtsp://127.0.0.1:8554/bench%d (%d: publisher index from 0)
  --transport tcp|udp      RTSP media transport (default tcp: interleaved)
  --stagger-ms MS          start publisher i at i*MS (default 1000/N, at most 250)
  --rtp-publish HOST:PORT  plain RTP/UDP instead of RTSP: stream i to PORT+2i (Janus mountpoints)
  --rtp-streams N          plain RTP streams (default: --publish)
  --clip FILE              Annex B H.264 clip (default: the one the build encoded)
  --fps N                  access units per second of the clip (default 30)
WHEP viewers (real ICE, DTLS client, SRTP, RTCP RR + NACK):
  --view M                 viewers (0..4000); viewer i watches path i % P
  --whep-url TEMPLATE      default http://127.0.0.1:8889/bench%d/whep
  --paths P                paths the viewers spread over (default: --publish, or 1)
  --verify-one-in K        decrypt and verify 1 packet in K, count the rest by sequence (default 1)
  --ramp-per-s R           sessions opened per second (default 50)
  --max-pending N          concurrent WHEP requests (default 8)
  --no-nack                never send NACKs (gaps are only counted)
  --rr-interval-ms MS      receiver report interval (default 1000)
  --simulate-loss-one-in N drop 1 in N received RTP packets on purpose (exercises NACK recovery)
  --nack-attack all|repeat the first --nack-attackers viewers (default 1) NACK, every 10 ms, the
                           last 1000 sequence numbers (all) or the same 17 again (repeat)
  --nack-attackers K       how many viewers --nack-attack applies to
  --migrate-after S        S seconds after the start, every viewer with media moves to a new
                           local port (a new address) and nominates it with a binding request
Janus streaming viewers instead of WHEP (Janus offers; ICE as the controlled side, DTLS client):
  --janus-url URL          Janus HTTP API, e.g. http://10.99.0.1:8088/janus
  --janus-mountpoints IDS  comma-separated mountpoint ids; viewer i watches IDS[i % count]
Run:
  --duration S             measured seconds after the warm-up (default 10, at most 3600)
  --warmup S               seconds before figures count (default 0)
  --json FILE              write the report as JSON (schema in README.md)
  --allow-non-loopback     permit non-127/8 targets (e.g. a veth pair in a network namespace)
  --quiet                  no progress lines on stderr
)";
}

std::string ExpandTemplate(std::string_view pattern, int index) {
  const size_t at = pattern.find("%d");
  if (at == std::string_view::npos) return std::string(pattern);
  return StrCat(pattern.substr(0, at), index, pattern.substr(at + 2));
}

bool IsLoopbackHost(std::string_view host) {
  in_addr addr{};
  const std::string text(host);
  if (::inet_pton(AF_INET, text.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

absl::StatusOr<SimpleUrl> ParseSimpleUrl(std::string_view url) {
  SimpleUrl out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("URL \"", url, "\": no scheme"));
  }
  out.scheme = std::string(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos) {
    if (out.scheme == "http")
      out.port = 80;
    else if (out.scheme == "rtsp")
      out.port = 554;
    out.host = std::string(authority);
  } else {
    out.host = std::string(authority.substr(0, colon));
    absl::StatusOr<int> port = ParseInt("port", authority.substr(colon + 1), 1, 65535);
    if (!port.ok()) return absl::InvalidArgumentError(StrCat("URL \"", url, "\": bad port"));
    out.port = static_cast<uint16_t>(*port);
  }
  in_addr addr{};
  if (::inet_pton(AF_INET, out.host.c_str(), &addr) != 1) {
    return absl::InvalidArgumentError(
        StrCat("URL \"", url, "\": host must be a numeric IPv4 address"));
  }
  if (out.port == 0) return absl::InvalidArgumentError(StrCat("URL \"", url, "\": no port"));
  return out;
}

absl::StatusOr<Options> ParseOptions(const std::vector<std::string_view>& args) {
  Options o;
  bool stagger_set = false;
  bool rtp_streams_set = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") return absl::CancelledError(Usage());
    // Flags without a value.
    if (flag == "--no-nack") {
      o.nack = false;
      continue;
    }
    if (flag == "--allow-non-loopback") {
      o.allow_non_loopback = true;
      continue;
    }
    if (flag == "--quiet") {
      o.quiet = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      return absl::InvalidArgumentError(
          StrCat(flag, ": unknown flag or missing value (see --help)"));
    }
    const std::string_view value = args[++i];
    if (flag == "--publish") {
      ASSIGN_OR_RETURN(o.publish, ParseInt(flag, value, 0, kMaxPublishers));
    } else if (flag == "--rtsp-url") {
      o.rtsp_url = std::string(value);
    } else if (flag == "--transport") {
      if (value == "tcp")
        o.transport = PublishTransport::kTcp;
      else if (value == "udp")
        o.transport = PublishTransport::kUdp;
      else
        return Bad(flag, "must be tcp or udp");
    } else if (flag == "--stagger-ms") {
      ASSIGN_OR_RETURN(o.stagger_ms, ParseInt(flag, value, 0, 60000));
      stagger_set = true;
    } else if (flag == "--rtp-publish") {
      o.rtp_publish = std::string(value);
    } else if (flag == "--rtp-streams") {
      ASSIGN_OR_RETURN(o.rtp_streams, ParseInt(flag, value, 0, kMaxPublishers));
      rtp_streams_set = true;
    } else if (flag == "--clip") {
      o.clip = std::string(value);
    } else if (flag == "--fps") {
      ASSIGN_OR_RETURN(o.fps, ParseInt(flag, value, 1, 240));
    } else if (flag == "--view") {
      ASSIGN_OR_RETURN(o.view, ParseInt(flag, value, 0, kMaxViewers));
    } else if (flag == "--whep-url") {
      o.whep_url = std::string(value);
    } else if (flag == "--paths") {
      ASSIGN_OR_RETURN(o.paths, ParseInt(flag, value, 1, 100000));
    } else if (flag == "--verify-one-in") {
      ASSIGN_OR_RETURN(o.verify_one_in, ParseInt(flag, value, 1, 1000000));
    } else if (flag == "--ramp-per-s") {
      ASSIGN_OR_RETURN(o.ramp_per_s, ParseInt(flag, value, 1, kMaxRampPerS));
    } else if (flag == "--max-pending") {
      ASSIGN_OR_RETURN(o.max_pending, ParseInt(flag, value, 1, kMaxPendingRequests));
    } else if (flag == "--rr-interval-ms") {
      ASSIGN_OR_RETURN(o.rr_interval_ms, ParseInt(flag, value, 100, 60000));
    } else if (flag == "--migrate-after") {
      ASSIGN_OR_RETURN(o.migrate_after_s, ParseSeconds(flag, value, 3600));
    } else if (flag == "--simulate-loss-one-in") {
      ASSIGN_OR_RETURN(o.simulate_loss_one_in, ParseInt(flag, value, 2, 1000000));
    } else if (flag == "--nack-attack") {
      if (value == "all") {
        o.nack_attack = NackAttack::kAll;
      } else if (value == "repeat") {
        o.nack_attack = NackAttack::kRepeat;
      } else {
        return absl::InvalidArgumentError(StrCat(flag, ": all or repeat, not ", value));
      }
    } else if (flag == "--nack-attackers") {
      ASSIGN_OR_RETURN(o.nack_attackers, ParseInt(flag, value, 1, kMaxViewers));
    } else if (flag == "--janus-url") {
      o.janus_url = std::string(value);
    } else if (flag == "--janus-mountpoints") {
      ASSIGN_OR_RETURN(o.janus_mountpoints, ParseIntList(flag, value));
    } else if (flag == "--duration") {
      ASSIGN_OR_RETURN(o.duration_s, ParseSeconds(flag, value, kMaxDurationS));
    } else if (flag == "--warmup") {
      ASSIGN_OR_RETURN(o.warmup_s, ParseSeconds(flag, value, kMaxDurationS));
    } else if (flag == "--json") {
      o.json_path = std::string(value);
    } else {
      return absl::InvalidArgumentError(StrCat(flag, ": unknown flag (see --help)"));
    }
  }

  const bool janus = !o.janus_url.empty() || !o.janus_mountpoints.empty();
  if (janus) {
    if (o.janus_url.empty() || o.janus_mountpoints.empty()) {
      return Bad("--janus-url", "goes with --janus-mountpoints (and the reverse)");
    }
    if (o.view == 0) return Bad("--janus-url", "needs --view M");
    RETURN_IF_ERROR(CheckUrl(o, "--janus-url", o.janus_url, "http"));
    o.paths = static_cast<int>(o.janus_mountpoints.size());
  }
  if (o.duration_s <= 0) return Bad("--duration", "must be more than 0");
  if (!o.rtp_publish.empty()) {
    if (!rtp_streams_set) o.rtp_streams = o.publish;
    if (o.rtp_streams == 0) return Bad("--rtp-publish", "needs --rtp-streams N or --publish N");
    o.publish = 0;  // plain RTP replaces RTSP publishing
    const size_t colon = o.rtp_publish.rfind(':');
    if (colon == std::string::npos) return Bad("--rtp-publish", "needs HOST:PORT_BASE");
    ASSIGN_OR_RETURN(
        const int base,
        ParseInt("--rtp-publish", std::string_view(o.rtp_publish).substr(colon + 1), 1, 65535));
    if (base + 2 * o.rtp_streams > 65535) return Bad("--rtp-publish", "ports run past 65535");
    const std::string host = o.rtp_publish.substr(0, colon);
    if (!o.allow_non_loopback && !IsLoopbackHost(host)) {
      return Bad("--rtp-publish", StrCat(host, " is not a loopback address"));
    }
  } else if (rtp_streams_set) {
    return Bad("--rtp-streams", "goes with --rtp-publish");
  }
  const int publishers = o.publish + o.rtp_streams;
  if (publishers == 0 && o.view == 0) {
    return absl::InvalidArgumentError("nothing to do: give --publish, --rtp-publish or --view");
  }
  if (o.publish > 0) RETURN_IF_ERROR(CheckUrl(o, "--rtsp-url", o.rtsp_url, "rtsp"));
  if (o.view > 0 && !janus) RETURN_IF_ERROR(CheckUrl(o, "--whep-url", o.whep_url, "http"));
  if (o.paths == 0) o.paths = publishers > 0 ? publishers : 1;
  if (!stagger_set) o.stagger_ms = publishers > 0 ? std::min(250, 1000 / publishers) : 0;
  return o;
}

}  // namespace ringcast::loadgen
