#include "net/http/auth_guard.h"

#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "gtest/gtest.h"

namespace ringcast::net::http {
namespace {

using Clock = AuthGuard::Clock;
using std::chrono::seconds;

Clock::time_point T0() { return Clock::time_point() + std::chrono::hours(1); }

TEST(AuthGuardTest, BackoffEngagesAndExpires) {
  AuthGuard guard;
  Clock::time_point now = T0();
  const uint64_t failed_before = kAuthFailedDrops.count();
  const uint64_t backoff_before = kAuthBackoffDrops.count();
  for (int i = 1; i < AuthGuard::kMaxFailures; ++i) {
    EXPECT_FALSE(guard.Backoff("10.0.0.7", now));
    EXPECT_FALSE(guard.OnFailure("10.0.0.7", now).backoff_started);
    now += seconds(1);
  }
  EXPECT_TRUE(guard.OnFailure("10.0.0.7", now).backoff_started);
  EXPECT_EQ(kAuthFailedDrops.count() - failed_before, uint64_t{AuthGuard::kMaxFailures});
  ASSERT_TRUE(guard.Backoff("10.0.0.7", now));
  EXPECT_EQ(*guard.Backoff("10.0.0.7", now), AuthGuard::kFirstBackoff);
  EXPECT_EQ(kAuthBackoffDrops.count() - backoff_before, 2u);
  EXPECT_FALSE(guard.Backoff("10.0.0.8", now));  // others are not affected
  // It expires...
  now += AuthGuard::kFirstBackoff;
  EXPECT_FALSE(guard.Backoff("10.0.0.7", now));
  // ...and the next one is twice as long, up to the cap.
  Clock::duration expected = AuthGuard::kFirstBackoff;
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < AuthGuard::kMaxFailures; ++i) guard.OnFailure("10.0.0.7", now);
    expected = std::min(expected * 2, AuthGuard::kMaxBackoff);
    ASSERT_TRUE(guard.Backoff("10.0.0.7", now));
    EXPECT_EQ(*guard.Backoff("10.0.0.7", now), expected) << round;
    now += expected;
    EXPECT_FALSE(guard.Backoff("10.0.0.7", now));
  }
  EXPECT_EQ(expected, AuthGuard::kMaxBackoff);
  // Long quiet forgets the history: the next back-off is the first again.
  now += AuthGuard::kForgetAfter + seconds(1);
  for (int i = 0; i < AuthGuard::kMaxFailures; ++i) guard.OnFailure("10.0.0.7", now);
  EXPECT_EQ(*guard.Backoff("10.0.0.7", now), AuthGuard::kFirstBackoff);
}

TEST(AuthGuardTest, FailuresOutsideTheWindowAndSuccessReset) {
  AuthGuard guard;
  Clock::time_point now = T0();
  // Four failures a minute apart never make five within the window.
  for (int i = 0; i < 20; ++i) {
    guard.OnFailure("10.0.0.7", now);
    if (i % 4 == 3) now += AuthGuard::kFailureWindow + seconds(1);
  }
  EXPECT_FALSE(guard.Backoff("10.0.0.7", now));
  // A success forgets the failures so far.
  for (int i = 1; i < AuthGuard::kMaxFailures; ++i) guard.OnFailure("10.0.0.9", now);
  guard.OnSuccess("10.0.0.9");
  guard.OnFailure("10.0.0.9", now);
  EXPECT_FALSE(guard.Backoff("10.0.0.9", now));
}

TEST(AuthGuardTest, LoggedOncePerClientPerInterval) {
  AuthGuard guard;
  Clock::time_point now = T0();
  AuthGuard::Failure first = guard.OnFailure("10.0.0.7", now);
  EXPECT_TRUE(first.log);
  EXPECT_EQ(first.held_back, 0u);
  EXPECT_FALSE(guard.OnFailure("10.0.0.7", now + seconds(1)).log);
  EXPECT_TRUE(guard.OnFailure("10.0.0.8", now + seconds(1)).log);  // per client
  // The fifth starts a back-off, which is always logged.
  guard.OnFailure("10.0.0.7", now + seconds(2));
  guard.OnFailure("10.0.0.7", now + seconds(2));
  AuthGuard::Failure fifth = guard.OnFailure("10.0.0.7", now + seconds(3));
  EXPECT_TRUE(fifth.backoff_started);
  EXPECT_TRUE(fifth.log);
  EXPECT_EQ(fifth.held_back, 3u);
  EXPECT_FALSE(guard.OnFailure("10.0.0.7", now + seconds(4)).log);
  AuthGuard::Failure later = guard.OnFailure("10.0.0.7", now + seconds(14));
  EXPECT_TRUE(later.log);
  EXPECT_EQ(later.held_back, 1u);
}

TEST(AuthGuardTest, KeysAndBound) {
  AuthGuard guard(/*max_clients=*/8);
  Clock::time_point now = T0();
  // One IPv6 /64 is one client; a v4-mapped address is its IPv4 address.
  for (int i = 0; i < AuthGuard::kMaxFailures; ++i) {
    guard.OnFailure(core::StrCat("2001:db8:1:2::", i + 1), now);
  }
  EXPECT_TRUE(guard.Backoff("2001:db8:1:2:ffff::9", now));
  EXPECT_FALSE(guard.Backoff("2001:db8:1:3::1", now));
  for (int i = 0; i < AuthGuard::kMaxFailures; ++i) guard.OnFailure("::ffff:10.1.1.1", now);
  EXPECT_TRUE(guard.Backoff("10.1.1.1", now));
  // The table stays bounded under many addresses; the least recently seen go first.
  for (int i = 0; i < 10000; ++i) guard.OnFailure(core::StrCat("198.51.100.", i % 250, ""), now);
  for (int i = 0; i < 1000; ++i)
    guard.OnFailure(core::StrCat("203.0.", i / 250, ".", i % 250), now);
  EXPECT_LE(guard.clients(), 8u);
}

// Every worker's RTSP and WHEP servers share one guard (the daemon's Shared()).
TEST(AuthGuardTest, SharedByWorkerThreads) {
  AuthGuard guard(/*max_clients=*/64);
  const Clock::time_point now = T0();
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&guard, now, w] {
      for (int i = 0; i < 20000; ++i) {
        const std::string host = core::StrCat("10.0.", w, ".", i % 100);
        if (!guard.Backoff(host, now)) guard.OnFailure(host, now);
        if (i % 7 == 0) guard.OnSuccess(host);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  EXPECT_LE(guard.clients(), 64u);
  // One client failing from every thread at once is backed off after kMaxFailures in total.
  std::vector<std::thread> same;
  for (int w = 0; w < 4; ++w) {
    same.emplace_back([&guard, now] {
      for (int i = 0; i < 2; ++i) guard.OnFailure("192.0.2.99", now);
    });
  }
  for (std::thread& t : same) t.join();
  EXPECT_TRUE(guard.Backoff("192.0.2.99", now));
}

}  // namespace
}  // namespace ringcast::net::http
