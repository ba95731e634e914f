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

#include "core/ring.h"
#include "core/tunables.h"
#include "net/rtsp/auth.h"
#include "rtp/stream.h"

namespace ringcast::net::rtsp {

struct PathConfig {
  std::string source = "publisher";
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

 protected:
  ~PathClient() = default;
};

struct PathEntry {
  std::string name;
  PathConfig config;
  bool configured = false;  // from path.NAME.*; false: created by rtsp.publish_any
  std::unique_ptr<rtp::Stream> stream;
  PathClient* publisher = nullptr;
  std::string publisher_peer;
  std::set<PathClient*> readers;
  uint64_t readers_total = 0;
};

class PathHub {
 public:
  explicit PathHub(core::Ring& ring);
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

  ServerAuth& auth() { return auth_; }

  // stats.path.NAME.* figures, as of the last snapshot. Any thread.
  std::vector<core::StatSample> Snapshot() const;

 private:
  void TakeSnapshot();
  void Drop(PathEntry& path, std::string_view reason);
  void MaybeForget(const std::string& name);

  core::Ring& ring_;
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
