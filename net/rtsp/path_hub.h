// PathHub: the paths of one worker — their settings (from path.NAME.*), their live Stream,
// who publishes and who reads — as the RTSP sessions of that worker see them.
//
// The control thread owns the registry; it forwards each path's settings here with
// Worker::Post (Configure / Remove). Sessions look paths up by name. For now every path lives
// on one worker (the first); placing paths on several workers comes with connection hand-off.
//
// Threads: worker thread only, except Snapshot(), which the control thread may call (the
// figures are copied under snapshot_mutex_ once a second by the worker).
#ifndef RINGCAST_NET_RTSP_PATH_HUB_H_
#define RINGCAST_NET_RTSP_PATH_HUB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/tunables.h"
#include "net/rtsp/auth.h"
#include "rtp/stream.h"

namespace ringcast::net::rtsp {

struct PathConfig {
  std::string source = "publisher";  // "publisher", "demo" or an rtsp:// URL
  std::string source_transport = "tcp";
  bool on_demand = false;
  int64_t on_demand_close_after_ns = 10'000'000'000;
  std::string read_user;
  std::string read_pass;
  std::string publish_user;
  std::string publish_pass;
  int64_t max_readers = 0;
  bool override_publisher = false;
};

// Something attached to a path that the hub may have to cut off: a publisher replaced by a
// newer one, readers of tracks that were rebuilt, everyone when the path is removed.
class PathClient {
 public:
  virtual void OnPathGone(std::string_view reason) = 0;
  // The path's own source became ready (for clients that waited for it: AddWaiter).
  virtual void OnPathReady() {}

 protected:
  ~PathClient() = default;
};

class PathSource;

struct PathEntry {
  PathEntry();
  ~PathEntry();
  std::string name;
  PathConfig config;
  bool configured = false;  // from path.NAME.*; false: created by rtsp.publish_any
  std::unique_ptr<rtp::Stream> stream;
  PathClient* publisher = nullptr;
  std::string publisher_peer;
  std::set<PathClient*> readers;
  uint64_t readers_total = 0;
  // Sourced paths (source is rtsp://… or demo): the running source, if any, and clients
  // waiting for it to become ready (an on-demand DESCRIBE).
  std::unique_ptr<PathSource> source;
  std::set<PathClient*> waiters;
  std::unique_ptr<core::Timer> idle_timer;  // on-demand: closes the source when nobody reads
  int64_t last_keyframe_request_ns = 0;
  uint64_t keyframe_requests = 0;  // forwarded to the source

  bool sourced() const { return config.source != "publisher"; }
};

class PathHub {
 public:
  // `demo_clips`: where to look for the demo clip, in order.
  PathHub(core::Ring& ring, core::BufferRing& buffers, std::vector<std::string> demo_clips = {});
  ~PathHub();

  // From the control thread's path.NAME.* settings.
  void Configure(const std::string& name, PathConfig config);
  void Remove(const std::string& name);
  void SetPublishAny(bool publish_any) { publish_any_ = publish_any; }
  void SetHistoryOptions(const rtp::HistoryOptions& options) { history_options_ = options; }

  // The path, or nullptr. With `for_publish` and rtsp.publish_any, an unknown path is created.
  PathEntry* Find(std::string_view name, bool for_publish);

  // Makes `client` the publisher with `tracks`. Fails (returns false) when someone else
  // publishes and the path does not allow overriding. Readers of rebuilt tracks are cut off.
  bool Publish(PathEntry& path, PathClient* client, std::string peer,
               std::vector<rtp::TrackInfo> tracks);
  void Unpublish(PathEntry& path, PathClient* client);
  // False when path.NAME.max_readers is reached.
  bool AddReader(PathEntry& path, PathClient* client);
  void RemoveReader(PathEntry& path, PathClient* client);

  // A client wants the path's source running (on-demand paths start it now). When the source is
  // not ready yet, AddWaiter gets the client an OnPathReady call once it is.
  void WantSource(PathEntry& path);
  void AddWaiter(PathEntry& path, PathClient* client) { path.waiters.insert(client); }
  void RemoveWaiter(PathEntry& path, PathClient* client);
  // From PathSource.
  void OnSourceReady(PathEntry& path);
  // A reader needs a keyframe on `track` (a viewer's PLI/FIR, a viewer waiting to start):
  // forwarded to a source that can make one (an RTSP camera), at most every 500 ms per path.
  void RequestKeyframe(PathEntry& path, size_t track);
  core::Ring& ring() { return ring_; }
  // Every path this worker knows (configured, or created by a publisher), by name.
  const std::map<std::string, std::unique_ptr<PathEntry>, std::less<>>& paths() const {
    return paths_;
  }

  ServerAuth& auth() { return auth_; }
  // rtsp.auth_methods; set before sessions exist (it forgets the nonces issued so far).
  void SetAuthOptions(const ServerAuthOptions& options) { auth_ = ServerAuth(options); }

  // stats.path.NAME.* figures, as of the last snapshot. Any thread.
  std::vector<core::StatSample> Snapshot() const;

 private:
  void TakeSnapshot();
  void Drop(PathEntry& path, std::string_view reason);
  void MaybeForget(const std::string& name);
  void StartSource(PathEntry& path);
  void StopSource(PathEntry& path, std::string_view why);
  // On-demand paths: close the source after on_demand_close_after_ns without readers.
  void UpdateIdleTimer(PathEntry& path);

  core::Ring& ring_;
  core::BufferRing& buffers_;
  std::vector<std::string> demo_clips_;
  std::map<std::string, std::unique_ptr<PathEntry>, std::less<>> paths_;
  bool publish_any_ = false;
  bool dropping_ = false;
  rtp::HistoryOptions history_options_;
  ServerAuth auth_;
  core::Timer snapshot_timer_;

  mutable std::mutex snapshot_mutex_;  // shared with the control thread
  std::vector<core::StatSample> snapshot_;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_PATH_HUB_H_
