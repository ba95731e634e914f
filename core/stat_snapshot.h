// StatSnapshot: the figures a component on a worker thread shows under stats.*, taken on its own
// thread and read by the control thread.
//
// The registry asks for stats on the control thread (ringcastctl, /metrics), but a worker's state
// may only be read by that worker. Two ways to bridge that:
// - Periodic (interval_ns > 0): the component rebuilds its samples on a Timer of its own ring
//   every `interval_ns` and publishes them here; Copy() returns the last ones, at most one
//   interval old. For figures the worker needs each interval anyway (the path hub's load).
// - On demand (kOnDemand): nothing is built until someone reads. Copy() posts a take to the
//   ring and waits for it (at most kOnDemandWait, then the last samples); reads within
//   kOnDemandFresh of a take share it, so however often they come the worker takes at most ten
//   a second. For figures whose cost grows with what the worker serves — one set per WebRTC
//   session — so a worker with thousands of sessions spends nothing on them unless an operator
//   or a scraper asks.
//
// Threads: shared between the worker (Take) and the control thread (Copy). The one mutex guards
// only the published vector and the count of takes: the worker builds the new samples outside
// it and swaps them in, so neither side holds it for longer than a swap or a copy. An on-demand
// StatSnapshot must be destroyed on its ring's thread (a take it posted then does nothing).
#ifndef RINGCAST_CORE_STAT_SNAPSHOT_H_
#define RINGCAST_CORE_STAT_SNAPSHOT_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/ring.h"
#include "core/tunables.h"

namespace ringcast::core {

class StatSnapshot {
 public:
  using Taker = std::function<void(std::vector<StatSample>&)>;
  static constexpr int64_t kOnDemand = 0;
  static constexpr int64_t kOnDemandWait = 500 * kNsPerMs;
  static constexpr int64_t kOnDemandFresh = 100 * kNsPerMs;

  // `take` appends the component's samples; it runs on `ring`'s thread. On demand, reads within
  // `fresh_ns` of a take share it.
  StatSnapshot(Ring& ring, int64_t interval_ns, Taker take, int64_t fresh_ns = kOnDemandFresh);
  ~StatSnapshot();
  StatSnapshot(const StatSnapshot&) = delete;
  StatSnapshot& operator=(const StatSnapshot&) = delete;

  // Periodic: takes the first snapshot now and then one every `interval_ns`. On demand: from
  // now on Copy() asks for takes. Call it once the component `take` reads is whole (not from
  // its constructor's initialiser list), on the ring's thread.
  void Start();
  // Takes a snapshot now (the ring's thread), e.g. after a change the next read must see.
  void Take() const;
  // The samples of the last snapshot (on demand: of one taken for this call, unless the ring
  // did not answer within kOnDemandWait). Any thread.
  std::vector<StatSample> Copy() const;

 private:
  // What a posted take and a waiting Copy() share; outlives the StatSnapshot if a take is still
  // queued on the ring when it goes.
  struct Shared {
    std::mutex mutex;  // shared with the control thread: guards the fields below
    std::condition_variable taken;
    std::vector<StatSample> published;
    uint64_t takes = 0;
    int64_t taken_ns = 0;  // when the last take was published
    bool started = false;  // Start() was called
    bool alive = true;     // false once the StatSnapshot is gone (set on the ring's thread)
  };

  Ring& ring_;
  int64_t interval_ns_;
  int64_t fresh_ns_;
  Taker take_;
  Timer timer_;
  std::shared_ptr<Shared> shared_ = std::make_shared<Shared>();
};

// One sample, for the take callbacks: `name` under stats., `metric` under ringcast_.
StatSample Gauge(std::string name, double value, std::string metric, std::string help,
                 std::vector<std::pair<std::string, std::string>> labels = {});
StatSample Counter(std::string name, double value, std::string metric, std::string help,
                   std::vector<std::pair<std::string, std::string>> labels = {});

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_STAT_SNAPSHOT_H_
