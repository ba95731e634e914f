#include "core/stat_snapshot.h"

namespace ringcast::core {

StatSnapshot::StatSnapshot(Ring& ring, int64_t interval_ns, Taker take)
    : interval_ns_(interval_ns), take_(std::move(take)), timer_(ring, [this] {
        Take();
        timer_.ArmAfter(interval_ns_);
      }) {}

void StatSnapshot::Start() {
  Take();
  timer_.ArmAfter(interval_ns_);
}

void StatSnapshot::Take() {
  std::vector<StatSample> samples;
  take_(samples);
  std::lock_guard<std::mutex> lock(mutex_);
  published_.swap(samples);
}

std::vector<StatSample> StatSnapshot::Copy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return published_;
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
