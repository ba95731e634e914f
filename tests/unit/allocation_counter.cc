#include "tests/unit/allocation_counter.h"

#include <cstdlib>
#include <new>

std::atomic<bool> g_count_allocations{false};
std::atomic<size_t> g_allocations{0};

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RINGCAST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define RINGCAST_TSAN 1
#endif

#ifdef RINGCAST_TSAN
// ThreadSanitizer's runtime defines operator new itself, so a replacement would not link. Its
// allocator calls a hook for every allocation instead (operator new and malloc alike), which
// counts the same thing, malloc included.
#include <sanitizer/allocator_interface.h>

namespace {

void CountMalloc(const volatile void*, size_t) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
}

[[maybe_unused]] const bool kHooked = [] {
  __sanitizer_install_malloc_and_free_hooks(CountMalloc, nullptr);
  return true;
}();

}  // namespace

#else
// noinline: inlined into call sites, GCC 12 takes free() here for a mismatch with new.
__attribute__((noinline)) void* operator new(size_t size) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((noinline)) void operator delete(void* p, size_t) noexcept { std::free(p); }
#endif
