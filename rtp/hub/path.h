// Path: one named stream of the daemon (path.NAME.*) as the hub keeps it — its settings, its live
// Stream, who publishes it and who reads it — whatever protocol those clients speak.
//
// Clients (RTSP sessions, WebRTC sessions, the hub's own source feeds) implement PathClient so
// the hub can cut them off; they read a Path's fields but change them only through the PathHub.
//
// Ownership and threads: every worker's PathHub has an entry for each configured path; the hub
// of the worker the path is placed on (rtp/hub/directory.h) owns it and runs it. Worker thread
// only.
#ifndef RINGCAST_RTP_HUB_PATH_H_
#define RINGCAST_RTP_HUB_PATH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/networks.h"
#include "core/ring.h"
#include "rtp/stream.h"

namespace ringcast::rtp::hub {

// path.NAME.*, as rtp/hub/path_settings.h reads them.
struct PathConfig {
  std::string source = "publisher";  // "publisher", "demo" or an rtsp:// URL
  std::string source_transport = "tcp";
  bool on_demand = false;
  int64_t on_demand_close_after_ns = 10'000'000'000;
  std::string read_user;
  std::string read_pass;
  std::string publish_user;
  std::string publish_pass;
  core::NetworkList read_allow;     // empty: anyone
  core::NetworkList publish_allow;  // empty: anyone
  int64_t max_readers = 0;
  bool override_publisher = false;
  int worker = -1;  // path.NAME.worker: the worker to place it on; -1: by the placement policy

  bool sourced() const { return source != "publisher"; }
};

// Something attached to a path that the hub may have to cut off: a publisher replaced by a
// newer one, readers of tracks that were rebuilt, everyone when the path is removed.
class PathClient {
 public:
  virtual void OnPathGone(std::string_view reason) = 0;
  // The path's own source became ready (for clients that waited for it: PathHub::AddWaiter).
  virtual void OnPathReady() {}
  // A publisher that can make keyframes on request (a WHIP publisher: RTCP PLI) does so for its
  // track `track` and returns true; false: it cannot (an RTSP publisher such as ffmpeg ignores
  // RTCP).
  virtual bool RequestKeyframe(size_t track) { return false; }

 protected:
  ~PathClient() = default;
};

class PathFeed;
class RelayOut;
struct Mirror;

struct Path {
  Path();
  ~Path();

  std::string name;
  PathConfig config;
  bool configured = false;  // from path.NAME.*; false: created by a publisher (publish_any)
  std::unique_ptr<Stream> stream;
  PathClient* publisher = nullptr;
  std::string publisher_peer;
  std::set<PathClient*> readers;
  uint64_t readers_total = 0;
  // Sourced paths (demo, rtsp://…): the running source, if any, and clients waiting for it to
  // become ready (an on-demand DESCRIBE).
  std::unique_ptr<PathFeed> feed;
  std::set<PathClient*> waiters;
  std::unique_ptr<core::Timer> idle_timer;  // on-demand: closes the source when nobody reads
  int64_t last_keyframe_request_ns = 0;
  uint64_t keyframe_requests = 0;          // forwarded to the source
  uint64_t history_keyframes_dropped = 0;  // the tracks' History::keyframes_dropped(), last seen
  // This worker owns the path in the PathDirectory: it runs its source, takes its publisher and
  // serves its readers. Other workers keep the settings only, to answer and route requests.
  bool owned = false;
  // Owner: the feeds of other workers' replicas (each also in `readers`).
  std::vector<std::unique_ptr<RelayOut>> relays;
  // Another worker owns the path and this one serves some of its viewers from a replica.
  std::unique_ptr<Mirror> mirror;

  bool sourced() const { return config.sourced(); }
  // A source feeds the stream right now (a publisher, or the path's own source).
  bool live() const { return stream != nullptr && stream->has_source(); }
  // The path's own source runs (it may still be connecting).
  bool source_running() const { return feed != nullptr; }
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_PATH_H_
