// PathSource: a path whose stream ringcast fetches itself — path.NAME.source = rtsp://… (an
// RtspClient pulling a camera, path.NAME.source_transport) or `demo` (the built-in clip). It
// feeds the path exactly as a publisher would: OnSourceReady claims the Stream, packets go to
// Track::Ingest, and a lost source releases it (tracks stay, so a reconnect continues the
// numbering readers see).
//
// Ownership: the PathHub owns one per sourced path and creates/destroys it as the settings or
// (for path.NAME.on_demand) the readers come and go. Worker thread only.
#ifndef RINGCAST_NET_RTSP_PATH_SOURCE_H_
#define RINGCAST_NET_RTSP_PATH_SOURCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "net/rtsp/client.h"
#include "net/rtsp/path_hub.h"
#include "rtp/demo_source.h"
#include "rtp/source.h"

namespace ringcast::net::rtsp {

class PathSource final : public rtp::SourceObserver, public PathClient {
 public:
  PathSource(PathHub& hub, PathEntry& path, core::Ring& ring, core::BufferRing& buffers);
  ~PathSource();

  // Starts fetching according to path.config (source, source_transport). A source that
  // cannot start at all (demo clip missing) is logged and reported.
  absl::Status Start(const std::vector<std::string>& demo_clip_paths);
  bool ready() const { return ready_; }
  // Asks the source for a keyframe on `track`; false when it cannot (the demo clip; a camera
  // not playing yet).
  bool RequestKeyframe(size_t track);
  uint64_t reconnects() const { return client_ != nullptr ? client_->reconnects() : 0; }

  // rtp::SourceObserver
  void OnSourceReady(std::vector<rtp::TrackInfo> tracks) override;
  void OnSourcePacket(size_t track, const rtp::RtpView& packet) override;
  void OnSourceLost(std::string_view reason) override;
  // PathClient: the path is going away.
  void OnPathGone(std::string_view reason) override;

 private:
  PathHub& hub_;
  PathEntry& path_;
  core::Ring& ring_;
  core::BufferRing& buffers_;
  std::unique_ptr<RtspClient> client_;
  std::unique_ptr<rtp::DemoSource> demo_;
  bool ready_ = false;
};

}  // namespace ringcast::net::rtsp

#endif  // RINGCAST_NET_RTSP_PATH_SOURCE_H_
