#include "core/heap_trimmer.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#include "core/log.h"

namespace ringcast::core {

HeapFigures ReadHeapFigures() {
  const struct mallinfo2 info = ::mallinfo2();
  // Small requests come from the arenas (uordblks/fordblks); large ones are mmapped one by one
  // (hblkhd), in use until freed and unmapped at once then.
  return {.in_use_bytes = info.uordblks + info.hblkhd,
          .arena_in_use_bytes = info.uordblks,
          .free_bytes = info.fordblks};
}

size_t ResidentBytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long size_pages = 0;
  unsigned long resident_pages = 0;
  const int read = std::fscanf(statm, "%lu %lu", &size_pages, &resident_pages);
  std::fclose(statm);
  if (read != 2) return 0;
  return static_cast<size_t>(resident_pages) * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

HeapTrimmer::HeapTrimmer(Ring& ring, int64_t interval_ns, size_t min_free_bytes)
    : interval_ns_(interval_ns),
      min_free_bytes_(min_free_bytes),
      timer_(ring, [this] { OnTimer(); }) {
  timer_.ArmAfter(interval_ns_);
}

bool HeapTrimmer::MaybeTrim() {
  const HeapFigures before = ReadHeapFigures();
  if (before.free_bytes < min_free_bytes_ || before.free_bytes <= before.arena_in_use_bytes) {
    return false;
  }
  const size_t resident_before = ResidentBytes();
  ::malloc_trim(0);
  const size_t resident_after = ResidentBytes();
  constexpr size_t kMiB = 1024 * 1024;
  if (resident_before < resident_after + kMiB) return false;  // nothing much was resident
  const size_t returned = resident_before - resident_after;
  ++trims_;
  returned_bytes_ += returned;
  const auto mib = [](size_t bytes) { return static_cast<double>(bytes) / kMiB; };
  LOG_INFO(
      "core: gave %.1f MiB of freed heap back to the system (resident %.1f → %.1f MiB; heap "
      "%.1f MiB in use, %.1f MiB free)",
      mib(returned), mib(resident_before), mib(resident_after), mib(before.in_use_bytes),
      mib(before.free_bytes));
  return true;
}

void HeapTrimmer::OnTimer() {
  MaybeTrim();
  timer_.ArmAfter(interval_ns_);
}

}  // namespace ringcast::core
