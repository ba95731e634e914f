#include "rtp/hub/directory.h"

#include <algorithm>

namespace ringcast::rtp::hub {

PathDirectory::PathDirectory(int workers, PlacementPolicy policy)
    : policy_(policy),
      load_(static_cast<size_t>(std::max(1, workers)), 0),
      paths_(static_cast<size_t>(std::max(1, workers)), 0) {}

int PathDirectory::Choose(std::string_view name) const {
  const int n = workers();
  if (policy_ == PlacementPolicy::kHash) {
    uint64_t hash = 14695981039346656037ull;  // FNV-1a: stable across runs and builds
    for (char c : name) hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ull;
    return static_cast<int>(hash % static_cast<uint64_t>(n));
  }
  int best = 0;
  for (int i = 1; i < n; ++i) {
    if (load_[i] < load_[best] || (load_[i] == load_[best] && paths_[i] < paths_[best])) best = i;
  }
  return best;
}

int PathDirectory::Place(std::string_view name, int pin) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = owners_.find(std::string(name));
  if (it != owners_.end()) return it->second;
  int worker = pin >= 0 ? pin % workers() : Choose(name);
  owners_.emplace(std::string(name), worker);
  ++paths_[worker];
  return worker;
}

int PathDirectory::Owner(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = owners_.find(std::string(name));
  return it == owners_.end() ? -1 : it->second;
}

void PathDirectory::Release(std::string_view name, int worker) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = owners_.find(std::string(name));
  if (it == owners_.end() || it->second != worker) return;
  owners_.erase(it);
  --paths_[worker];
}

void PathDirectory::ReportLoad(int worker, uint64_t packets_per_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (worker >= 0 && worker < workers()) load_[worker] = packets_per_s;
}

std::vector<int> PathDirectory::PathsPerWorker() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return paths_;
}

std::vector<uint64_t> PathDirectory::LoadPerWorker() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return load_;
}

}  // namespace ringcast::rtp::hub
