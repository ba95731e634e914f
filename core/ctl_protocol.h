// The control-socket protocol between ringcastctl and ringcastd (ctl.socket, a Unix stream
// socket). Text, one request per line, replies as lines ended by a line holding only ".":
//
//   GET name            → "V name value"
//   LIST [prefix]       → one "V name value" per key (tunables, then stats.*)
//   SET name value      → "V name value" with the canonical value set
//   DESC name|prefix    → "D name description" per key
//   DELPATH name        → "V path.name removed"
//   RELOAD              → "V config reloaded"
//   any error           → "E code name message"   (code: see CtlError)
//
// Names and values never contain newlines (the registry refuses control characters).
// Parsers here take untrusted bytes; they return nullopt/false, never crash (fuzzed).
#ifndef RINGCAST_CORE_CTL_PROTOCOL_H_
#define RINGCAST_CORE_CTL_PROTOCOL_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ringcast::core {

inline constexpr size_t kCtlMaxLine = 16384;

struct CtlRequest {
  enum class Verb { kGet, kList, kSet, kDesc, kDelPath, kReload };
  Verb verb = Verb::kGet;
  std::string name;   // key, prefix or path name
  std::string value;  // SET only
};

// Error codes on the wire; ringcastctl turns each into sysctl-like wording.
enum class CtlError { kUnknown, kInvalid, kReadOnly, kRestart, kDenied, kBadRequest, kInternal };
std::string_view CtlErrorName(CtlError code);
std::optional<CtlError> ParseCtlErrorName(std::string_view name);
// The wire code for a registry Status.
CtlError CtlErrorFromStatus(const absl::Status& status);

struct CtlReply {
  enum class Kind { kValue, kDescription, kError };
  Kind kind = Kind::kValue;
  std::string name;
  std::string text;  // the value, description or error message
  CtlError error = CtlError::kInternal;
};

// `line` excludes the newline. On failure `error` says why.
std::optional<CtlRequest> ParseCtlRequest(std::string_view line, std::string* error);
std::string FormatCtlRequest(const CtlRequest& request);  // with trailing '\n'

std::optional<CtlReply> ParseCtlReply(std::string_view line);
std::string FormatCtlReply(const CtlReply& reply);  // with trailing '\n'
inline constexpr std::string_view kCtlEnd = ".\n";

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_CTL_PROTOCOL_H_
