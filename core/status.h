// Status helpers for set-up and signalling code.
//
// ringcast uses absl::Status / absl::StatusOr<T> for everything that is not on the per-packet
// path (config, sockets, rings, RTSP/HTTP/SDP). Debian's abseil 20220623 ships no
// status_macros.h, so the two propagation macros live here. Any thread may use them.
#ifndef RINGCAST_CORE_STATUS_H_
#define RINGCAST_CORE_STATUS_H_

#include <cerrno>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define RC_STATUS_CONCAT_INNER_(a, b) a##b
#define RC_STATUS_CONCAT_(a, b) RC_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the calling function if it is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status rc_status_ = (expr);      \
    if (!rc_status_.ok()) return rc_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo());` evaluates Foo() (an absl::StatusOr<T>); on error returns
// its status, otherwise moves the value into the declaration or lvalue `lhs`.
#define ASSIGN_OR_RETURN(lhs, expr) \
  RC_ASSIGN_OR_RETURN_IMPL_(RC_STATUS_CONCAT_(rc_statusor_, __LINE__), lhs, expr)

#define RC_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)     \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

namespace ringcast::core {

// Builds a Status from an errno value: "what: strerror(err)", with a code that matches it.
absl::Status ErrnoStatus(int err, std::string_view what);

// Converts an absl::string_view (not std::string_view in Debian's abseil) to std::string_view.
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_STATUS_H_
