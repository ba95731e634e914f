#include "core/stat_snapshot.h"

#include <chrono>

namespace ringcast::core {

StatSnapshot::StatSnapshot(Ring& ring, int64_t interval_ns, Taker take, int64_t fresh_ns)
    : ring_(ring),
      interval_ns_(interval_ns),
      fresh_ns_(fresh_ns),
      take_(std::move(take)),
      timer_(ring, [this] {
        Take();
        timer_.ArmAfter(interval_ns_);
      }) {}

StatSnapshot::~StatSnapshot() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->alive = false;
}

void StatSnapshot::Start() {
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->started = true;
  }
  if (interval_ns_ == kOnDemand) return;
  Take();
  timer_.ArmAfter(interval_ns_);
}

void StatSnapshot::Take() const {
  std::vector<StatSample> samples;
  take_(samples);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->published.swap(samples);
  ++shared_->takes;
  shared_->taken_ns = NowNs();
  shared_->taken.notify_all();
}

std::vector<StatSample> StatSnapshot::Copy() const {
  std::shared_ptr<Shared> shared = shared_;
  if (interval_ns_ == kOnDemand) {
    uint64_t before;
    {
      std::lock_guard<std::mutex> lock(shared->mutex);
      if (!shared->started) return {};
      if (shared->takes > 0 && NowNs() - shared->taken_ns < fresh_ns_) {
        return shared->published;  // fresh enough: share the last take
      }
      before = shared->takes;
    }
    if (Ring::Current() == &ring_) {
      Take();
    } else {
      // The task holds the shared part, and finds out there whether the StatSnapshot (and the
      // component its taker reads) is still there: both live and die on the ring's thread.
      ring_.Post([shared, self = this] {
        bool alive;
        {
          std::lock_guard<std::mutex> lock(shared->mutex);
          alive = shared->alive;
        }
        if (alive) self->Take();
      });
      std::unique_lock<std::mutex> lock(shared->mutex);
      shared->taken.wait_for(lock, std::chrono::nanoseconds(kOnDemandWait),
                             [&] { return shared->takes != before || !shared->alive; });
      return shared->published;
    }
  }
  std::lock_guard<std::mutex> lock(shared->mutex);
  return shared->published;
}

StatSample Gauge(std::string name, double value, std::string metric, std::string help,
                 std::vector<std::pair<std::string, std::string>> labels) {
  return {.name = std::move(name),
          .value = value,
          .metric = std::move(metric),
          .labels = std::move(labels),
          .help = std::move(help),
          .counter = false};
}

StatSample Counter(std::string name, double value, std::string metric, std::string help,
                   std::vector<std::pair<std::string, std::string>> labels) {
  StatSample sample =
      Gauge(std::move(name), value, std::move(metric), std::move(help), std::move(labels));
  sample.counter = true;
  return sample;
}

}  // namespace ringcast::core
