// The keys every path has (path.NAME.*): defined here, next to the hub that uses them, and read
// into a PathConfig in one place. Control thread (the registry's); the daemon forwards the
// result to the path's worker.
#ifndef RINGCAST_RTP_HUB_PATH_SETTINGS_H_
#define RINGCAST_RTP_HUB_PATH_SETTINGS_H_

#include <string_view>

#include "core/status.h"
#include "core/tunables.h"
#include "rtp/hub/directory.h"
#include "rtp/hub/path.h"

namespace ringcast::rtp::hub {

// path.NAME.*.
void DefinePathTunables(core::Registry& registry);
// The hub-wide keys: hub.placement.
void DefineHubTunables(core::Registry& registry);
absl::StatusOr<PlacementPolicy> ReadPlacementPolicy(const core::Registry& registry);
// path.NAME.* as the registry has them now; NotFound when the path is not configured.
absl::StatusOr<PathConfig> ReadPathConfig(const core::Registry& registry, std::string_view name);

}  // namespace ringcast::rtp::hub

#endif  // RINGCAST_RTP_HUB_PATH_SETTINGS_H_
