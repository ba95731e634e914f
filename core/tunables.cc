#include "core/tunables.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/check.h"
#include "core/log.h"
#include "core/strings.h"

namespace ringcast::core {
namespace {

constexpr std::string_view kStatsPrefix = "stats";
constexpr std::string_view kPathPrefix = "path.";
constexpr size_t kMaxValueBytes = 4096;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
  return out;
}

absl::Status Invalid(std::string_view raw, std::string_view expected) {
  return absl::InvalidArgumentError(StrCat("invalid value \"", raw, "\": expected ", expected));
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

// "1500", "1500ms", "1.5s", "2m", "1h" → milliseconds.
std::optional<int64_t> ParseDurationMs(std::string_view s) {
  size_t unit_at = s.size();
  while (unit_at > 0 && absl::ascii_isalpha(static_cast<unsigned char>(s[unit_at - 1]))) --unit_at;
  std::string_view number = s.substr(0, unit_at);
  std::string_view unit = s.substr(unit_at);
  double scale;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m" || unit == "min") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else {
    return std::nullopt;
  }
  if (number.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) ||
      value < 0 || value * scale > 9e15) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(value * scale));
}

bool ValidAddress(std::string_view s) {
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = s.substr(0, colon);
  std::optional<int64_t> port = ParseInt(s.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return false;
  if (host.empty()) return true;
  char buf[sizeof(in6_addr)];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    std::string v6(host.substr(1, host.size() - 2));
    return inet_pton(AF_INET6, v6.c_str(), buf) == 1;
  }
  std::string v4(host);
  return inet_pton(AF_INET, v4.c_str(), buf) == 1;
}

bool HasControlChars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::string ChoicesText(const std::vector<std::string>& choices) {
  return absl::StrJoin(choices, "|");
}

}  // namespace

bool MatchesPrefix(std::string_view name, std::string_view prefix) {
  if (prefix.empty()) return true;
  if (name.size() < prefix.size() || name.substr(0, prefix.size()) != prefix) return false;
  return name.size() == prefix.size() || name[prefix.size()] == '.' || prefix.back() == '.';
}

std::string_view TypeName(TunableType type) {
  switch (type) {
    case TunableType::kBool:
      return "bool";
    case TunableType::kInt:
      return "int";
    case TunableType::kDuration:
      return "duration";
    case TunableType::kString:
      return "string";
    case TunableType::kAddress:
      return "address";
    case TunableType::kList:
      return "list";
    case TunableType::kEnum:
      return "enum";
  }
  return "string";
}

absl::StatusOr<std::string> NormalizeValue(const TunableSpec& spec, std::string_view raw) {
  std::string_view value = Trim(raw);
  if (value.size() > kMaxValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("value is %d bytes (at most %d)", value.size(), kMaxValueBytes));
  }
  if (HasControlChars(value))
    return absl::InvalidArgumentError("value contains control characters");
  switch (spec.type) {
    case TunableType::kBool: {
      std::string v = Lower(value);
      if (v == "1" || v == "true" || v == "yes" || v == "on") return std::string("1");
      if (v == "0" || v == "false" || v == "no" || v == "off") return std::string("0");
      return Invalid(value, "0 or 1");
    }
    case TunableType::kInt: {
      std::optional<int64_t> v = ParseInt(value);
      if (!v || *v < spec.min || *v > spec.max) {
        return Invalid(value, absl::StrFormat("an integer in [%d, %d]", spec.min, spec.max));
      }
      return StrCat(*v);
    }
    case TunableType::kDuration: {
      std::optional<int64_t> v = ParseDurationMs(value);
      if (!v || *v < spec.min || *v > spec.max) {
        return Invalid(value, absl::StrFormat("a duration in [%d, %d] ms (e.g. 1500, 1500ms, 1.5s)",
                                              spec.min, spec.max));
      }
      return StrCat(*v);
    }
    case TunableType::kString:
      return std::string(value);
    case TunableType::kAddress:
      if (!ValidAddress(value)) {
        return Invalid(value, "HOST:PORT, [IPV6]:PORT or :PORT with a numeric host");
      }
      return std::string(value);
    case TunableType::kList: {
      std::vector<std::string> items;
      for (absl::string_view item :
           absl::StrSplit(absl::string_view(value.data(), value.size()), ',')) {
        std::string_view trimmed = Trim(ToStd(item));
        if (trimmed.empty()) continue;
        if (!spec.choices.empty() &&
            std::find(spec.choices.begin(), spec.choices.end(), trimmed) == spec.choices.end()) {
          return Invalid(value, StrCat("a comma-separated list of ", ChoicesText(spec.choices)));
        }
        if (spec.check_item != nullptr) {
          if (absl::Status ok = spec.check_item(trimmed); !ok.ok()) {
            return absl::InvalidArgumentError(ok.message());
          }
        }
        items.emplace_back(trimmed);
      }
      return absl::StrJoin(items, ",");
    }
    case TunableType::kEnum:
      for (const std::string& choice : spec.choices) {
        if (value == choice) return choice;
      }
      return Invalid(value, StrCat("one of ", ChoicesText(spec.choices)));
  }
  return absl::InternalError("unknown tunable type");
}

std::string DescribeSpec(const TunableSpec& spec) {
  std::string kind;
  switch (spec.type) {
    case TunableType::kInt:
      kind = absl::StrFormat("int %d..%d", spec.min, spec.max);
      break;
    case TunableType::kDuration:
      kind = absl::StrFormat("duration %d..%d ms", spec.min, spec.max);
      break;
    case TunableType::kEnum:
      kind = StrCat("one of ", ChoicesText(spec.choices));
      break;
    case TunableType::kList:
      kind = spec.choices.empty() ? "list" : StrCat("list of ", ChoicesText(spec.choices));
      break;
    default:
      kind = std::string(TypeName(spec.type));
  }
  std::string default_text = spec.default_value.empty() ? "\"\"" : spec.default_value;
  if (spec.secret) default_text = "(secret)";
  return StrCat(kind, ", default ", default_text, ", ",
                spec.apply == Apply::kLive ? "live" : "at restart");
}

std::string MaskUrlPasswords(std::string_view text) {
  constexpr std::string_view kMask = "********";
  std::string out;
  size_t copied = 0;
  for (size_t scheme_end = text.find("://"); scheme_end != std::string_view::npos;
       scheme_end = text.find("://", scheme_end + 3)) {
    const size_t authority = scheme_end + 3;
    const size_t authority_end = std::min(text.find_first_of("/?#", authority), text.size());
    const std::string_view host_part = text.substr(authority, authority_end - authority);
    const size_t at = host_part.rfind('@');
    if (at == std::string_view::npos) continue;
    const size_t colon = host_part.substr(0, at).find(':');
    if (colon == std::string_view::npos) continue;  // a user name alone
    const size_t password = authority + colon + 1;
    out.append(text.substr(copied, password - copied));
    out.append(kMask);
    copied = authority + at;  // from the '@' on
  }
  out.append(text.substr(copied));
  return out;
}

std::string ShownValue(const TunableSpec* spec, std::string_view value) {
  if (spec != nullptr && spec->secret) return value.empty() ? std::string() : "********";
  return MaskUrlPasswords(value);
}

std::string FormatStatValue(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15) {
    return StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.10g", value);
}

// --- Registry ---------------------------------------------------------------------------------

void Registry::Define(TunableSpec spec) {
  CHECK_MSG(!MatchesPrefix(spec.name, kStatsPrefix) && !MatchesPrefix(spec.name, "path"),
            "stats.* and path.* are not plain tunables");
  std::string name = spec.name;
  std::string value = spec.default_value;
  CHECK_MSG(NormalizeValue(spec, value).ok(), "tunable default does not pass its own check");
  auto [it, inserted] = specs_.emplace(name, std::move(spec));
  CHECK_MSG(inserted, "tunable defined twice");
  values_[name] = Entry{&it->second, std::move(value)};
}

void Registry::DefinePathKey(TunableSpec spec) {
  CHECK_MSG(NormalizeValue(spec, spec.default_value).ok(), "path key default fails its check");
  std::string key = spec.name;
  auto [it, inserted] = path_specs_.emplace(key, std::move(spec));
  CHECK_MSG(inserted, "path key defined twice");
}

void Registry::AddStatSource(StatSource source) { stat_sources_.push_back(std::move(source)); }

std::vector<StatSample> Registry::CollectStats() const {
  std::vector<StatSample> samples;
  for (const StatSource& source : stat_sources_) source(samples);
  return samples;
}

bool Registry::IsValidPathName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

const TunableSpec* Registry::Resolve(std::string_view name, std::string* path_name) const {
  if (name.substr(0, kPathPrefix.size()) == kPathPrefix) {
    std::string_view rest = name.substr(kPathPrefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return nullptr;
    auto it = path_specs_.find(rest.substr(dot + 1));
    if (it == path_specs_.end()) return nullptr;
    if (path_name != nullptr) *path_name = std::string(rest.substr(0, dot));
    return &it->second;
  }
  auto it = specs_.find(name);
  return it == specs_.end() ? nullptr : &it->second;
}

const TunableSpec* Registry::Spec(std::string_view name) const { return Resolve(name, nullptr); }

StatTable::StatTable(std::vector<StatSample> samples) : samples_(std::move(samples)) {
  index_.reserve(samples_.size());
  for (size_t i = 0; i < samples_.size(); ++i) index_.emplace(samples_[i].name, i);
}

const StatSample* StatTable::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &samples_[it->second];
}

bool Registry::PrefixMayHoldStats(std::string_view prefix) {
  return prefix.empty() || MatchesPrefix(prefix, kStatsPrefix);
}

absl::StatusOr<std::string> Registry::Get(std::string_view name, const StatTable* stats) const {
  if (MatchesPrefix(name, kStatsPrefix)) {
    StatTable own;
    if (stats == nullptr) stats = &(own = StatTable(CollectStats()));
    if (const StatSample* sample = stats->Find(name)) {
      return FormatStatValue(sample->value);
    }
    return absl::NotFoundError(StrCat("unknown key \"", name, "\""));
  }
  auto it = values_.find(name);
  if (it == values_.end()) return absl::NotFoundError(StrCat("unknown key \"", name, "\""));
  return it->second.value;
}

absl::StatusOr<std::string> Registry::Describe(std::string_view name,
                                               const StatTable* stats) const {
  if (MatchesPrefix(name, kStatsPrefix)) {
    StatTable own;
    if (stats == nullptr) stats = &(own = StatTable(CollectStats()));
    if (const StatSample* sample = stats->Find(name)) {
      return StrCat(sample->help, " (read-only ", sample->counter ? "counter" : "gauge", ")");
    }
  } else if (values_.count(name) != 0) {
    const TunableSpec* spec = Resolve(name, nullptr);
    return StrCat(spec->description, " (", DescribeSpec(*spec), ")");
  }
  return absl::NotFoundError(StrCat("unknown key \"", name, "\""));
}

std::vector<std::string> Registry::List(std::string_view prefix, bool with_stats,
                                        const StatTable* stats) const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : values_) {
    if (MatchesPrefix(name, prefix)) names.push_back(name);
  }
  if (with_stats && PrefixMayHoldStats(prefix)) {
    StatTable own;
    if (stats == nullptr) stats = &(own = StatTable(CollectStats()));
    std::vector<std::string> stat_names;
    for (const StatSample& sample : stats->samples()) {
      if (MatchesPrefix(sample.name, prefix)) stat_names.push_back(sample.name);
    }
    std::sort(stat_names.begin(), stat_names.end());
    names.insert(names.end(), stat_names.begin(), stat_names.end());
  }
  return names;
}

std::vector<std::string> Registry::PathNames() const {
  std::set<std::string> paths;
  for (const auto& [name, entry] : values_) {
    std::string path;
    if (name.substr(0, kPathPrefix.size()) == kPathPrefix && Resolve(name, &path) != nullptr) {
      paths.insert(path);
    }
  }
  return {paths.begin(), paths.end()};
}

void Registry::AddPathEntries(Values& values, std::string_view path_name) const {
  for (const auto& [key, spec] : path_specs_) {
    values.emplace(StrCat(kPathPrefix, path_name, ".", key), Entry{&spec, spec.default_value});
  }
}

absl::StatusOr<std::string> Registry::Assign(Values& values, std::string_view name,
                                             std::string_view raw) const {
  if (MatchesPrefix(name, kStatsPrefix)) {
    return absl::PermissionDeniedError(StrCat("key \"", name, "\" is read-only"));
  }
  std::string path_name;
  const TunableSpec* spec = Resolve(name, &path_name);
  if (spec == nullptr) return absl::NotFoundError(StrCat("unknown key \"", name, "\""));
  bool is_path = name.substr(0, kPathPrefix.size()) == kPathPrefix;
  if (is_path && !IsValidPathName(path_name)) {
    return absl::InvalidArgumentError(
        StrCat("invalid path name \"", path_name, "\": use 1-64 letters, digits, '_' or '-'"));
  }
  absl::StatusOr<std::string> canonical = NormalizeValue(*spec, raw);
  if (!canonical.ok()) {
    return absl::InvalidArgumentError(StrCat(name, ": ", ToStd(canonical.status().message())));
  }
  if (is_path && values.find(name) == values.end()) AddPathEntries(values, path_name);
  values[std::string(name)].value = *canonical;
  return canonical;
}

absl::StatusOr<std::string> Registry::Set(std::string_view name, std::string_view raw) {
  std::string path_name;
  const TunableSpec* spec = Resolve(name, &path_name);
  if (spec != nullptr && spec->apply == Apply::kRestart) {
    absl::StatusOr<std::string> canonical = NormalizeValue(*spec, raw);
    if (!canonical.ok()) {
      return absl::InvalidArgumentError(StrCat(name, ": ", ToStd(canonical.status().message())));
    }
    auto it = values_.find(name);
    if (it != values_.end() && it->second.value == *canonical) return canonical;
    return absl::FailedPreconditionError(
        "applies at restart only: set it in a config file and restart ringcastd");
  }
  bool new_path = !path_name.empty() && values_.find(name) == values_.end();
  ASSIGN_OR_RETURN(std::string canonical, Assign(values_, name, raw));
  if (new_path) {
    LOG_INFO("config: path %s added", path_name);
    for (const auto& [key, entry] : values_) {
      if (MatchesPrefix(key, StrCat(kPathPrefix, path_name)))
        Notify(key, entry.value, Change::kSet);
    }
  } else {
    Notify(name, canonical, Change::kSet);
  }
  return canonical;
}

absl::Status Registry::RemovePath(std::string_view path_name) {
  if (!IsValidPathName(path_name)) {
    return absl::InvalidArgumentError(
        StrCat("invalid path name \"", path_name, "\": use 1-64 letters, digits, '_' or '-'"));
  }
  std::string prefix = StrCat(kPathPrefix, path_name);
  bool found = false;
  for (auto it = values_.begin(); it != values_.end();) {
    if (MatchesPrefix(it->first, prefix)) {
      it = values_.erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  if (!found) return absl::NotFoundError(StrCat("unknown path \"", path_name, "\""));
  LOG_INFO("config: path %s removed", path_name);
  Notify(prefix, "", Change::kRemoved);
  return absl::OkStatus();
}

absl::Status Registry::ApplyConfig(const std::vector<ConfigLine>& lines, bool startup) {
  Values staged;
  for (const auto& [name, spec] : specs_) staged[name] = Entry{&spec, spec.default_value};
  std::vector<std::string> errors;
  for (const ConfigLine& line : lines) {
    absl::StatusOr<std::string> assigned = Assign(staged, line.key, line.value);
    if (!assigned.ok() && !line.ignore_errors) {
      errors.push_back(StrCat(line.file, ":", line.line, ": ", ToStd(assigned.status().message())));
    }
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));

  if (startup) {
    values_ = std::move(staged);
    for (const auto& [name, entry] : values_) Notify(name, entry.value, Change::kSet);
    return absl::OkStatus();
  }
  std::set<std::string> removed_paths;
  for (const auto& [name, entry] : values_) {
    std::string path;
    if (staged.find(name) == staged.end() && Resolve(name, &path) != nullptr && !path.empty()) {
      removed_paths.insert(path);
    }
  }
  for (const std::string& path : removed_paths) {
    absl::Status removed = RemovePath(path);
    DCHECK(removed.ok());
  }
  for (auto& [name, entry] : staged) {
    auto it = values_.find(name);
    if (it != values_.end() && it->second.value == entry.value) continue;
    if (it != values_.end() && entry.spec->apply == Apply::kRestart) {
      LOG_WARN("config: %s = %s in the config files takes effect at restart; still running with %s",
               name, ShownValue(entry.spec, entry.value), ShownValue(entry.spec, it->second.value));
      continue;
    }
    values_[name] = entry;
    Notify(name, entry.value, Change::kSet);
  }
  return absl::OkStatus();
}

void Registry::Watch(std::string prefix, Watcher watcher) {
  watchers_.emplace_back(std::move(prefix), std::move(watcher));
}

void Registry::Notify(std::string_view name, std::string_view value, Change change) {
  for (const auto& [prefix, watcher] : watchers_) {
    if (MatchesPrefix(name, prefix)) watcher(name, value, change);
  }
}

}  // namespace ringcast::core
