#include "net/rtsp/path_hub.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::net::rtsp {

using core::StrCat;

PathHub::PathHub(core::Ring& ring)
    : ring_(ring), snapshot_timer_(ring, [this] {
        TakeSnapshot();
        snapshot_timer_.ArmAfter(core::kNsPerSec);
      }) {
  snapshot_timer_.ArmAfter(0);
}

PathHub::~PathHub() {
  for (auto& [name, path] : paths_) Drop(*path, "ringcastd is stopping");
}

void PathHub::Configure(const std::string& name, PathConfig config) {
  auto& slot = paths_[name];
  if (slot == nullptr) {
    slot = std::make_unique<PathEntry>();
    slot->name = name;
  }
  slot->config = std::move(config);
  slot->configured = true;
}

void PathHub::Remove(const std::string& name) {
  auto it = paths_.find(name);
  if (it == paths_.end()) return;
  Drop(*it->second, "the path was removed");
  paths_.erase(it);
}

void PathHub::Drop(PathEntry& path, std::string_view reason) {
  dropping_ = true;
  // Cutting a client off destroys it, and it unregisters itself: work on copies.
  std::set<PathClient*> readers = path.readers;
  for (PathClient* reader : readers) reader->OnPathGone(reason);
  if (path.publisher != nullptr) path.publisher->OnPathGone(reason);
  path.readers.clear();
  path.publisher = nullptr;
  dropping_ = false;
}

PathEntry* PathHub::Find(std::string_view name, bool for_publish) {
  auto it = paths_.find(name);
  if (it != paths_.end()) return it->second.get();
  if (!for_publish || !publish_any_) return nullptr;
  auto entry = std::make_unique<PathEntry>();
  entry->name = std::string(name);
  PathEntry* raw = entry.get();
  paths_.emplace(std::string(name), std::move(entry));
  return raw;
}

void PathHub::MaybeForget(const std::string& name) {
  if (dropping_) return;  // Drop() is iterating; the entry must stay
  auto it = paths_.find(name);
  if (it == paths_.end()) return;
  PathEntry& path = *it->second;
  if (!path.configured && path.publisher == nullptr && path.readers.empty()) paths_.erase(it);
}

bool PathHub::Publish(PathEntry& path, PathClient* client, std::string peer,
                      std::vector<rtp::TrackInfo> tracks) {
  if (path.publisher != nullptr && path.publisher != client) {
    if (!path.config.override_publisher) return false;
    LOG_INFO("rtsp: %s: publisher %s replaced by %s", path.name, path.publisher_peer, peer);
    PathClient* old = path.publisher;
    path.publisher = nullptr;
    old->OnPathGone("another publisher took over the path");
  }
  if (path.stream == nullptr) path.stream = std::make_unique<rtp::Stream>(path.name);
  bool rebuilt = path.stream->Claim(client, std::move(tracks), history_options_);
  path.publisher = client;  // before cutting readers off, so the entry is not forgotten
  path.publisher_peer = std::move(peer);
  if (rebuilt && !path.readers.empty()) {
    std::set<PathClient*> readers = path.readers;
    for (PathClient* reader : readers) reader->OnPathGone("the source's tracks changed");
  }
  return true;
}

void PathHub::Unpublish(PathEntry& path, PathClient* client) {
  if (path.publisher != client) return;
  path.publisher = nullptr;
  if (path.stream != nullptr) path.stream->Release(client);
  MaybeForget(path.name);
}

bool PathHub::AddReader(PathEntry& path, PathClient* client) {
  if (path.config.max_readers > 0 &&
      static_cast<int64_t>(path.readers.size()) >= path.config.max_readers) {
    return false;
  }
  path.readers.insert(client);
  ++path.readers_total;
  return true;
}

void PathHub::RemoveReader(PathEntry& path, PathClient* client) {
  path.readers.erase(client);
  MaybeForget(path.name);
}

void PathHub::TakeSnapshot() {
  std::vector<core::StatSample> samples;
  for (const auto& [key_name, path] : paths_) {
    const std::string& name = key_name;  // clang 14 cannot capture structured bindings
    auto add = [&](std::string_view key, double value, std::string_view help, bool counter) {
      samples.push_back({.name = StrCat("stats.path.", name, ".", key),
                         .value = value,
                         .metric = StrCat("ringcast_path_", key, counter ? "_total" : ""),
                         .labels = {{"path", name}},
                         .help = std::string(help),
                         .counter = counter});
    };
    add("publishing", path->publisher != nullptr ? 1 : 0, "1 while a source feeds the path", false);
    add("readers", static_cast<double>(path->readers.size()), "RTSP readers now", false);
    uint64_t packets = 0, bytes = 0, lost = 0, keyframes = 0;
    if (path->stream != nullptr) {
      for (size_t i = 0; i < path->stream->track_count(); ++i) {
        const rtp::TrackStats& stats = path->stream->track(i).stats();
        packets += stats.packets;
        bytes += stats.bytes;
        lost += stats.lost;
        keyframes += stats.keyframes;
      }
    }
    add("packets_in", static_cast<double>(packets), "RTP packets received from the source", true);
    add("bytes_in", static_cast<double>(bytes), "RTP bytes received from the source", true);
    add("packets_lost", static_cast<double>(lost), "sequence numbers the source skipped", true);
    add("keyframes", static_cast<double>(keyframes), "keyframes seen", true);
  }
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  snapshot_.swap(samples);
}

std::vector<core::StatSample> PathHub::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  return snapshot_;
}

}  // namespace ringcast::net::rtsp
