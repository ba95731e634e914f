// PathHub: the paths of one worker and everything attached to them — the media router every
// protocol uses and none owns. RTSP publishers and the hub's own sources (PathFeed) claim a
// path's Stream; RTSP readers and WebRTC viewers read its tracks; keyframe requests go back to a
// source that can honour them. Per-path figures (stats.path.NAME.*) are taken here.
//
//   publisher / PathFeed ─Publish─▶ Path.stream ─Track::Ingest─▶ History ─▶ readers
//   reader ─AddReader / RemoveReader / RequestKeyframe─▶ PathHub
//
// Every worker runs a hub. The control thread owns the registry; it forwards each path's settings
// to every hub with Worker::Post (Configure / Remove). A path is run by one hub only, the one of
// the worker the PathDirectory placed it on (Route); the others know its settings, so they can
// answer a request for it or hand it to the owner. A hub holds no lock and touches nothing of
// another worker; the directory is the one shared piece.
//
// Threads: worker thread only, except Snapshot(), which any thread may call (core::StatSnapshot).
#ifndef RINGCAST_RTP_HUB_PATH_HUB_H_
#define RINGCAST_RTP_HUB_PATH_HUB_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/stat_snapshot.h"
#include "rtp/history.h"
#include "rtp/hub/directory.h"
#include "rtp/hub/path.h"
#include "rtp/hub/relay.h"
#include "rtp/hub/source_factory.h"

namespace ringcast::rtp::hub {

struct HubOptions {
  bool publish_any = false;  // rtsp.publish_any: publishers may create paths
  HistoryOptions history;    // every track's History (webrtc.nack_history_ms)
  // A replica without viewers this long is offered back to the path's owner.
  int64_t mirror_linger_ns = 10'000'000'000;
};

class PathHub {
 public:
  // `worker`: this hub's index in `directory`.
  PathHub(core::Ring& ring, core::BufferRing& buffers, SourceFactory& sources,
          PathDirectory& directory, int worker, const HubOptions& options);
  // Cuts every client off and stops every source.
  ~PathHub();

  // From the control thread's path.NAME.* settings.
  void Configure(const std::string& name, PathConfig config);
  void Remove(const std::string& name);
  void SetPublishAny(bool publish_any) { options_.publish_any = publish_any; }

  // The path, or nullptr. With `for_publish` and publish_any, an unknown path is created.
  Path* Find(std::string_view name, bool for_publish);

  // Which worker serves a client of `path`: this one (worker()) or the owner, to which the
  // caller hands the client over. Publishing places an inactive path; so does reading a path
  // that has a source of its own (an on-demand pull, or a source waiting to reconnect). A read
  // of an inactive publisher path stays here (and finds nobody publishing).
  enum class Intent { kRead, kPublish };
  int Route(Path& path, Intent intent);
  int worker() const { return worker_; }
  PathDirectory& directory() { return directory_; }
  // RTP packets the paths this hub owns have taken in (stats.worker.N.packets_in).
  uint64_t packets_in() const { return packets_in_.load(std::memory_order_relaxed); }

  // Makes `client` the publisher with `tracks`. Fails (returns false) when someone else
  // publishes and the path does not allow overriding. Readers of rebuilt tracks are cut off.
  bool Publish(Path& path, PathClient* client, std::string peer, std::vector<TrackInfo> tracks);
  void Unpublish(Path& path, PathClient* client);
  // False when path.NAME.max_readers is reached.
  bool AddReader(Path& path, PathClient* client);
  void RemoveReader(Path& path, PathClient* client);
  // Forgets `name` if it is a path a publisher created (publish_any) that nothing uses: after a
  // client that found it was handed over to the owner.
  void ForgetIfUnused(std::string_view name);

  // A client wants the path's source running (on-demand paths start it now). When the source is
  // not ready yet, AddWaiter gets the client an OnPathReady call once it is.
  void WantSource(Path& path);
  void AddWaiter(Path& path, PathClient* client) { path.waiters.insert(client); }
  void RemoveWaiter(Path& path, PathClient* client);
  // From PathFeed: its source delivers.
  void OnSourceReady(Path& path);
  // A reader needs a keyframe on `track` (a viewer's PLI/FIR, a viewer waiting to start):
  // forwarded to a source that can make one (an RTSP camera, a WHIP publisher), at most every
  // 500 ms per path.
  void RequestKeyframe(Path& path, size_t track);

  core::Ring& ring() { return ring_; }
  // Every path this worker knows (configured, or created by a publisher), by name.
  const std::map<std::string, std::unique_ptr<Path>, std::less<>>& paths() const { return paths_; }

  // --- A popular path's viewers on several workers (rtp/hub/replica.h) ---
  // How this hub reaches another worker's hub: runs `task` there (set by the daemon; with one
  // worker nothing is ever sent).
  using PeerHubs = std::function<void(int worker, std::function<void(PathHub&)> task)>;
  void SetPeers(PeerHubs peers) { peers_ = std::move(peers); }
  void RunOnPeer(int worker, std::function<void(PathHub&)> task) {
    if (peers_) peers_(worker, std::move(task));
  }
  // Owner: makes sure worker `worker` has a replica of `path` fed from here, and counts one more
  // viewer sent to it. A viewer posted to that worker after this call finds the replica there.
  void EnsureRelay(Path& path, int worker);
  // Owner, from a remote worker: its replica has been without viewers since attach `seq`.
  void ReleaseRelay(const std::string& name, int worker, uint64_t seq);
  // Owner, from a RelayOut whose path went.
  void OnRelayGone(Path& path, RelayOut* relay, std::string_view reason);
  // Remote: the replica of `name` the owner feeds through `relay`.
  void AttachMirror(const std::string& name, int owner, std::shared_ptr<PacketRelay> relay,
                    std::vector<TrackInfo> tracks,
                    std::vector<std::vector<std::vector<uint8_t>>> parameter_sets, uint64_t seq);
  // Remote: the relay has packets.
  void DrainMirror(const std::string& name);
  // Remote: the owner took the relay back (`seq` as offered), or the path went on the owner.
  void DetachMirror(const std::string& name, uint64_t seq);
  void DropMirror(const std::string& name, std::string_view reason);
  // Replicas served here and relays fed from here (stats).
  size_t mirrors() const;
  size_t relays() const;

  // stats.path.NAME.*, as of the last snapshot (at most a second old). Any thread.
  std::vector<core::StatSample> Snapshot() const { return snapshot_.Copy(); }

 private:
  void TakeSnapshot(std::vector<core::StatSample>& out);
  void Drop(Path& path, std::string_view reason);
  void MaybeForget(const std::string& name);
  void StartSource(Path& path);
  void StopSource(Path& path, std::string_view why);
  // On-demand paths: close the source after on_demand_close_after_ns without readers.
  void UpdateIdleTimer(Path& path);
  // An owned path nobody publishes, reads or feeds goes back to the directory.
  void MaybeRelease(Path& path);
  // Remote: offers the relay back once the replica has had no viewers for mirror_linger_ns.
  void UpdateMirrorLinger(Path& path);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  SourceFactory& sources_;
  PathDirectory& directory_;
  const int worker_;
  PeerHubs peers_;
  std::vector<std::unique_ptr<RelayOut>> dead_relays_;  // deleted at the next snapshot
  HubOptions options_;
  // Written by this worker's snapshot, read by the control thread's stats (relaxed: a figure).
  std::atomic<uint64_t> packets_in_{0};
  uint64_t last_packets_ = 0;
  int64_t last_load_ns_ = 0;
  std::map<std::string, std::unique_ptr<Path>, std::less<>> paths_;
  bool dropping_ = false;
  core::StatSnapshot snapshot_;
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_PATH_HUB_H_
