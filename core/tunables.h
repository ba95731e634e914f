// The tunables registry: ringcast's sysctl-style namespace.
//
// Every setting has a dotted name (`webrtc.nack`), a type, a default, a range or set of choices,
// a one-line description and whether it applies live or at restart. Paths are the keys
// `path.NAME.KEY`; writing any key of a path that does not exist yet creates it with defaults,
// RemovePath deletes it. Read-only figures live under `stats.` and come from StatSources.
// The same names appear in config files, ringcastctl, /metrics and the docs.
//
// Values are kept in canonical text form (bool "0"/"1", durations in ms, lists "a,b"), which
// is what ringcastctl prints. Components learn about changes through Watch().
//
// Threading: the registry belongs to the control thread. Watchers run there; a component that
// lives on a worker forwards the new value with Worker::Post.
#ifndef RINGCAST_CORE_TUNABLES_H_
#define RINGCAST_CORE_TUNABLES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ringcast::core {

enum class TunableType { kBool, kInt, kDuration, kString, kAddress, kList, kEnum };
enum class Apply { kLive, kRestart };

struct TunableSpec {
  std::string name;  // full name, or for path keys the KEY part of path.NAME.KEY
  TunableType type = TunableType::kString;
  std::string default_value;
  int64_t min = 0;  // kInt, kDuration (ms)
  int64_t max = 0;
  std::vector<std::string> choices;  // kEnum
  std::string description;
  Apply apply = Apply::kLive;
  bool secret = false;  // passwords: shown as "********" by ringcastctl, never logged
  // kList: each item must pass this (e.g. NetworkList::CheckItem); its error is the reason.
  absl::Status (*check_item)(std::string_view item) = nullptr;
};

// Checks `raw` against `spec` and returns its canonical form, or an InvalidArgument error whose
// message says what is allowed ("expected an integer in [1, 64]").
absl::StatusOr<std::string> NormalizeValue(const TunableSpec& spec, std::string_view raw);
std::string_view TypeName(TunableType type);
// "int 1..64, default 2, live" — the line ringcastctl -d prints after the description.
std::string DescribeSpec(const TunableSpec& spec);

// `text` with the password of every URL in it ("scheme://user:password@host…") replaced by
// "********"; the rest unchanged. A camera's source URL carries its credentials: this is how
// they are shown (ringcastctl, /api/paths, logs).
std::string MaskUrlPasswords(std::string_view text);
// How a value of `spec` (nullptr: unknown) may be shown to anyone: "********" for a secret
// that is set, URL passwords masked otherwise.
std::string ShownValue(const TunableSpec* spec, std::string_view value);

// One read-only figure. `metric` and `labels` name it in Prometheus form.
struct StatSample {
  std::string name;  // stats.…
  double value = 0;
  std::string metric;  // ringcast_…
  std::vector<std::pair<std::string, std::string>> labels;
  std::string help;
  bool counter = false;  // counter (only goes up) or gauge
};
// Appends the current figures of one component. Runs on the control thread on every read.
using StatSource = std::function<void(std::vector<StatSample>&)>;
std::string FormatStatValue(double value);

// The stats of one moment, collected once and looked up by name: a request that reads many
// stats (ringcastctl -a, LIST stats.path) collects them once, not once per name — collecting
// asks every worker for its figures.
class StatTable {
 public:
  StatTable() = default;
  explicit StatTable(std::vector<StatSample> samples);
  // The index holds views of the names: a copy would point into the original.
  StatTable(const StatTable&) = delete;
  StatTable& operator=(const StatTable&) = delete;
  StatTable(StatTable&&) = default;
  StatTable& operator=(StatTable&&) = default;
  const std::vector<StatSample>& samples() const { return samples_; }
  const StatSample* Find(std::string_view name) const;

 private:
  std::vector<StatSample> samples_;
  std::unordered_map<std::string_view, size_t> index_;  // views of the names in samples_
};

// One `key = value` assignment from a config file or a ringcastctl -p file.
struct ConfigLine {
  std::string file;
  int line = 0;
  std::string key;
  std::string value;
  bool ignore_errors = false;  // the line began with '-' (sysctl.conf(5))
};

class Registry {
 public:
  enum class Change { kSet, kRemoved };
  using Watcher = std::function<void(std::string_view name, std::string_view value, Change change)>;

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Definitions happen at start-up; a duplicate name is a programming error (CHECK).
  void Define(TunableSpec spec);
  void DefinePathKey(TunableSpec spec);
  void AddStatSource(StatSource source);

  // Value of a tunable or a stat (stats are formatted numbers). NotFound for unknown names.
  // Stats come from `stats` when given (collected once for a request that reads many), else
  // from a collection made for this call.
  absl::StatusOr<std::string> Get(std::string_view name, const StatTable* stats = nullptr) const;
  // The spec of a tunable (path keys: the template), or nullptr.
  const TunableSpec* Spec(std::string_view name) const;
  // Description for ringcastctl -d, for tunables and stats (`stats` as for Get).
  absl::StatusOr<std::string> Describe(std::string_view name,
                                       const StatTable* stats = nullptr) const;
  // Names under `prefix` (all when empty), tunables then stats, sorted. A prefix matches whole
  // components: "webrtc" matches webrtc.nack, not webrtcx.y. Stats are those of `stats` when
  // given.
  std::vector<std::string> List(std::string_view prefix, bool with_stats = true,
                                const StatTable* stats = nullptr) const;
  std::vector<StatSample> CollectStats() const;
  // True when names under `prefix` may include stats (it is empty, "stats" or below it).
  static bool PrefixMayHoldStats(std::string_view prefix);
  std::vector<std::string> PathNames() const;

  // A live write (ringcastctl -w / -p). Errors: NotFound (unknown key), InvalidArgument (bad
  // value), PermissionDenied (stats.*: read-only), FailedPrecondition (restart-only key with a
  // value other than the running one). Returns the canonical value set.
  absl::StatusOr<std::string> Set(std::string_view name, std::string_view raw);
  absl::Status RemovePath(std::string_view path_name);

  // Makes the config files the truth: defaults, then `lines` in order (later wins). On any bad
  // line nothing changes and the error lists every bad line as "file:line: reason". With
  // `startup` false (a reload), restart-only keys keep their running values (a warning says
  // so) and paths missing from the files are removed.
  absl::Status ApplyConfig(const std::vector<ConfigLine>& lines, bool startup);

  // Calls `watcher` after each change of a key under `prefix` (whole components).
  void Watch(std::string prefix, Watcher watcher);

 private:
  struct Entry {
    const TunableSpec* spec;
    std::string value;
  };
  using Values = std::map<std::string, Entry, std::less<>>;

  static bool IsValidPathName(std::string_view name);
  // Finds the spec for `name`; for path.NAME.KEY also returns NAME.
  const TunableSpec* Resolve(std::string_view name, std::string* path_name) const;
  // Validates and stores one assignment into `values` (creating a path's entries as needed).
  absl::StatusOr<std::string> Assign(Values& values, std::string_view name,
                                     std::string_view raw) const;
  void AddPathEntries(Values& values, std::string_view path_name) const;
  void Notify(std::string_view name, std::string_view value, Change change);

  std::map<std::string, TunableSpec, std::less<>> specs_;
  std::map<std::string, TunableSpec, std::less<>> path_specs_;
  std::vector<StatSource> stat_sources_;
  Values values_;
  std::vector<std::pair<std::string, Watcher>> watchers_;
};

// True when `name` equals `prefix` or continues it with a '.'.
bool MatchesPrefix(std::string_view name, std::string_view prefix);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_TUNABLES_H_
