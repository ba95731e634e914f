// StatSnapshot: the figures a component on a worker thread shows under stats.*, taken on its own
// thread and read by the control thread.
//
// The registry asks for stats on the control thread (ringcastctl, /metrics), but a worker's state
// may only be read by that worker. So the component rebuilds its samples on a Timer of its own
// ring every `interval_ns` and publishes them here; the control thread copies the last ones.
// The figures are at most one interval old.
//
// Threads: shared between the worker (Take, from the timer) and the control thread (Copy). The
// one mutex guards only the published vector: the worker builds the new samples outside it and
// swaps them in, so neither side holds it for longer than a swap or a copy.
#ifndef RINGCAST_CORE_STAT_SNAPSHOT_H_
#define RINGCAST_CORE_STAT_SNAPSHOT_H_

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/ring.h"
#include "core/tunables.h"

namespace ringcast::core {

class StatSnapshot {
 public:
  using Taker = std::function<void(std::vector<StatSample>&)>;

  // `take` appends the component's samples; it runs on `ring`'s thread, the calling one.
  StatSnapshot(Ring& ring, int64_t interval_ns, Taker take);

  // Takes the first snapshot now and then one every `interval_ns`. Call it once the component
  // `take` reads is whole (not from its constructor's initialiser list).
  void Start();
  // Takes a snapshot now (the worker thread), e.g. after a change the next read must see.
  void Take();
  // The samples of the last snapshot. Any thread.
  std::vector<StatSample> Copy() const;

 private:
  int64_t interval_ns_;
  Taker take_;
  Timer timer_;
  mutable std::mutex mutex_;  // shared with the control thread: guards published_
  std::vector<StatSample> published_;
};

// One sample, for the take callbacks: `name` under stats., `metric` under ringcast_.
StatSample Gauge(std::string name, double value, std::string metric, std::string help,
                 std::vector<std::pair<std::string, std::string>> labels = {});
StatSample Counter(std::string name, double value, std::string metric, std::string help,
                   std::vector<std::pair<std::string, std::string>> labels = {});

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_STAT_SNAPSHOT_H_
