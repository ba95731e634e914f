// SettingsReader: how a component turns its tunables into a typed settings struct, in one place.
//
//   core::SettingsReader read(registry);
//   options.udp_port = read.Int("webrtc.udp_port");
//   options.gso = read.Bool("webrtc.gso");
//   RETURN_IF_ERROR(read.status());
//
// The registry keeps every value in canonical form (NormalizeValue checked it against its spec),
// so for a defined key of the right type nothing here can fail. A key that is not defined, or is
// read as another type than its spec says, is a mistake in the component: the reader returns a
// zero value, remembers the first such error (naming the key) for status(), and never throws.
//
// Threads: the registry's (the control thread).
#ifndef RINGCAST_CORE_SETTINGS_READER_H_
#define RINGCAST_CORE_SETTINGS_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tunables.h"

namespace ringcast::core {

class SettingsReader {
 public:
  explicit SettingsReader(const Registry& registry) : registry_(registry) {}

  bool Bool(std::string_view key);
  int64_t Int(std::string_view key);
  // A kDuration key (stored in milliseconds), in nanoseconds.
  int64_t DurationNs(std::string_view key);
  // kString, kAddress and kEnum keys.
  std::string String(std::string_view key);
  // A kList key's items, in order; empty items left out.
  std::vector<std::string> List(std::string_view key);
  // A kList key's canonical text ("a,b").
  std::string ListText(std::string_view key);
  // A kString key holding a comma-separated list (webrtc.advertise): its trimmed, non-empty items.
  std::vector<std::string> CommaSeparated(std::string_view key);

  // OK, or the first key that could not be read as asked.
  const absl::Status& status() const { return status_; }

 private:
  // The key's canonical value when it is defined with one of `types`; nullopt (and status_) if not.
  std::optional<std::string> Raw(std::string_view key, std::initializer_list<TunableType> types,
                                 std::string_view as);
  void Fail(std::string_view key, std::string_view why);

  const Registry& registry_;
  absl::Status status_;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_SETTINGS_READER_H_
