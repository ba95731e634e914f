#include "tools/ringcastd/sources.h"

#include "core/log.h"
#include "core/strings.h"
#include "net/rtsp/client.h"
#include "rtp/demo_source.h"

namespace ringcast::daemon {

absl::StatusOr<std::unique_ptr<rtp::Source>> DaemonSources::CreateSource(
    std::string_view path_name, const rtp::hub::PathConfig& config, core::Ring& ring,
    core::BufferRing& buffers, rtp::SourceObserver& observer) {
  if (config.source == "demo") {
    absl::Status last = absl::NotFoundError("no demo clip candidates");
    for (const std::string& clip : demo_clips_) {
      absl::StatusOr<std::unique_ptr<rtp::DemoSource>> demo =
          rtp::DemoSource::Create(ring, clip, observer);
      if (demo.ok()) {
        LOG_INFO("path %s: playing the demo clip %s in a loop", path_name, clip);
        return std::unique_ptr<rtp::Source>(std::move(demo).value());
      }
      last = demo.status();
    }
    LOG_ERROR("path %s: no demo clip: %s", path_name, core::ToStd(last.message()));
    return last;
  }
  // Anything else is a URL to pull; the client logs (without credentials) why one cannot work.
  net::rtsp::RtspClientOptions options;
  options.url = config.source;
  options.transport = config.source_transport == "udp"    ? net::rtsp::PullTransport::kUdp
                      : config.source_transport == "auto" ? net::rtsp::PullTransport::kAuto
                                                          : net::rtsp::PullTransport::kTcp;
  options.log_name = core::StrCat("path ", path_name);
  return std::unique_ptr<rtp::Source>(
      std::make_unique<net::rtsp::RtspClient>(ring, buffers, std::move(options), observer));
}

}  // namespace ringcast::daemon
