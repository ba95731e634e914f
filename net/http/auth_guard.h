// AuthGuard: what happens to clients that keep giving wrong credentials, for the RTSP server
// (Basic, Digest) and WHEP (Basic, Bearer) alike.
//
//  - Each failed attempt (http::VerdictIsFailure) is counted under stats.drops.auth_failed.
//  - It is logged at most once per client per kLogInterval, with the client's address and the
//    reason, never the credentials; the line says how many were held back.
//  - A client with kMaxFailures failures within kFailureWindow is in back-off: its further
//    requests for paths with credentials are refused at once (RTSP 503, HTTP 429, with
//    Retry-After) without checking anything, for kFirstBackoff, doubling with each back-off
//    that follows within kForgetAfter of the last one, up to kMaxBackoff. Refusals during a
//    back-off count under stats.drops.auth_backoff and do not lengthen it.
//  - A success forgets the client's failures (not a running back-off: nothing is checked then).
//
// Clients are keyed by address: an IPv4 address, or the /64 of an IPv6 one (what one host is
// usually given). The table keeps at most kMaxClients; when full, the least recently seen goes.
// Many addresses can push an entry out early, which costs them at most kMaxFailures more
// attempts for that address.
//
// The numbers are constants, not tunables: they bound abuse and need no adjusting for a
// deployment (a legitimate user mistypes far fewer than five times a minute).
//
// Threads: one AuthGuard (Shared()) serves every worker's RTSP and WHEP servers, so spreading
// attempts over connections, workers or protocols gains nothing. Its table is guarded by a mutex;
// it is touched only for requests on paths with credentials, a few per connection.
#ifndef RINGCAST_NET_HTTP_AUTH_GUARD_H_
#define RINGCAST_NET_HTTP_AUTH_GUARD_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/drop_counter.h"

namespace ringcast::net::http {

extern const core::DropCounter kAuthFailedDrops;   // a failed authentication attempt
extern const core::DropCounter kAuthBackoffDrops;  // refused unchecked: the client is in back-off

class AuthGuard {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr int kMaxFailures = 5;
  static constexpr Clock::duration kFailureWindow = std::chrono::minutes(1);
  static constexpr Clock::duration kFirstBackoff = std::chrono::seconds(2);
  static constexpr Clock::duration kMaxBackoff = std::chrono::minutes(5);
  static constexpr Clock::duration kForgetAfter = std::chrono::minutes(10);
  static constexpr Clock::duration kLogInterval = std::chrono::seconds(10);
  static constexpr size_t kMaxClients = 4096;

  // The daemon's one guard (made on first use).
  static AuthGuard& Shared();

  explicit AuthGuard(size_t max_clients = kMaxClients) : max_clients_(max_clients) {}

  // How long `host` (PeerHost()) must still wait when it is in back-off, else nullopt. A refusal
  // is counted (kAuthBackoffDrops).
  std::optional<Clock::duration> Backoff(std::string_view host, Clock::time_point now);
  std::optional<Clock::duration> Backoff(std::string_view host) {
    return Backoff(host, Clock::now());
  }

  struct Failure {
    bool log = false;        // write a line about it now
    uint64_t held_back = 0;  // failures of this client not logged since the last line
    bool backoff_started = false;
  };
  // A failed attempt by `host`: counted, maybe starts a back-off; says whether to log it.
  Failure OnFailure(std::string_view host, Clock::time_point now);
  Failure OnFailure(std::string_view host) { return OnFailure(host, Clock::now()); }

  // A successful one: the client's failures are forgotten.
  void OnSuccess(std::string_view host);

  size_t clients() const;

 private:
  struct Entry {
    std::string key;
    Clock::time_point window_start{};
    int failures = 0;
    int backoffs = 0;  // back-offs so far (each doubles the next)
    Clock::time_point backoff_until{};
    Clock::time_point last_seen{};
    std::optional<Clock::time_point> last_log;
    uint64_t held_back = 0;
  };
  using List = std::list<Entry>;

  // The key for `host`: the IPv4 address, or the IPv6 /64.
  static std::string Key(std::string_view host);
  Entry& Touch(const std::string& key, Clock::time_point now);  // under mutex_

  const size_t max_clients_;
  mutable std::mutex mutex_;
  List lru_;  // most recently seen first
  std::unordered_map<std::string, List::iterator> by_key_;
};

// " (N more not logged)" for a log line about `failure`, or "" when none were held back.
std::string HeldBack(const AuthGuard::Failure& failure);

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_AUTH_GUARD_H_
