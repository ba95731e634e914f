#include "rtp/hub/path_settings.h"

#include "core/networks.h"
#include "core/settings_reader.h"
#include "core/strings.h"

namespace ringcast::rtp::hub {

using core::TunableType;

void DefineHubTunables(core::Registry& registry) {
  registry.Define({.name = "hub.placement",
                   .type = TunableType::kEnum,
                   .default_value = "least_loaded",
                   .choices = {"least_loaded", "hash"},
                   .description = "how a path that becomes active is placed on a worker: the one "
                                  "taking in the fewest packets, or a hash of the path's name "
                                  "(path.NAME.worker overrides both)",
                   .apply = core::Apply::kRestart});
}

void DefinePathTunables(core::Registry& registry) {
  registry.DefinePathKey({.name = "source",
                          .type = TunableType::kString,
                          .default_value = "publisher",
                          .description =
                              "where the stream comes from: publisher (RTSP ANNOUNCE/RECORD) "
                              "or rtsp://[user:pass@]host[:port]/path to pull"});
  registry.DefinePathKey({.name = "source_transport",
                          .type = TunableType::kEnum,
                          .default_value = "tcp",
                          .choices = {"tcp", "udp", "auto"},
                          .description = "RTP transport when pulling from an rtsp:// source"});
  registry.DefinePathKey({.name = "on_demand",
                          .type = TunableType::kBool,
                          .default_value = "0",
                          .description = "pull the source only while someone watches"});
  registry.DefinePathKey(
      {.name = "on_demand_close_after_ms",
       .type = TunableType::kDuration,
       .default_value = "10000",
       .min = 1000,
       .max = 86400000,
       .description = "an on-demand source closes after this long without readers"});
  registry.DefinePathKey({.name = "read_user",
                          .type = TunableType::kString,
                          .description = "user name readers must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "read_pass",
                          .type = TunableType::kString,
                          .description = "password readers must give",
                          .secret = true});
  registry.DefinePathKey(
      {.name = "publish_user",
       .type = TunableType::kString,
       .description = "user name a publisher must give (empty: no authentication)"});
  registry.DefinePathKey({.name = "publish_pass",
                          .type = TunableType::kString,
                          .description = "password a publisher must give",
                          .secret = true});
  registry.DefinePathKey({.name = "read_allow",
                          .type = TunableType::kList,
                          .description = "networks readers may come from, e.g. 10.0.0.0/8, "
                                         "192.0.2.7, 2001:db8::/32 (empty: anywhere); others get "
                                         "403",
                          .check_item = core::NetworkList::CheckItem});
  registry.DefinePathKey({.name = "publish_allow",
                          .type = TunableType::kList,
                          .description = "networks a publisher may come from (empty: anywhere); "
                                         "others get 403",
                          .check_item = core::NetworkList::CheckItem});
  registry.DefinePathKey({.name = "max_readers",
                          .type = TunableType::kInt,
                          .default_value = "0",
                          .min = 0,
                          .max = 1000000,
                          .description = "most simultaneous readers (0: no limit)"});
  registry.DefinePathKey({.name = "worker",
                          .type = TunableType::kInt,
                          .default_value = "-1",
                          .min = -1,
                          .max = 1023,
                          .description =
                              "worker the path is placed on when it becomes active (-1: the least "
                              "loaded; a change applies at the next activation)"});
  registry.DefinePathKey(
      {.name = "override_publisher",
       .type = TunableType::kBool,
       .default_value = "0",
       .description = "a new publisher replaces the current one instead of being refused"});
}

absl::StatusOr<PlacementPolicy> ReadPlacementPolicy(const core::Registry& registry) {
  core::SettingsReader read(registry);
  std::string policy = read.String("hub.placement");
  RETURN_IF_ERROR(read.status());
  return policy == "hash" ? PlacementPolicy::kHash : PlacementPolicy::kLeastLoaded;
}

absl::StatusOr<PathConfig> ReadPathConfig(const core::Registry& registry, std::string_view name) {
  std::string prefix = core::StrCat("path.", name, ".");
  if (registry.List(core::StrCat("path.", name), /*with_stats=*/false).empty()) {
    return absl::NotFoundError(core::StrCat("no path ", name));
  }
  core::SettingsReader read(registry);
  auto key = [&](std::string_view suffix) { return core::StrCat(prefix, suffix); };
  PathConfig config;
  config.source = read.String(key("source"));
  config.source_transport = read.String(key("source_transport"));
  config.on_demand = read.Bool(key("on_demand"));
  config.on_demand_close_after_ns = read.DurationNs(key("on_demand_close_after_ms"));
  config.read_user = read.String(key("read_user"));
  config.read_pass = read.String(key("read_pass"));
  config.publish_user = read.String(key("publish_user"));
  config.publish_pass = read.String(key("publish_pass"));
  config.max_readers = read.Int(key("max_readers"));
  ASSIGN_OR_RETURN(config.read_allow, core::NetworkList::Parse(read.ListText(key("read_allow"))));
  ASSIGN_OR_RETURN(config.publish_allow,
                   core::NetworkList::Parse(read.ListText(key("publish_allow"))));
  config.override_publisher = read.Bool(key("override_publisher"));
  config.worker = static_cast<int>(read.Int(key("worker")));
  RETURN_IF_ERROR(read.status());
  return config;
}

}  // namespace ringcast::rtp::hub
