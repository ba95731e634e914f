#include "net/http/auth_guard.h"

#include <arpa/inet.h>

#include <algorithm>

namespace ringcast::net::http {

const core::DropCounter kAuthFailedDrops(
    "auth_failed", "a request with wrong, forged or replayed credentials (RTSP, WHEP)");
const core::DropCounter kAuthBackoffDrops(
    "auth_backoff", "a request refused unchecked: its client failed authentication repeatedly");

AuthGuard& AuthGuard::Shared() {
  static AuthGuard* guard = new AuthGuard();  // never destroyed: workers may outlive statics
  return *guard;
}

std::string AuthGuard::Key(std::string_view host) {
  const std::string text(host);
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char v4[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], v4, sizeof(v4));
      return v4;
    }
    std::fill(v6.s6_addr + 8, v6.s6_addr + 16, 0);  // the /64
    char out[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &v6, out, sizeof(out));
    return std::string(out) + "/64";
  }
  return text;
}

AuthGuard::Entry& AuthGuard::Touch(const std::string& key, Clock::time_point now) {
  auto found = by_key_.find(key);
  if (found != by_key_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second);
  } else {
    if (by_key_.size() >= max_clients_ && !lru_.empty()) {
      by_key_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(Entry{.key = key});
    by_key_[key] = lru_.begin();
  }
  Entry& entry = lru_.front();
  // Long quiet: start over (and forget past back-offs).
  if (entry.last_seen != Clock::time_point{} && now - entry.last_seen > kForgetAfter &&
      now >= entry.backoff_until) {
    entry.failures = 0;
    entry.backoffs = 0;
  }
  entry.last_seen = now;
  return entry;
}

std::optional<AuthGuard::Clock::duration> AuthGuard::Backoff(std::string_view host,
                                                             Clock::time_point now) {
  const std::string key = Key(host);
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return std::nullopt;
  const Entry& entry = *found->second;
  if (now >= entry.backoff_until) return std::nullopt;
  kAuthBackoffDrops.Count();
  return entry.backoff_until - now;
}

AuthGuard::Failure AuthGuard::OnFailure(std::string_view host, Clock::time_point now) {
  kAuthFailedDrops.Count();
  const std::string key = Key(host);
  std::lock_guard lock(mutex_);
  Entry& entry = Touch(key, now);
  Failure out;
  if (entry.failures == 0 || now - entry.window_start > kFailureWindow) {
    entry.window_start = now;
    entry.failures = 0;
  }
  if (++entry.failures >= kMaxFailures) {
    Clock::duration backoff = kFirstBackoff;
    for (int i = 0; i < entry.backoffs && backoff < kMaxBackoff; ++i) backoff *= 2;
    entry.backoff_until = now + std::min(backoff, kMaxBackoff);
    ++entry.backoffs;
    entry.failures = 0;
    out.backoff_started = true;
  }
  if (!entry.last_log || now - *entry.last_log >= kLogInterval || out.backoff_started) {
    out.log = true;
    out.held_back = entry.held_back;
    entry.held_back = 0;
    entry.last_log = now;
  } else {
    ++entry.held_back;
  }
  return out;
}

void AuthGuard::OnSuccess(std::string_view host) {
  const std::string key = Key(host);
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return;
  found->second->failures = 0;
}

std::string HeldBack(const AuthGuard::Failure& failure) {
  if (failure.held_back == 0) return "";
  return " (" + std::to_string(failure.held_back) + " more not logged)";
}

size_t AuthGuard::clients() const {
  std::lock_guard lock(mutex_);
  return by_key_.size();
}

}  // namespace ringcast::net::http
