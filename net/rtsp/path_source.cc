#include "net/rtsp/path_source.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/strings.h"
#include "net/rtsp/url.h"

namespace ringcast::net::rtsp {

PathSource::PathSource(PathHub& hub, PathEntry& path, core::Ring& ring, core::BufferRing& buffers)
    : hub_(hub), path_(path), ring_(ring), buffers_(buffers) {}

PathSource::~PathSource() {
  if (client_ != nullptr) client_->Stop();
  if (demo_ != nullptr) demo_->Stop();
  client_.reset();
  demo_.reset();
  if (ready_) hub_.Unpublish(path_, this);
}

absl::Status PathSource::Start(const std::vector<std::string>& demo_clip_paths) {
  const PathConfig& config = path_.config;
  if (config.source == "demo") {
    absl::Status last = absl::NotFoundError("no demo clip candidates");
    for (const std::string& clip : demo_clip_paths) {
      absl::StatusOr<std::unique_ptr<rtp::DemoSource>> demo =
          rtp::DemoSource::Create(ring_, clip, *this);
      if (demo.ok()) {
        demo_ = std::move(demo).value();
        LOG_INFO("path %s: playing the demo clip %s in a loop", path_.name, clip);
        demo_->Start();
        return absl::OkStatus();
      }
      last = demo.status();
    }
    LOG_ERROR("path %s: no demo clip: %s", path_.name, core::ToStd(last.message()));
    return last;
  }
  RtspClientOptions options;
  options.url = config.source;
  options.transport = config.source_transport == "udp"    ? PullTransport::kUdp
                      : config.source_transport == "auto" ? PullTransport::kAuto
                                                          : PullTransport::kTcp;
  options.log_name = core::StrCat("path ", path_.name);
  client_ = std::make_unique<RtspClient>(ring_, buffers_, std::move(options), *this);
  client_->Start();
  return absl::OkStatus();
}

void PathSource::OnSourceReady(std::vector<rtp::TrackInfo> tracks) {
  if (!hub_.Publish(path_, this, RedactUrl(path_.config.source), std::move(tracks))) {
    LOG_ERROR("path %s: the source is ready but the path has another publisher", path_.name);
    return;
  }
  ready_ = true;
  hub_.OnSourceReady(path_);
}

void PathSource::OnSourcePacket(size_t track, const rtp::RtpView& packet) {
  if (!ready_ || path_.stream == nullptr || track >= path_.stream->track_count()) return;
  path_.stream->track(track).Ingest(packet, core::NowNs());
}

void PathSource::OnSourceLost(std::string_view reason) {
  if (!ready_) return;
  ready_ = false;
  hub_.Unpublish(path_, this);
}

void PathSource::OnPathGone(std::string_view reason) {
  // The hub destroys us right after (Remove / reconfigure); stop feeding now.
  if (client_ != nullptr) client_->Stop();
  if (demo_ != nullptr) demo_->Stop();
  ready_ = false;
}

bool PathSource::RequestKeyframe(size_t track) {
  return client_ != nullptr && client_->RequestKeyframe(track);
}

}  // namespace ringcast::net::rtsp
