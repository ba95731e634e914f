// DaemonSources: the sources ringcastd can run for a path (path.NAME.source): `demo` plays the
// built-in clip (rtp::DemoSource), an rtsp:// URL is pulled by net::rtsp::RtspClient
// (path.NAME.source_transport). The path hub asks for them through rtp::hub::SourceFactory and
// knows neither.
//
// Threads: CreateSource runs on the hub's worker; the object itself is read-only after
// construction, so one instance serves every worker.
#ifndef RINGCAST_TOOLS_RINGCASTD_SOURCES_H_
#define RINGCAST_TOOLS_RINGCASTD_SOURCES_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/hub/source_factory.h"

namespace ringcast::daemon {

class DaemonSources final : public rtp::hub::SourceFactory {
 public:
  // `demo_clips`: where to look for the demo clip, in order (rtp::DefaultDemoClipPaths).
  explicit DaemonSources(std::vector<std::string> demo_clips)
      : demo_clips_(std::move(demo_clips)) {}

  absl::StatusOr<std::unique_ptr<rtp::Source>> CreateSource(std::string_view path_name,
                                                            const rtp::hub::PathConfig& config,
                                                            core::Ring& ring,
                                                            core::BufferRing& buffers,
                                                            rtp::SourceObserver& observer) override;

 private:
  const std::vector<std::string> demo_clips_;
};

}  // namespace ringcast::daemon

#endif  // RINGCAST_TOOLS_RINGCASTD_SOURCES_H_
