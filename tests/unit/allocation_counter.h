// Counting heap allocations in tests: the data path must make none per packet
// (ARCHITECTURE.md, "Memory"). A test binary that links tests/unit/allocation_counter.cc gets a
// replacement operator new (under ThreadSanitizer, an allocator hook) that counts calls in
// g_allocations while g_count_allocations is set:
//
//   g_allocations = 0;
//   g_count_allocations = true;
//   ... run packets through ...
//   g_count_allocations = false;
//   EXPECT_EQ(g_allocations.load(), 0u);
//
// Shared between threads: both are atomics.
#ifndef RINGCAST_TESTS_UNIT_ALLOCATION_COUNTER_H_
#define RINGCAST_TESTS_UNIT_ALLOCATION_COUNTER_H_

#include <atomic>
#include <cstddef>

extern std::atomic<bool> g_count_allocations;
extern std::atomic<size_t> g_allocations;

#endif  // RINGCAST_TESTS_UNIT_ALLOCATION_COUNTER_H_
