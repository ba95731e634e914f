#include "core/settings_reader.h"

#include <charconv>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/strings.h"

namespace ringcast::core {

void SettingsReader::Fail(std::string_view key, std::string_view why) {
  if (status_.ok()) status_ = absl::InternalError(StrCat("setting ", key, ": ", why));
}

std::optional<std::string> SettingsReader::Raw(std::string_view key,
                                               std::initializer_list<TunableType> types,
                                               std::string_view as) {
  const TunableSpec* spec = registry_.Spec(key);
  if (spec == nullptr) {
    Fail(key, "no such tunable");
    return std::nullopt;
  }
  bool type_ok = false;
  for (TunableType type : types) type_ok = type_ok || spec->type == type;
  if (!type_ok) {
    Fail(key, StrCat("has type ", TypeName(spec->type), ", read as ", as));
    return std::nullopt;
  }
  absl::StatusOr<std::string> value = registry_.Get(key);
  if (!value.ok()) {
    Fail(key, ToStd(value.status().message()));
    return std::nullopt;
  }
  return *std::move(value);
}

bool SettingsReader::Bool(std::string_view key) {
  std::optional<std::string> raw = Raw(key, {TunableType::kBool}, "a bool");
  return raw && *raw == "1";
}

int64_t SettingsReader::Int(std::string_view key) {
  std::optional<std::string> raw = Raw(key, {TunableType::kInt, TunableType::kDuration}, "an int");
  if (!raw) return 0;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    Fail(key, StrCat("\"", *raw, "\" is not an integer"));
    return 0;
  }
  return value;
}

int64_t SettingsReader::DurationNs(std::string_view key) {
  std::optional<std::string> raw = Raw(key, {TunableType::kDuration}, "a duration");
  if (!raw) return 0;
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), ms);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    Fail(key, StrCat("\"", *raw, "\" is not a number of milliseconds"));
    return 0;
  }
  return ms * 1'000'000;
}

std::string SettingsReader::String(std::string_view key) {
  std::optional<std::string> raw =
      Raw(key, {TunableType::kString, TunableType::kAddress, TunableType::kEnum}, "a string");
  return raw ? *std::move(raw) : std::string();
}

std::vector<std::string> SettingsReader::List(std::string_view key) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(ListText(key), ',', absl::SkipEmpty())) {
    items.emplace_back(item);
  }
  return items;
}

std::string SettingsReader::ListText(std::string_view key) {
  std::optional<std::string> raw = Raw(key, {TunableType::kList}, "a list");
  return raw ? *std::move(raw) : std::string();
}

std::vector<std::string> SettingsReader::CommaSeparated(std::string_view key) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(String(key), ',')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(item);
    if (!trimmed.empty()) items.emplace_back(trimmed);
  }
  return items;
}

}  // namespace ringcast::core
