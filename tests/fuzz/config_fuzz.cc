// Fuzz target for config files: ParseConfigText, NormalizeValue on every parsed value against
// specs of each type, and Registry::ApplyConfig (start-up and reload) with the real tunables.
// None of it may crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/config_file.h"
#include "core/log.h"
#include "core/networks.h"
#include "core/tunables.h"
#include "tools/ringcastd/settings.h"

namespace ringcast::core {
namespace {

std::vector<TunableSpec> MakeSpecs() {
  return {
      {.name = "f.bool", .type = TunableType::kBool, .default_value = "0"},
      {.name = "f.int", .type = TunableType::kInt, .default_value = "2", .min = 1, .max = 64},
      {.name = "f.int_wide",
       .type = TunableType::kInt,
       .default_value = "0",
       .min = INT64_MIN,
       .max = INT64_MAX},
      {.name = "f.duration",
       .type = TunableType::kDuration,
       .default_value = "1500",
       .min = 0,
       .max = 600'000},
      {.name = "f.duration_wide",
       .type = TunableType::kDuration,
       .default_value = "0",
       .min = INT64_MIN,
       .max = INT64_MAX},
      {.name = "f.string", .type = TunableType::kString},
      {.name = "f.address", .type = TunableType::kAddress, .default_value = ":8554"},
      {.name = "f.list", .type = TunableType::kList},
      {.name = "f.codecs",
       .type = TunableType::kList,
       .default_value = "h264",
       .choices = {"h264", "h265", "opus"}},
      {.name = "f.networks", .type = TunableType::kList, .check_item = NetworkList::CheckItem},
      {.name = "f.enum",
       .type = TunableType::kEnum,
       .default_value = "tcp",
       .choices = {"tcp", "udp", "auto"}},
  };
}

void MakeRegistry(Registry& registry) {
  daemon::DefineAllTunables(registry);
  registry.AddStatSource([](std::vector<StatSample>& out) {
    out.push_back({.name = "stats.paths", .value = 1, .metric = "ringcast_paths", .help = "paths"});
  });
}

void CheckRegistry(const Registry& registry) {
  for (const std::string& name : registry.List("")) {
    (void)registry.Get(name);
    (void)registry.Describe(name);
  }
  (void)registry.PathNames();
}

}  // namespace
}  // namespace ringcast::core

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ringcast::core;
  static const std::vector<TunableSpec> specs = MakeSpecs();
  static const bool quiet = [] {
    SetLogSinkForTest([](LogLevel, std::string_view) {});
    return true;
  }();
  (void)quiet;

  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<ConfigLine>> parsed = ParseConfigText(text, "fuzz.conf");
  std::vector<ConfigLine> lines;
  if (parsed.ok()) {
    lines = std::move(parsed).value();
  } else {
    // A file with one bad line is refused whole; parse line by line so the good lines still
    // reach the registry.
    size_t start = 0;
    while (start <= text.size()) {
      size_t eol = text.find('\n', start);
      std::string_view one = text.substr(start, eol == std::string_view::npos ? eol : eol - start);
      absl::StatusOr<std::vector<ConfigLine>> line = ParseConfigText(one, "fuzz.conf");
      if (line.ok()) lines.insert(lines.end(), line->begin(), line->end());
      if (eol == std::string_view::npos) break;
      start = eol + 1;
    }
  }

  for (const ConfigLine& line : lines) {
    // Allow-lists: a list that parses prints a canonical form that parses to the same list, and
    // matching never fails whatever the peer's text.
    if (absl::StatusOr<NetworkList> networks = NetworkList::Parse(line.value); networks.ok()) {
      absl::StatusOr<NetworkList> again = NetworkList::Parse(networks->ToString());
      if (!again.ok() || again->ToString() != networks->ToString()) __builtin_trap();
      (void)networks->Allows(line.key);
      (void)networks->Allows("192.0.2.7");
      (void)networks->Allows("::ffff:10.1.2.3");
    }
    for (const TunableSpec& spec : specs) {
      absl::StatusOr<std::string> value = NormalizeValue(spec, line.value);
      // A canonical value is a fixed point.
      if (value.ok()) {
        absl::StatusOr<std::string> again = NormalizeValue(spec, *value);
        if (!again.ok() || *again != *value) __builtin_trap();
      }
    }
  }

  Registry registry;
  MakeRegistry(registry);
  (void)registry.ApplyConfig(lines, /*startup=*/true);
  CheckRegistry(registry);
  // A reload with the first half of the lines, then the whole file again.
  std::vector<ConfigLine> half(lines.begin(),
                               lines.begin() + static_cast<ptrdiff_t>(lines.size() / 2));
  (void)registry.ApplyConfig(half, /*startup=*/false);
  CheckRegistry(registry);
  (void)registry.ApplyConfig(lines, /*startup=*/false);
  CheckRegistry(registry);
  // Live writes of every line, as ringcastctl -p does.
  for (const ConfigLine& line : lines) (void)registry.Set(line.key, line.value);
  CheckRegistry(registry);
  return 0;
}
