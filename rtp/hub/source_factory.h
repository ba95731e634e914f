// SourceFactory: how the hub starts the sources it runs itself (path.NAME.source = demo, or an
// rtsp:// URL to pull). The hub knows no protocol: the composition root (tools/ringcastd) gives it
// a factory that knows the demo clip and the RTSP client.
//
// Threads: called on the hub's worker thread; the source it returns runs there too.
#ifndef RINGCAST_RTP_HUB_SOURCE_FACTORY_H_
#define RINGCAST_RTP_HUB_SOURCE_FACTORY_H_

#include <memory>
#include <string_view>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/status.h"
#include "rtp/hub/path.h"
#include "rtp/source.h"

namespace ringcast::rtp::hub {

class SourceFactory {
 public:
  // Makes (does not start) the source `config.source` names for the path `path_name`, to run on
  // `ring`'s thread and feed `observer`, which outlives it. An error (no demo clip, a URL that
  // cannot work) has already been logged by the factory; the hub leaves the path without one.
  virtual absl::StatusOr<std::unique_ptr<Source>> CreateSource(std::string_view path_name,
                                                               const PathConfig& config,
                                                               core::Ring& ring,
                                                               core::BufferRing& buffers,
                                                               SourceObserver& observer) = 0;

 protected:
  ~SourceFactory() = default;
};

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_SOURCE_FACTORY_H_
