#include "rtp/hub/path_hub.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "rtp/hub/path_feed.h"
#include "rtp/hub/replica.h"

namespace ringcast::rtp::hub {

using core::StrCat;

Path::Path() = default;
Path::~Path() = default;

PathHub::PathHub(core::Ring& ring, core::BufferRing& buffers, SourceFactory& sources,
                 PathDirectory& directory, int worker, const HubOptions& options)
    : ring_(ring),
      buffers_(buffers),
      sources_(sources),
      directory_(directory),
      worker_(worker),
      options_(options),
      snapshot_(ring, core::kNsPerSec,
                [this](std::vector<core::StatSample>& out) { TakeSnapshot(out); }) {
  snapshot_.Start();
}

PathHub::~PathHub() {
  for (auto& [name, path] : paths_) {
    Drop(*path, "ringcastd is stopping");
    path->relays.clear();
    path->mirror.reset();
    path->idle_timer.reset();
    path->feed.reset();
    if (path->owned) directory_.Release(name, worker_);
  }
}

int PathHub::Route(Path& path, Intent intent) {
  int owner = directory_.Owner(path.name);
  if (owner < 0 && (intent == Intent::kPublish || path.sourced())) {
    owner = directory_.Place(path.name, path.config.worker);
  }
  if (owner < 0) return worker_;  // inactive: answered here (nobody publishes)
  if (owner == worker_) path.owned = true;
  return owner;
}

// --- replicas ----------------------------------------------------------------------------------

void PathHub::EnsureRelay(Path& path, int worker) {
  if (!path.owned || path.stream == nullptr || worker == worker_) return;
  RelayOut* relay = nullptr;
  for (const std::unique_ptr<RelayOut>& out : path.relays) {
    if (out->worker() == worker) relay = out.get();
  }
  if (relay == nullptr) {
    path.relays.push_back(std::make_unique<RelayOut>(*this, path, worker));
    relay = path.relays.back().get();
    path.readers.insert(relay);  // the path stays active while another worker serves it
    UpdateIdleTimer(path);
    LOG_INFO("path %s: worker %d serves some of its viewers from a replica", path.name, worker);
  }
  uint64_t seq = relay->NextAttach();
  std::vector<std::vector<std::vector<uint8_t>>> parameter_sets;
  for (size_t i = 0; i < path.stream->track_count(); ++i) {
    parameter_sets.push_back(path.stream->track(i).parameter_sets());
  }
  RunOnPeer(worker, [name = path.name, owner = worker_, shared = relay->relay(),
                     tracks = path.stream->track_infos(), parameter_sets, seq](PathHub& remote) {
    remote.AttachMirror(name, owner, shared, tracks, parameter_sets, seq);
  });
}

void PathHub::ReleaseRelay(const std::string& name, int worker, uint64_t seq) {
  auto it = paths_.find(name);
  if (it == paths_.end()) return;
  Path& path = *it->second;
  for (auto relay = path.relays.begin(); relay != path.relays.end(); ++relay) {
    if ((*relay)->worker() != worker) continue;
    if ((*relay)->attach_seq() != seq) return;  // a viewer is on its way there: keep feeding
    (*relay)->Detach();
    path.readers.erase(relay->get());
    dead_relays_.push_back(std::move(*relay));
    path.relays.erase(relay);
    RunOnPeer(worker, [name, seq](PathHub& remote) { remote.DetachMirror(name, seq); });
    UpdateIdleTimer(path);
    MaybeForget(name);
    return;
  }
}

void PathHub::OnRelayGone(Path& path, RelayOut* gone, std::string_view reason) {
  for (auto relay = path.relays.begin(); relay != path.relays.end(); ++relay) {
    if (relay->get() != gone) continue;
    gone->Detach();
    path.readers.erase(gone);
    RunOnPeer(gone->worker(), [name = path.name, why = std::string(reason)](PathHub& remote) {
      remote.DropMirror(name, why);
    });
    dead_relays_.push_back(std::move(*relay));
    path.relays.erase(relay);
    return;
  }
}

void PathHub::AttachMirror(const std::string& name, int owner, std::shared_ptr<PacketRelay> relay,
                           std::vector<TrackInfo> tracks,
                           std::vector<std::vector<std::vector<uint8_t>>> parameter_sets,
                           uint64_t seq) {
  auto& slot = paths_[name];
  if (slot == nullptr) {  // a path a publisher created on its owner: known here as a replica only
    slot = std::make_unique<Path>();
    slot->name = name;
  }
  Path& path = *slot;
  if (path.owned) return;  // cannot happen: the directory names one owner
  if (path.mirror == nullptr || path.mirror->relay != relay) {
    path.mirror = std::make_unique<Mirror>();
    path.mirror->owner = owner;
    path.mirror->relay = std::move(relay);
    path.stream = std::make_unique<Stream>(name);
    path.stream->Claim(path.mirror.get(), std::move(tracks), options_.history);
    for (size_t i = 0; i < path.stream->track_count() && i < parameter_sets.size(); ++i) {
      path.stream->track(i).SetParameterSets(parameter_sets[i]);
    }
  }
  path.mirror->attach_seq = seq;
  DrainMirror(name);  // what the relay holds already: the owner's History, for a fast start
  UpdateMirrorLinger(path);
}

void PathHub::DrainMirror(const std::string& name) {
  auto it = paths_.find(name);
  if (it == paths_.end() || it->second->mirror == nullptr || it->second->stream == nullptr) return;
  Path& path = *it->second;
  Stream& stream = *path.stream;
  path.mirror->packets +=
      path.mirror->relay->Drain([&stream](uint8_t track, const HistoryPacket& packet) {
        if (track < stream.track_count()) stream.track(track).IngestRelayed(packet);
      });
}

void PathHub::DetachMirror(const std::string& name, uint64_t seq) {
  auto it = paths_.find(name);
  if (it == paths_.end() || it->second->mirror == nullptr) return;
  if (it->second->mirror->attach_seq != seq) return;  // a newer viewer came meanwhile
  DropMirror(name, "its replica is no longer needed here");
}

void PathHub::DropMirror(const std::string& name, std::string_view reason) {
  auto it = paths_.find(name);
  if (it == paths_.end() || it->second->mirror == nullptr) return;
  Path& path = *it->second;
  Drop(path, reason);  // the replica's viewers go with it
  path.mirror.reset();
  path.stream.reset();
  MaybeForget(name);
}

void PathHub::UpdateMirrorLinger(Path& path) {
  if (path.mirror == nullptr) return;
  Mirror& mirror = *path.mirror;
  if (!path.readers.empty()) {
    if (mirror.linger != nullptr) mirror.linger->Disarm();
    return;
  }
  if (mirror.linger == nullptr) {
    Path* entry = &path;
    mirror.linger = std::make_unique<core::Timer>(ring_, [this, entry] {
      if (entry->mirror == nullptr || !entry->readers.empty()) return;
      RunOnPeer(entry->mirror->owner,
                [name = entry->name, worker = worker_, seq = entry->mirror->attach_seq](
                    PathHub& owner) { owner.ReleaseRelay(name, worker, seq); });
    });
  }
  if (!mirror.linger->armed()) mirror.linger->ArmAfter(options_.mirror_linger_ns);
}

size_t PathHub::mirrors() const {
  size_t n = 0;
  for (const auto& [name, path] : paths_) n += path->mirror != nullptr ? 1 : 0;
  return n;
}

size_t PathHub::relays() const {
  size_t n = 0;
  for (const auto& [name, path] : paths_) n += path->relays.size();
  return n;
}

void PathHub::MaybeRelease(Path& path) {
  if (!path.owned || path.feed != nullptr || path.publisher != nullptr || !path.readers.empty() ||
      !path.waiters.empty()) {
    return;
  }
  // A sourced path that is always on stays placed while it is configured.
  if (path.configured && path.sourced() && !path.config.on_demand) return;
  path.owned = false;
  directory_.Release(path.name, worker_);
}

void PathHub::Configure(const std::string& name, PathConfig config) {
  auto& slot = paths_[name];
  if (slot == nullptr) {
    slot = std::make_unique<Path>();
    slot->name = name;
  }
  bool source_changed = !slot->configured || slot->config.source != config.source ||
                        slot->config.source_transport != config.source_transport ||
                        slot->config.on_demand != config.on_demand;
  slot->config = std::move(config);
  slot->configured = true;
  if (!source_changed) return;
  StopSource(*slot, "its source setting changed");
  if (slot->sourced()) {
    if (slot->publisher != nullptr) {  // a publisher on a path that now has its own source
      PathClient* publisher = slot->publisher;
      slot->publisher = nullptr;
      publisher->OnPathGone("the path now takes its stream from its source");
    }
    // An always-on source is placed now; every hub asks, the one it lands on runs it.
    if (!slot->config.on_demand && Route(*slot, Intent::kRead) == worker_) StartSource(*slot);
  }
  MaybeRelease(*slot);
}

void PathHub::StartSource(Path& path) {
  if (path.feed != nullptr || !path.sourced() || !path.owned) return;
  path.feed = std::make_unique<PathFeed>(*this, path);
  absl::StatusOr<std::unique_ptr<Source>> source =
      sources_.CreateSource(path.name, path.config, ring_, buffers_, *path.feed);
  if (!source.ok()) {
    path.feed.reset();  // the factory logged why
    return;
  }
  path.feed->Start(std::move(source).value());
}

void PathHub::StopSource(Path& path, std::string_view why) {
  if (path.feed == nullptr) return;
  LOG_INFO("path %s: stopping its source: %s", path.name, why);
  path.feed.reset();
  if (path.idle_timer != nullptr) path.idle_timer->Disarm();
}

void PathHub::WantSource(Path& path) {
  if (!path.sourced() || Route(path, Intent::kRead) != worker_) return;
  StartSource(path);
  UpdateIdleTimer(path);
}

void PathHub::RemoveWaiter(Path& path, PathClient* client) {
  path.waiters.erase(client);
  UpdateIdleTimer(path);
  MaybeRelease(path);
}

void PathHub::OnSourceReady(Path& path) {
  std::set<PathClient*> waiters;
  waiters.swap(path.waiters);
  for (PathClient* waiter : waiters) waiter->OnPathReady();
  UpdateIdleTimer(path);
}

void PathHub::UpdateIdleTimer(Path& path) {
  if (!path.config.on_demand || path.feed == nullptr || !path.readers.empty() ||
      !path.waiters.empty()) {
    if (path.idle_timer != nullptr) path.idle_timer->Disarm();
    return;
  }
  if (path.idle_timer == nullptr) {
    Path* entry = &path;
    path.idle_timer = std::make_unique<core::Timer>(ring_, [this, entry] {
      LOG_INFO("path %s: no readers for %d s; closing its on-demand source", entry->name,
               entry->config.on_demand_close_after_ns / core::kNsPerSec);
      entry->feed.reset();
      MaybeRelease(*entry);
    });
  }
  if (!path.idle_timer->armed()) path.idle_timer->ArmAfter(path.config.on_demand_close_after_ns);
}

void PathHub::Remove(const std::string& name) {
  auto it = paths_.find(name);
  if (it == paths_.end()) return;
  Drop(*it->second, "the path was removed");
  it->second->idle_timer.reset();
  it->second->feed.reset();
  if (it->second->owned) directory_.Release(name, worker_);
  paths_.erase(it);
}

void PathHub::Drop(Path& path, std::string_view reason) {
  dropping_ = true;
  // Cutting a client off destroys it, and it unregisters itself: work on copies.
  std::set<PathClient*> readers = path.readers;
  readers.insert(path.waiters.begin(), path.waiters.end());
  for (PathClient* reader : readers) reader->OnPathGone(reason);
  if (path.publisher != nullptr) path.publisher->OnPathGone(reason);
  path.readers.clear();
  path.waiters.clear();
  path.publisher = nullptr;
  dropping_ = false;
}

Path* PathHub::Find(std::string_view name, bool for_publish) {
  auto it = paths_.find(name);
  if (it != paths_.end()) return it->second.get();
  if (!for_publish || !options_.publish_any) return nullptr;
  auto path = std::make_unique<Path>();
  path->name = std::string(name);
  Path* raw = path.get();
  paths_.emplace(std::string(name), std::move(path));
  return raw;
}

void PathHub::MaybeForget(const std::string& name) {
  if (dropping_) return;  // Drop() is iterating; the entry must stay
  auto it = paths_.find(name);
  if (it == paths_.end()) return;
  Path& path = *it->second;
  MaybeRelease(path);
  if (!path.configured && path.publisher == nullptr && path.readers.empty() &&
      path.waiters.empty() && path.feed == nullptr && path.mirror == nullptr) {
    if (path.owned) directory_.Release(name, worker_);
    paths_.erase(it);
  }
}

bool PathHub::Publish(Path& path, PathClient* client, std::string peer,
                      std::vector<TrackInfo> tracks) {
  if (!path.owned) Route(path, Intent::kPublish);  // callers route first; this only records it
  if (path.publisher != nullptr && path.publisher != client) {
    if (!path.config.override_publisher) return false;
    LOG_INFO("path %s: publisher %s replaced by %s", path.name, path.publisher_peer, peer);
    PathClient* old = path.publisher;
    path.publisher = nullptr;
    old->OnPathGone("another publisher took over the path");
  }
  if (path.stream == nullptr) path.stream = std::make_unique<Stream>(path.name);
  bool rebuilt = path.stream->Claim(client, std::move(tracks), options_.history);
  path.publisher = client;  // before cutting readers off, so the entry is not forgotten
  path.publisher_peer = std::move(peer);
  if (rebuilt && !path.readers.empty()) {
    std::set<PathClient*> readers = path.readers;
    for (PathClient* reader : readers) reader->OnPathGone("the source's tracks changed");
  }
  return true;
}

void PathHub::Unpublish(Path& path, PathClient* client) {
  if (path.publisher != client) return;
  path.publisher = nullptr;
  if (path.stream != nullptr) path.stream->Release(client);
  MaybeForget(path.name);
}

bool PathHub::AddReader(Path& path, PathClient* client) {
  if (path.config.max_readers > 0 &&
      static_cast<int64_t>(path.readers.size()) >= path.config.max_readers) {
    return false;
  }
  path.readers.insert(client);
  ++path.readers_total;
  UpdateIdleTimer(path);
  UpdateMirrorLinger(path);
  return true;
}

void PathHub::RemoveReader(Path& path, PathClient* client) {
  path.readers.erase(client);
  UpdateIdleTimer(path);
  UpdateMirrorLinger(path);
  MaybeForget(path.name);
}

void PathHub::ForgetIfUnused(std::string_view name) { MaybeForget(std::string(name)); }

void PathHub::RequestKeyframe(Path& path, size_t track) {
  if (path.mirror != nullptr) {  // the owner asks the source
    RunOnPeer(path.mirror->owner, [name = path.name, track](PathHub& owner) {
      auto it = owner.paths_.find(name);
      if (it != owner.paths_.end() && it->second->owned) owner.RequestKeyframe(*it->second, track);
    });
    return;
  }
  // Whoever feeds the path: its own source once it plays (a camera; PathFeed publishes it), or a
  // publisher (a WHIP one can; ffmpeg over RTSP ignores RTCP, and says so).
  if (path.publisher == nullptr) return;
  int64_t now = core::NowNs();
  if (now - path.last_keyframe_request_ns < 500 * core::kNsPerMs) return;
  if (path.publisher->RequestKeyframe(track)) {
    path.last_keyframe_request_ns = now;
    ++path.keyframe_requests;
  }
}

void PathHub::TakeSnapshot(std::vector<core::StatSample>& out) {
  dead_relays_.clear();  // detached in an earlier iteration: nothing refers to them now
  uint64_t worker_packets = 0;
  for (const auto& [key_name, path] : paths_) {
    const std::string& name = key_name;  // clang 14 cannot capture structured bindings
    // A path's figures come from its owner; a configured path nobody owns, from worker 0.
    if (!path->owned && !(worker_ == 0 && path->configured && directory_.Owner(name) < 0)) {
      continue;
    }
    auto add = [&](std::string_view key, double value, std::string_view help, bool counter) {
      core::StatSample sample = core::Gauge(StrCat("stats.path.", name, ".", key), value,
                                            StrCat("ringcast_path_", key, counter ? "_total" : ""),
                                            std::string(help), {{"path", name}});
      sample.counter = counter;
      out.push_back(std::move(sample));
    };
    add("publishing", path->publisher != nullptr ? 1 : 0, "1 while a source feeds the path", false);
    add("readers", static_cast<double>(path->readers.size() - path->relays.size()),
        "readers now on the path's worker (RTSP and WebRTC)", false);
    add("replicas", static_cast<double>(path->relays.size()),
        "other workers serving some of the path's viewers from a replica", false);
    if (path->sourced()) {
      add("source_ready", path->feed != nullptr && path->feed->ready() ? 1 : 0,
          "1 while the path's own source (rtsp:// pull or demo) delivers", false);
      add("source_reconnects",
          path->feed != nullptr ? static_cast<double>(path->feed->reconnects()) : 0,
          "times the pull reconnected since it started", true);
    }
    uint64_t packets = 0, bytes = 0, lost = 0, keyframes = 0, history = 0, needed = 0;
    uint64_t history_keyframes_dropped = 0;
    if (path->stream != nullptr) {
      for (size_t i = 0; i < path->stream->track_count(); ++i) {
        const Track& track = path->stream->track(i);
        const TrackStats& stats = track.stats();
        packets += stats.packets;
        bytes += stats.bytes;
        lost += stats.lost;
        keyframes += stats.keyframes;
        history += track.history().capacity_bytes();
        needed += track.history().needed_bytes();
        history_keyframes_dropped += track.history().keyframes_dropped();
      }
    }
    add("packets_in", static_cast<double>(packets), "RTP packets received from the source", true);
    add("bytes_in", static_cast<double>(bytes), "RTP bytes received from the source", true);
    add("packets_lost", static_cast<double>(lost), "sequence numbers the source skipped", true);
    add("keyframes", static_cast<double>(keyframes), "keyframes seen", true);
    add("history_bytes", static_cast<double>(history),
        "bytes of the path's packet histories (the one copy NACK and fast start read)", false);
    add("history_needed_bytes", static_cast<double>(needed),
        "the most the histories had to keep at once lately (the keyframe interval or the NACK "
        "window, whichever is longer)",
        false);
    add("history_keyframes_dropped", static_cast<double>(history_keyframes_dropped),
        "keyframes the histories let go while still the newest (webrtc.history_max_kb or "
        "webrtc.history_max_ms): new viewers wait for the next keyframe",
        true);
    // Checked once a second with the figures: a keyframe that had to go is asked for again.
    if (history_keyframes_dropped > path->history_keyframes_dropped) {
      path->history_keyframes_dropped = history_keyframes_dropped;
      LOG_EVERY_SEC(Warn,
                    "path %s: its last keyframe left the history (webrtc.history_max_kb / "
                    "webrtc.history_max_ms); new viewers wait for the next one, asked for now",
                    name);
      for (size_t i = 0; path->stream != nullptr && i < path->stream->track_count(); ++i) {
        RequestKeyframe(*path, i);
      }
    }
    add("keyframe_requests", static_cast<double>(path->keyframe_requests),
        "keyframe requests (RTCP PLI) forwarded to the path's camera or WHIP publisher", true);
    add("worker", path->owned ? worker_ : -1, "the worker the path is placed on (-1: inactive)",
        false);
    worker_packets += packets;
  }
  // The load the directory places new paths by. Packets of paths that went away drop out of the
  // sum; the rate never goes negative.
  int64_t now = core::NowNs();
  uint64_t delta = worker_packets > last_packets_ ? worker_packets - last_packets_ : 0;
  if (last_load_ns_ > 0 && now > last_load_ns_) {
    directory_.ReportLoad(worker_,
                          delta * core::kNsPerSec / static_cast<uint64_t>(now - last_load_ns_));
  }
  last_packets_ = worker_packets;
  last_load_ns_ = now;
  packets_in_.store(packets_in_.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

}  // namespace ringcast::rtp::hub
