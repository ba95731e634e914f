// HeapTrimmer: gives heap memory a burst has freed back to the kernel.
//
// glibc's malloc returns memory on free() only from the top of each arena's heap. What a burst
// freed in the middle stays resident: a flood of 5,000 WHEP sessions that never connect, all
// reaped a few seconds later, left ringcastd at 35–43 MB resident with 3.6 MB of its heap in use
// (the sessions' objects were interleaved with long-lived ones, so the heap tops never came
// free). malloc_trim(0) hands back every whole free page wherever it lies (MADV_DONTNEED).
//
// Every `interval` the trimmer reads the heap's figures (mallinfo2) and trims when the
// allocator holds at least `min_free` bytes free and more free than in use in its arenas (large
// blocks, each a mapping of its own, go back when freed and are left out). Pages a trim gave back
// still count as free, so a fragmented heap is trimmed again each interval; that costs one
// madvise per free run, on pages mostly no longer resident, and only what was resident again is
// counted and logged. Ring thread only (the control thread's: the trim takes each arena's lock
// briefly, so it is kept off the workers' loops).
#ifndef RINGCAST_CORE_HEAP_TRIMMER_H_
#define RINGCAST_CORE_HEAP_TRIMMER_H_

#include <cstddef>
#include <cstdint>

#include "core/ring.h"

namespace ringcast::core {

struct HeapFigures {
  size_t in_use_bytes = 0;        // handed out by malloc and not yet freed
  size_t arena_in_use_bytes = 0;  // the part of it in the arenas (not mmapped one by one)
  size_t free_bytes = 0;          // held by malloc's arenas for reuse (resident or not)
};

// The allocator's figures, all arenas together; zeros where the allocator does not keep them
// (a sanitizer's).
HeapFigures ReadHeapFigures();

// The process's resident set (/proc/self/statm), 0 if unreadable.
size_t ResidentBytes();

class HeapTrimmer {
 public:
  HeapTrimmer(Ring& ring, int64_t interval_ns, size_t min_free_bytes);
  HeapTrimmer(const HeapTrimmer&) = delete;
  HeapTrimmer& operator=(const HeapTrimmer&) = delete;

  // Trims now if the heap holds enough free memory; true if that gave back at least 1 MiB of
  // resident memory (then counted and logged).
  bool MaybeTrim();
  uint64_t trims() const { return trims_; }                    // those that gave back ≥ 1 MiB
  uint64_t returned_bytes() const { return returned_bytes_; }  // resident bytes they shed

 private:
  void OnTimer();

  int64_t interval_ns_;
  size_t min_free_bytes_;
  uint64_t trims_ = 0;
  uint64_t returned_bytes_ = 0;
  Timer timer_;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_HEAP_TRIMMER_H_
