#include "tests/unit/allocation_counter.h"

#include <cstdlib>
#include <new>

std::atomic<bool> g_count_allocations{false};
std::atomic<size_t> g_allocations{0};

// noinline: inlined into call sites, GCC 12 takes free() here for a mismatch with new.
__attribute__((noinline)) void* operator new(size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, size_t) noexcept { std::free(p); }
