#include "rtp/hub/path_feed.h"

#include "core/clock.h"
#include "core/log.h"
#include "rtp/hub/path_hub.h"

namespace ringcast::rtp::hub {

PathFeed::~PathFeed() {
  if (source_ != nullptr) source_->Stop();
  source_.reset();
  if (ready_) hub_.Unpublish(path_, this);
}

void PathFeed::Start(std::unique_ptr<Source> source) {
  source_ = std::move(source);
  source_->Start();
}

void PathFeed::OnSourceReady(std::vector<TrackInfo> tracks) {
  if (!hub_.Publish(path_, this, std::string(source_->description()), std::move(tracks))) {
    LOG_ERROR("path %s: the source is ready but the path has another publisher", path_.name);
    return;
  }
  ready_ = true;
  hub_.OnSourceReady(path_);
}

void PathFeed::OnSourcePacket(size_t track, const RtpView& packet) {
  if (!ready_ || path_.stream == nullptr || track >= path_.stream->track_count()) return;
  path_.stream->track(track).Ingest(packet, core::BatchNowNs());
}

void PathFeed::OnSourceLost(std::string_view reason) {
  if (!ready_) return;
  ready_ = false;
  hub_.Unpublish(path_, this);
}

void PathFeed::OnPathGone(std::string_view reason) {
  // The hub destroys us right after (Remove / reconfigure); stop feeding now.
  if (source_ != nullptr) source_->Stop();
  ready_ = false;
}

}  // namespace ringcast::rtp::hub
