// Ring: one io_uring and the event loop that drives it. One per thread.
//
// Every operation's user_data is one of three things (ARCHITECTURE.md, "One loop iteration"):
//   - a pointer to a long-lived Completion object, whose OnCompletion runs for each CQE;
//   - a packed {op, index} word (low bit set), dispatched to the OpHandler registered for op —
//     cheap for per-packet sends that have no object of their own;
//   - a small reserved tag (ignored results, cross-thread wake-ups).
// The Ring counts operations in flight, per Completion and in total. A Completion that still
// has operations in flight is never deleted directly: hand it to Retire(), which cancels its
// operations and deletes it once the last CQE has been reaped (cancel → drain → delete).
//
// Threading: a Ring is created, used and destroyed on one thread (IORING_SETUP_SINGLE_ISSUER).
// The only members other threads may call are Post() and the read-only stats() counters.
#ifndef RINGCAST_CORE_RING_H_
#define RINGCAST_CORE_RING_H_

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/check.h"
#include "core/status.h"

namespace ringcast::core {

class Ring;
class Timer;

// An object whose address is the user_data of the operations it submits. It must outlive
// them: destroy it only when inflight() == 0, or give it to Ring::Retire().
class Completion {
 public:
  Completion() = default;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  // Debug builds check the rule above: destroying an object the kernel may still complete into
  // is a use-after-free waiting to happen.
  virtual ~Completion() { DCHECK(inflight_ == 0); }

  // Runs on the ring's thread for each CQE of this object's operations. The in-flight count
  // has already been decremented when the CQE ends its operation (no IORING_CQE_F_MORE).
  virtual void OnCompletion(const io_uring_cqe& cqe) = 0;

  int inflight() const { return inflight_; }

 private:
  friend class Ring;
  int inflight_ = 0;
};

// Runs once per loop iteration after the CQEs, timers and posted tasks of that iteration, before
// the next submit: the place to turn what the batch queued (e.g. WebRTC packets) into a few
// large operations.
class BatchEndHandler {
 public:
  virtual void OnBatchEnd() = 0;

 protected:
  ~BatchEndHandler() = default;
};

// Receives the CQEs of packed {op, index} operations for one op code.
class OpHandler {
 public:
  virtual ~OpHandler() = default;
  virtual void OnOpCompletion(uint32_t index, const io_uring_cqe& cqe) = 0;
};

struct RingOptions {
  unsigned entries = 512;     // SQ entries; the CQ gets twice as many
  bool single_issuer = true;  // IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN where available
  const char* name = "ring";  // for log lines
  // > 0: batch wake-ups, adding at most this much latency (Ring::SetBatchWait). Whole
  // microseconds count.
  int64_t batch_wait_ns = 0;
};

// Figures a ring keeps about itself. Written by the ring's thread, readable from any thread.
struct RingStats {
  std::atomic<uint64_t> submits{0};
  std::atomic<uint64_t> cqes{0};
  std::atomic<uint64_t> sq_full{0};  // GetSqe found the SQ full and had to submit first
  // The two doorbell counts are written by the posting threads (fetch_add).
  std::atomic<uint64_t> wakeups_msg_ring{0};  // Post() doorbells rung with IORING_OP_MSG_RING
  std::atomic<uint64_t> wakeups_eventfd{0};   // Post() doorbells rung through the eventfd
  std::atomic<uint64_t> tasks_run{0};
  // Time spent outside the wait for completions: dispatching, timers, tasks, batch ends.
  std::atomic<uint64_t> busy_ns{0};

  void Add(std::atomic<uint64_t>& counter, uint64_t n = 1) {  // single writer: no RMW needed
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

class Ring {
 public:
  // Sets up the io_uring on the calling thread, which becomes its owner.
  static absl::StatusOr<std::unique_ptr<Ring>> Create(const RingOptions& options);
  // Close()s the ring if that has not happened yet, which must then be on the owner thread.
  ~Ring();

  // Drains and tears down the io_uring on the owner thread. The object stays valid for Post()
  // from late callers (their tasks are dropped), so a worker thread can close its ring while
  // other threads may still hold a pointer to it.
  void Close();

  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // The ring of the calling thread, or nullptr on a thread that has none.
  static Ring* Current();

  // Returns an SQE for `owner`, whose in-flight count goes up by one. Never fails: when the SQ
  // is full it submits what is queued and tries again.
  io_uring_sqe* GetSqe(Completion* owner);
  // Same, for a packed {op, index} operation (op < 32768, see SetOpHandler).
  io_uring_sqe* GetSqe(uint16_t op, uint32_t index);
  // An SQE whose result nobody needs (a cancel request, the sender side of MSG_RING).
  io_uring_sqe* GetSqeIgnored();

  void SetOpHandler(uint16_t op, OpHandler* handler);
  // `handler` must be removed before it goes away.
  void AddBatchEndHandler(BatchEndHandler* handler);
  void RemoveBatchEndHandler(BatchEndHandler* handler);

  // Cancels every operation of `object` and deletes it once none is left in flight. Safe to
  // call from inside the object's own OnCompletion.
  void Retire(std::unique_ptr<Completion> object);
  // Cancels every operation of `object`; it stays owned by the caller.
  void Cancel(Completion* object);

  // Queues `task` to run on this ring's thread. Any thread. Wakes the ring with
  // IORING_OP_MSG_RING when the caller runs a ring of its own and the kernel has it, and with
  // an eventfd write otherwise.
  void Post(std::function<void()> task);

  // Runs the loop until Stop(): submit, wait for at least one CQE or the next timer, reap the
  // batch with one cq_advance, fire due timers, run posted tasks.
  void Run();
  // Runs one iteration, waiting at most `max_wait_ns` (0: don't wait). For tests.
  void RunOnce(int64_t max_wait_ns);
  void Stop() { stop_ = true; }
  bool stopping() const { return stop_; }

  // Batches wake-ups: a wait for completions returns as soon as kBatchCqes have come, or
  // `ns` after the wait began once at least one has — so a busy loop runs once per batch
  // instead of once per arrival, adding at most `ns` of latency — and never later than the
  // next timer. Needs the kernel's min-wait (IORING_FEAT_MIN_TIMEOUT, Linux 6.12+); elsewhere it
  // logs once and waits for one completion as before. 0 turns it off. Owner thread.
  void SetBatchWait(int64_t ns);
  int64_t batch_wait_ns() const { return batch_wait_ns_; }
  bool has_min_wait() const { return has_min_wait_; }
  static constexpr unsigned kBatchCqes = 128;

  // Cancels everything in flight and reaps until nothing is (retired objects are deleted on the
  // way). After it returns, every Completion may be destroyed. Run() calls it on its way out.
  void CancelAllAndDrain();

  int fd() const { return ring_.ring_fd; }
  int64_t inflight() const { return inflight_; }
  bool has_msg_ring() const { return has_msg_ring_; }
  const RingStats& stats() const { return stats_; }
  io_uring* raw() { return &ring_; }
  const char* name() const { return name_; }

 private:
  friend class Timer;
  // Reserved user_data values. Pointers are never this small.
  static constexpr uint64_t kIgnoredTag = 0;
  static constexpr uint64_t kWakeTag = 2;
  static constexpr uint64_t kEventfdTag = 4;
  static constexpr uint64_t kMaxTag = 4095;

  Ring() = default;
  absl::Status Init(const RingOptions& options);
  io_uring_sqe* RawSqe();
  int SubmitAndWaitBatched(int64_t wait_ns);
  void Dispatch(const io_uring_cqe& cqe);
  void ArmEventfdRead();
  void RunPostedTasks();
  void DeleteDrainedRetirees();
  void FireDueTimers();
  int64_t NextTimerDeadline() const;
  // Timer heap (min-heap on deadline), used by Timer.
  void TimerInsert(Timer* timer);
  void TimerRemove(Timer* timer);
  void TimerSiftUp(size_t i);
  void TimerSiftDown(size_t i);

  io_uring ring_{};
  bool initialized_ = false;
  const char* name_ = "ring";
  std::thread::id owner_;
  int64_t inflight_ = 0;
  bool stop_ = false;
  bool has_msg_ring_ = false;
  bool has_cancel_any_ = false;
  bool has_min_wait_ = false;
  int64_t batch_wait_ns_ = 0;
  std::vector<OpHandler*> op_handlers_;
  std::vector<BatchEndHandler*> batch_end_handlers_;
  std::vector<std::unique_ptr<Completion>> retired_;
  std::vector<Timer*> timers_;
  RingStats stats_;

  // Cross-thread task queue. Shared between threads: guarded by posted_mutex_.
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> wake_pending_{false};  // a doorbell is on its way; skip ringing again
  std::atomic<int> msg_ring_fd_{-1};       // -1 once closed: late posters fall back to the eventfd
  int event_fd_ = -1;
  uint64_t eventfd_value_ = 0;  // read target of the armed eventfd read
  bool eventfd_armed_ = false;
};

// A one-shot timer on a Ring's timer heap. The ring waits no longer than the earliest armed
// timer (io_uring_submit_and_wait_timeout: one wait per loop iteration, no SQE per timer), so
// thousands of per-session timers cost a heap operation each, not a syscall. Owned by whoever
// holds it; destroying it disarms it. Ring thread only.
class Timer {
 public:
  Timer(Ring& ring, std::function<void()> on_fire);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  void ArmAt(int64_t deadline_ns);  // CLOCK_MONOTONIC ns (core::NowNs)
  void ArmAfter(int64_t delay_ns);
  void Disarm();
  bool armed() const { return heap_index_ != kNotArmed; }
  int64_t deadline_ns() const { return deadline_ns_; }

 private:
  friend class Ring;
  static constexpr size_t kNotArmed = ~size_t{0};
  Ring& ring_;
  std::function<void()> on_fire_;
  int64_t deadline_ns_ = 0;
  size_t heap_index_ = kNotArmed;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_RING_H_
