// Loadgen: one run of the load generator — the ring, the publishers and viewers, the schedule
// (staggered publisher starts, the viewer ramp with a bound on WHEP requests in flight, warm-up,
// the end) and the sampling that fills the RunResult.
//
// Everything runs on the calling thread's one io_uring (core::Ring) with its one BufferRing; the
// periodic work is a handful of core::Timers shared by all sessions (NACK scan every 20 ms,
// receiver reports, the per-second sample), not a timer per viewer per job. SIGINT/SIGTERM end
// the run early with the figures so far. Single-threaded.
#ifndef RINGCAST_TOOLS_LOADGEN_LOADGEN_H_
#define RINGCAST_TOOLS_LOADGEN_LOADGEN_H_

#include <sys/resource.h>

#include <deque>
#include <memory>
#include <vector>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/signals.h"
#include "core/status.h"
#include "crypto/dtls.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/publisher.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/viewer.h"

namespace ringcast::loadgen {

class Loadgen {
 public:
  // Sets up the ring, the DTLS certificate and checks the clip; nothing is connected yet.
  static absl::StatusOr<std::unique_ptr<Loadgen>> Create(const Options& options);
  ~Loadgen();

  // Runs the whole schedule and returns what it measured.
  RunResult Run();

 private:
  explicit Loadgen(const Options& options) : options_(options) {}
  absl::Status Init();
  void StartNextPublisher();
  void OnRampTick();
  void StartViewer(size_t i);
  void OnSecond();
  void OnWarmupEnd();
  void Finish(bool interrupted);
  double CpuSeconds() const;

  Options options_;
  std::string clip_;
  std::unique_ptr<core::Ring> ring_;
  std::unique_ptr<core::BufferRing> buffers_;
  std::unique_ptr<core::SignalWatcher> signals_;
  std::unique_ptr<crypto::DtlsContext> dtls_;
  std::unique_ptr<ViewerEnv> env_;

  std::vector<std::unique_ptr<Publisher>> publishers_;
  std::vector<PublisherResult> publisher_info_;
  std::vector<uint64_t> publisher_base_;  // packets at the end of the warm-up
  std::vector<uint64_t> publisher_base_bytes_;
  size_t next_publisher_ = 0;

  std::vector<std::unique_ptr<Viewer>> viewers_;
  std::vector<SimpleUrl> viewer_urls_;
  std::vector<ViewerCounts> viewer_base_;  // counts at the end of the warm-up
  std::vector<int> viewer_attempts_;
  std::deque<size_t> retry_;  // viewers to recreate (the path was not there yet)
  size_t next_viewer_ = 0;
  int pending_ = 0;  // WHEP requests in flight

  std::unique_ptr<core::Timer> publisher_timer_, ramp_timer_, second_timer_, nack_timer_,
      attack_timer_, rr_timer_, warmup_timer_, end_timer_, migrate_timer_;
  int64_t start_ns_ = 0;
  int64_t measure_start_ns_ = 0;
  int64_t next_second_ns_ = 0;
  bool measuring_ = false;
  double cpu_at_measure_start_ = 0;
  rusage usage_at_measure_start_{};
  double cpu_at_last_second_ = 0;
  ViewerCounts last_second_totals_;
  uint64_t last_second_publisher_packets_ = 0;
  RunResult result_;
};

}  // namespace ringcast::loadgen

#endif  // RINGCAST_TOOLS_LOADGEN_LOADGEN_H_
