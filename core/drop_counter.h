// DropCounter: every packet or request ringcast throws away is counted under a named reason,
// visible as stats.drops.NAME in ringcastctl and as ringcast_drops_total{reason="NAME"} in
// /metrics. The component that drops declares its reasons next to the code that counts them:
//
//   // net/rtsp/session.cc
//   const core::DropCounter kBadRequestDrops("rtsp_bad_request",
//                                            "malformed RTSP message (answered 4xx, closed)");
//   ...
//   kBadRequestDrops.Count();
//
// so core knows no protocol's reasons. A DropCounter must have static storage duration: it adds
// itself to a process-wide list when constructed (during static initialisation) and the daemon's
// stats list every counter linked into the program, in name order. Names are unique (CHECKed).
//
// Threads: drops are rare by nature, so each counter is one relaxed atomic; any thread may
// count or read.
#ifndef RINGCAST_CORE_DROP_COUNTER_H_
#define RINGCAST_CORE_DROP_COUNTER_H_

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ringcast::core {

class DropCounter {
 public:
  // `name` (the stats key suffix, lower_snake_case) and `help` (one line) must be literals.
  DropCounter(std::string_view name, std::string_view help);
  ~DropCounter();
  DropCounter(const DropCounter&) = delete;
  DropCounter& operator=(const DropCounter&) = delete;

  // Const: counting does not change what the reason is, and components declare them const.
  void Count(uint64_t n = 1) const { count_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::string_view name() const { return name_; }
  std::string_view help() const { return help_; }

 private:
  std::string_view name_;
  std::string_view help_;
  mutable std::atomic<uint64_t> count_{0};
};

// Every DropCounter in the program, sorted by name. Any thread.
std::vector<const DropCounter*> AllDropCounters();
// The counter called `name`, or nullptr.
const DropCounter* FindDropCounter(std::string_view name);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_DROP_COUNTER_H_
