// The control-socket protocol between ringcastctl and ringcastd (ctl.socket, a Unix stream
// socket). Text, one request per line, replies as lines ended by a line holding only ".":
//
//   GET name            → "V name value"
//   LIST [prefix]       → one "V name value" per key (tunables, then stats.*)
//   SET name value      → "V name value" with the canonical value set
//   DESC name|prefix    → "D name description" per key
//   DELPATH name        → "V path.name removed"
//   RELOAD              → "V config reloaded"
//   any error           → "E code name message"   (code: see Error)
//
// Names and values never contain newlines (the registry refuses control characters).
// Parsers here take untrusted bytes; they return nullopt/false, never crash (fuzzed).
#ifndef RINGCAST_NET_CTL_PROTOCOL_H_
#define RINGCAST_NET_CTL_PROTOCOL_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ringcast::net::ctl {

inline constexpr size_t kMaxLine = 16384;

struct Request {
  enum class Verb { kGet, kList, kSet, kDesc, kDelPath, kReload };
  Verb verb = Verb::kGet;
  std::string name;   // key, prefix or path name
  std::string value;  // SET only
};

// Error codes on the wire; ringcastctl turns each into sysctl-like wording.
enum class Error { kUnknown, kInvalid, kReadOnly, kRestart, kDenied, kBadRequest, kInternal };
std::string_view ErrorName(Error code);
std::optional<Error> ParseErrorName(std::string_view name);
// The wire code for a registry Status.
Error ErrorFromStatus(const absl::Status& status);

struct Reply {
  enum class Kind { kValue, kDescription, kError };
  Kind kind = Kind::kValue;
  std::string name;
  std::string text;  // the value, description or error message
  Error error = Error::kInternal;
};

// `line` excludes the newline. On failure `error` says why.
std::optional<Request> ParseRequest(std::string_view line, std::string* error);
std::string FormatRequest(const Request& request);  // with trailing '\n'

std::optional<Reply> ParseReply(std::string_view line);
std::string FormatReply(const Reply& reply);  // with trailing '\n'
inline constexpr std::string_view kEnd = ".\n";

}  // namespace ringcast::net::ctl

#endif  // RINGCAST_NET_CTL_PROTOCOL_H_
