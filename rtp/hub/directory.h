// PathDirectory: which worker each active path lives on — the one piece of path state shared by
// every worker's hub and the control thread.
//
// A path is placed when it becomes active: a source starts for it, a publisher arrives, or an
// on-demand source is wanted. Placement takes the path's pin (path.NAME.worker) when it has one,
// otherwise the worker with the lowest packet rate (each hub reports its rate once a second;
// ties go to the worker with fewer paths, then the lower index), or with hub.placement =
// hash a stable hash of the name. A path stays on its worker while it is active; when its owner
// lets it go (nobody publishes, reads or runs a source for it) the next activation places it
// afresh, so a pin changed live applies from then on.
//
// Requests that reach another worker (an RTSP connection, a WHEP offer) look the owner up here
// and are handed over; packets never are.
//
// Threads: any. Everything is guarded by one mutex — placement happens per connection or session,
// never per packet, and the critical sections are a hash-map look-up or two.
#ifndef RINGCAST_RTP_HUB_DIRECTORY_H_
#define RINGCAST_RTP_HUB_DIRECTORY_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ringcast::rtp::hub {

enum class PlacementPolicy { kLeastLoaded, kHash };

class PathDirectory {
 public:
  explicit PathDirectory(int workers, PlacementPolicy policy = PlacementPolicy::kLeastLoaded);
  PathDirectory(const PathDirectory&) = delete;
  PathDirectory& operator=(const PathDirectory&) = delete;

  int workers() const { return static_cast<int>(load_.size()); }

  // The worker `name` lives on. When it is not active yet, chooses one — `pin` when it is a
  // worker index (>= 0; taken modulo the worker count), else by the policy — and marks it active.
  int Place(std::string_view name, int pin = -1);
  // The worker an active `name` lives on, or -1.
  int Owner(std::string_view name) const;
  // The owner `worker` lets `name` go; the next Place chooses again. A call from a worker that no
  // longer owns the path changes nothing.
  void Release(std::string_view name, int worker);

  // From each worker's hub, once a second: the RTP packets per second its paths take in.
  void ReportLoad(int worker, uint64_t packets_per_s);
  // Active paths per worker, and the last reported loads (stats.worker.N.*).
  std::vector<int> PathsPerWorker() const;
  std::vector<uint64_t> LoadPerWorker() const;

 private:
  int Choose(std::string_view name) const;  // mutex_ held

  const PlacementPolicy policy_;
  mutable std::mutex mutex_;  // shared by every worker and the control thread
  std::unordered_map<std::string, int> owners_;
  std::vector<uint64_t> load_;
  std::vector<int> paths_;
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_DIRECTORY_H_
