// The command line of ringcast-loadgen (README.md in this folder is the reference): what to
// publish, what to watch, for how long, and where the JSON report goes. ParseOptions validates
// everything up front — counts and times against hard caps, URLs against the loopback-only rule —
// so a bad invocation fails before any socket is opened. Plain values; any thread.
#ifndef RINGCAST_TOOLS_LOADGEN_OPTIONS_H_
#define RINGCAST_TOOLS_LOADGEN_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ringcast::loadgen {

// Hard caps: the load generator is a bounded tool, not a weapon.
inline constexpr int kMaxPublishers = 256;
inline constexpr int kMaxViewers = 4000;
inline constexpr double kMaxDurationS = 3600;
inline constexpr int kMaxRampPerS = 1000;
inline constexpr int kMaxPendingRequests = 64;

enum class PublishTransport { kTcp, kUdp };

// --nack-attack: viewers that NACK on purpose, as a hostile or broken client would (the server's
// retransmission budget is tested with it).
enum class NackAttack { kNone, kAll, kRepeat };

struct Options {
  // Publishers.
  int publish = 0;  // RTSP publishers (--publish)
  std::string rtsp_url = "rtsp://127.0.0.1:8554/bench%d";
  PublishTransport transport = PublishTransport::kTcp;
  int stagger_ms = -1;      // -1: 1000 / publishers (spread over one GOP), at most 250
  std::string rtp_publish;  // --rtp-publish HOST:PORT_BASE (plain RTP/UDP instead of RTSP)
  int rtp_streams = 0;      // plain RTP streams (--rtp-streams; default --publish)
  std::string clip;         // --clip; default: the clip the build made
  int fps = 30;
  // Viewers.
  int view = 0;
  std::string whep_url = "http://127.0.0.1:8889/bench%d/whep";
  int paths = 0;  // viewer i reads path i % paths; default: publishers, or 1
  int verify_one_in = 1;
  int ramp_per_s = 50;
  int max_pending = 8;  // concurrent WHEP requests
  bool nack = true;
  int rr_interval_ms = 1000;
  int simulate_loss_one_in = 0;  // drop 1 in N received RTP packets (tests the NACK path)
  NackAttack nack_attack = NackAttack::kNone;  // --nack-attack
  int nack_attackers = 1;                      // --nack-attackers: viewers 0..K-1 attack
  double migrate_after_s = 0;  // > 0: every viewer with media moves to a new local port then
  // Janus streaming viewers instead of WHEP (--janus-url + --janus-mountpoints).
  std::string janus_url;
  std::vector<int> janus_mountpoints;
  // Run.
  double duration_s = 10;
  double warmup_s = 0;
  std::string json_path;
  bool allow_non_loopback = false;
  bool quiet = false;  // no progress lines on stderr
};

// Parses argv (without argv[0]). InvalidArgument names the flag and what is wrong; "--help"
// comes back as a Cancelled status whose message is the usage text.
absl::StatusOr<Options> ParseOptions(const std::vector<std::string_view>& args);

// The usage text (--help).
std::string Usage();

// `pattern` with its first "%d" replaced by `index` (no "%d": `pattern` unchanged).
std::string ExpandTemplate(std::string_view pattern, int index);

// A URL split into what the clients need: "http://127.0.0.1:8889/x/whep" → host 127.0.0.1,
// port 8889, target "/x/whep". Only http:// and rtsp:// with a numeric IPv4 host (the load
// generator resolves nothing).
struct SimpleUrl {
  std::string scheme;
  std::string host;
  uint16_t port = 0;
  std::string target;  // path and query, "/" when empty
};
absl::StatusOr<SimpleUrl> ParseSimpleUrl(std::string_view url);

// Whether `host` (a numeric IPv4 address) is in 127.0.0.0/8.
bool IsLoopbackHost(std::string_view host);

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_OPTIONS_H_
