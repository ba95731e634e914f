// The load generator's results: what a run measured, as the text summary on stdout and the JSON
// document --json writes (schema in README.md; tools/bench reads it). Figures of the measured
// window (after --warmup) are deltas of the counters; the per-second series covers the whole run
// and marks which seconds were measured. Plain values; any thread.
#ifndef RINGCAST_TOOLS_LOADGEN_REPORT_H_
#define RINGCAST_TOOLS_LOADGEN_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/loadgen/options.h"
#include "tools/loadgen/viewer.h"

namespace ringcast::loadgen {

// a - b, field by field (counters of the measured window).
ViewerCounts Subtract(const ViewerCounts& a, const ViewerCounts& b);
// a + b, field by field.
void Accumulate(ViewerCounts& sum, const ViewerCounts& add);

struct PublisherResult {
  int index = 0;
  std::string target;  // URL or HOST:PORT
  std::string state;
  std::string error;
  uint64_t packets = 0;  // measured window
  uint64_t bytes = 0;
  uint64_t send_errors = 0;
};

struct ViewerResult {
  int index = 0;
  std::string path;
  std::string state;
  std::string error;
  ViewerCounts counts;  // measured window
  double first_keyframe_ms = -1;
};

struct SecondSample {
  double t_s = 0;  // seconds since the start, at the end of this second
  bool measured = false;
  ViewerCounts viewers;  // deltas over this second, summed over viewers
  uint64_t publisher_packets = 0;
  int viewers_media = 0;   // viewers receiving media at the end of the second
  double cpu_percent = 0;  // the load generator's own CPU, % of one core, this second
};

struct RunResult {
  Options options;
  std::string started_utc;  // ISO 8601
  double wall_s = 0;        // whole run
  double measured_s = 0;    // after the warm-up
  double cpu_user_s = 0;    // measured window
  double cpu_system_s = 0;
  long max_rss_kb = 0;
  bool interrupted = false;  // SIGINT/SIGTERM ended it early
  std::vector<PublisherResult> publishers;
  std::vector<ViewerResult> viewers;
  std::vector<SecondSample> seconds;
};

std::string FormatJson(const RunResult& run);
std::string FormatSummary(const RunResult& run);

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_REPORT_H_
