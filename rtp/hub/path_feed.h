// PathFeed: the hub's side of a source it runs for a path (demo, rtsp://…). It feeds the path
// exactly as a publisher would: OnSourceReady claims the Stream, packets go to Track::Ingest, and
// a lost source releases it (the tracks stay, so a reconnect continues the numbering readers see).
//
// Ownership: the PathHub owns one per sourced path while the source should run (always, or while
// an on-demand path has readers); the feed owns the Source. Worker thread only.
#ifndef RINGCAST_RTP_HUB_PATH_FEED_H_
#define RINGCAST_RTP_HUB_PATH_FEED_H_

#include <memory>
#include <string_view>
#include <vector>

#include "rtp/hub/path.h"
#include "rtp/source.h"

namespace ringcast::rtp::hub {

class PathHub;

class PathFeed final : public SourceObserver, public PathClient {
 public:
  PathFeed(PathHub& hub, Path& path) : hub_(hub), path_(path) {}
  ~PathFeed();

  // Takes the source the factory made and starts it.
  void Start(std::unique_ptr<Source> source);
  bool ready() const { return ready_; }
  // PathClient: asks the source for a keyframe on `track`; false when it cannot (the demo clip;
  // a camera that is not playing yet).
  bool RequestKeyframe(size_t track) override {
    return source_ != nullptr && source_->RequestKeyframe(track);
  }
  uint64_t reconnects() const { return source_ != nullptr ? source_->reconnects() : 0; }

  // SourceObserver
  void OnSourceReady(std::vector<TrackInfo> tracks) override;
  void OnSourcePacket(size_t track, const RtpView& packet) override;
  void OnSourceLost(std::string_view reason) override;
  // PathClient: the path is going away, or its source setting changed.
  void OnPathGone(std::string_view reason) override;

 private:
  PathHub& hub_;
  Path& path_;
  std::unique_ptr<Source> source_;
  bool ready_ = false;
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_PATH_FEED_H_
