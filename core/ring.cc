#include "core/ring.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/check.h"
#include "core/clock.h"
#include "core/log.h"

namespace ringcast::core {
namespace {

thread_local Ring* t_current_ring = nullptr;

// IORING_FEAT_MIN_TIMEOUT (Linux 6.12): io_uring_getevents_arg's min_wait_usec (`pad` in the
// headers liburing 2.3 ships) is honoured.
constexpr uint32_t kFeatMinTimeout = 1u << 15;

// Packed user_data: bit 0 set, bits 1..15 op, bits 16..47 index.
constexpr uint64_t Pack(uint16_t op, uint32_t index) {
  return 1 | (uint64_t{op} << 1) | (uint64_t{index} << 16);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ring>> Ring::Create(const RingOptions& options) {
  std::unique_ptr<Ring> ring(new Ring());
  RETURN_IF_ERROR(ring->Init(options));
  return ring;
}

absl::Status Ring::Init(const RingOptions& options) {
  name_ = options.name;
  io_uring_params params{};
  params.flags = IORING_SETUP_CQSIZE;
  params.cq_entries = options.entries * 4;
  if (options.single_issuer)
    params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  int ret = io_uring_queue_init_params(options.entries, &ring_, &params);
  if (ret == -EINVAL && options.single_issuer) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      LOG_WARN(
          "io_uring: kernel lacks IORING_SETUP_SINGLE_ISSUER/DEFER_TASKRUN (Linux 6.1+); "
          "running without them");
    }
    params = io_uring_params{};
    params.flags = IORING_SETUP_CQSIZE;
    params.cq_entries = options.entries * 4;
    ret = io_uring_queue_init_params(options.entries, &ring_, &params);
  }
  if (ret < 0) return ErrnoStatus(-ret, absl::StrFormat("io_uring_setup(%s)", name_));
  initialized_ = true;
  msg_ring_fd_.store(ring_.ring_fd, std::memory_order_release);
  owner_ = std::this_thread::get_id();
  t_current_ring = this;

  if (!(ring_.features & IORING_FEAT_EXT_ARG)) {
    LOG_WARN("io_uring: kernel lacks IORING_FEAT_EXT_ARG (Linux 5.11+); waits use a timeout SQE");
  }
  has_min_wait_ = (ring_.features & IORING_FEAT_EXT_ARG) && (ring_.features & kFeatMinTimeout);
  SetBatchWait(options.batch_wait_ns);
  if (io_uring_probe* probe = io_uring_get_probe_ring(&ring_)) {
    has_msg_ring_ = io_uring_opcode_supported(probe, IORING_OP_MSG_RING);
    // IORING_ASYNC_CANCEL_ANY arrived in 5.19 together with IORING_OP_SOCKET's neighbours;
    // IORING_OP_SOCKET (5.19) is the closest probe-able witness.
    has_cancel_any_ = io_uring_opcode_supported(probe, IORING_OP_SOCKET);
    io_uring_free_probe(probe);
  }
  if (!has_msg_ring_) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      LOG_WARN(
          "io_uring: kernel lacks IORING_OP_MSG_RING (Linux 5.18+); cross-thread wake-ups "
          "use an eventfd");
    }
  }
  event_fd_ = eventfd(0, EFD_CLOEXEC);
  if (event_fd_ < 0) return ErrnoStatus(errno, "eventfd");
  ArmEventfdRead();
  return absl::OkStatus();
}

Ring::~Ring() {
  Close();
  if (event_fd_ >= 0) ::close(event_fd_);
}

void Ring::Close() {
  if (!initialized_) return;
  DCHECK(std::this_thread::get_id() == owner_);
  if (inflight_ > 0) CancelAllAndDrain();
  // Tasks posted after the loop ended are dropped with their captures, on the owner thread.
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.clear();
  }
  for (Timer* timer : timers_) timer->heap_index_ = Timer::kNotArmed;
  msg_ring_fd_.store(-1, std::memory_order_release);
  io_uring_queue_exit(&ring_);
  initialized_ = false;
  if (t_current_ring == this) t_current_ring = nullptr;
}

Ring* Ring::Current() { return t_current_ring; }

io_uring_sqe* Ring::RawSqe() {
  DCHECK(std::this_thread::get_id() == owner_);
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  while (sqe == nullptr) {
    stats_.Add(stats_.sq_full);
    int ret = io_uring_submit(&ring_);
    // EBUSY/EAGAIN: the CQ is backed up or the kernel is short of memory; submitting again after
    // the kernel flushes is all we can do here.
    CHECK_MSG(ret >= 0 || ret == -EBUSY || ret == -EAGAIN || ret == -EINTR,
              "io_uring_submit failed with the SQ full");
    if (ret > 0) stats_.Add(stats_.submits);
    sqe = io_uring_get_sqe(&ring_);
  }
  ++inflight_;
  return sqe;
}

io_uring_sqe* Ring::GetSqe(Completion* owner) {
  io_uring_sqe* sqe = RawSqe();
  ++owner->inflight_;
  io_uring_sqe_set_data(sqe, owner);
  return sqe;
}

io_uring_sqe* Ring::GetSqe(uint16_t op, uint32_t index) {
  DCHECK(op < 32768);
  io_uring_sqe* sqe = RawSqe();
  io_uring_sqe_set_data64(sqe, Pack(op, index));
  return sqe;
}

io_uring_sqe* Ring::GetSqeIgnored() {
  io_uring_sqe* sqe = RawSqe();
  io_uring_sqe_set_data64(sqe, kIgnoredTag);
  return sqe;
}

void Ring::SetOpHandler(uint16_t op, OpHandler* handler) {
  if (op_handlers_.size() <= op) op_handlers_.resize(op + 1, nullptr);
  op_handlers_[op] = handler;
}

void Ring::Cancel(Completion* object) {
  if (object->inflight_ == 0) return;
  io_uring_sqe* sqe = GetSqeIgnored();
  io_uring_prep_cancel(sqe, object, IORING_ASYNC_CANCEL_ALL);
}

void Ring::Retire(std::unique_ptr<Completion> object) {
  if (object == nullptr) return;
  Cancel(object.get());
  // Deleted after the current batch even when nothing is in flight, so an object may retire
  // itself from inside its own OnCompletion.
  retired_.push_back(std::move(object));
}

void Ring::DeleteDrainedRetirees() {
  if (retired_.empty()) return;
  auto drained =
      std::partition(retired_.begin(), retired_.end(),
                     [](const std::unique_ptr<Completion>& c) { return c->inflight_ > 0; });
  // Destructors may retire further objects: move the drained ones out first.
  std::vector<std::unique_ptr<Completion>> dead(std::make_move_iterator(drained),
                                                std::make_move_iterator(retired_.end()));
  retired_.erase(drained, retired_.end());
  dead.clear();
}

void Ring::Dispatch(const io_uring_cqe& cqe) {
  uint64_t data = cqe.user_data;
  bool ends_op = !(cqe.flags & IORING_CQE_F_MORE);
  if (data == LIBURING_UDATA_TIMEOUT) return;  // liburing's own wait timeout (no EXT_ARG)
  if (data & 1) {
    if (ends_op) --inflight_;
    uint16_t op = static_cast<uint16_t>((data >> 1) & 0x7fff);
    uint32_t index = static_cast<uint32_t>(data >> 16);
    DCHECK(op < op_handlers_.size() && op_handlers_[op] != nullptr);
    if (op < op_handlers_.size() && op_handlers_[op] != nullptr) {
      op_handlers_[op]->OnOpCompletion(index, cqe);
    }
    return;
  }
  if (data <= kMaxTag) {
    if (data == kWakeTag) {
      // A MSG_RING doorbell from another ring: it was never in flight here.
      RunPostedTasks();
      return;
    }
    if (ends_op) --inflight_;
    if (data == kEventfdTag) {
      eventfd_armed_ = false;
      if (!stop_ || cqe.res > 0) RunPostedTasks();
      if (!stop_ && cqe.res != -ECANCELED) ArmEventfdRead();
    }
    return;
  }
  auto* object = reinterpret_cast<Completion*>(data);
  if (ends_op) {
    --inflight_;
    --object->inflight_;
  }
  object->OnCompletion(cqe);
}

void Ring::ArmEventfdRead() {
  if (eventfd_armed_) return;
  eventfd_armed_ = true;
  io_uring_sqe* sqe = RawSqe();
  io_uring_prep_read(sqe, event_fd_, &eventfd_value_, sizeof(eventfd_value_), 0);
  io_uring_sqe_set_data64(sqe, kEventfdTag);
}

void Ring::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;  // already rung
  Ring* caller = Current();
  if (caller == this) return;  // our own loop runs the queue after this batch
  int target_fd = msg_ring_fd_.load(std::memory_order_acquire);
  if (caller != nullptr && caller->has_msg_ring_ && target_fd >= 0) {
    io_uring_sqe* sqe = caller->GetSqeIgnored();
    io_uring_prep_msg_ring(sqe, target_fd, 0, kWakeTag, 0);
    // Ring the bell now rather than at the end of the caller's batch.
    io_uring_submit(&caller->ring_);
    stats_.wakeups_msg_ring.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint64_t one = 1;
  ssize_t n = ::write(event_fd_, &one, sizeof(one));
  CHECK_MSG(n == sizeof(one), "eventfd write");
  stats_.wakeups_eventfd.fetch_add(1, std::memory_order_relaxed);
}

void Ring::RunPostedTasks() {
  wake_pending_.store(false, std::memory_order_release);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard<std::mutex> lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) task();
  stats_.Add(stats_.tasks_run, tasks.size());
}

void Ring::SetBatchWait(int64_t ns) {
  DCHECK(!initialized_ || std::this_thread::get_id() == owner_);
  batch_wait_ns_ = std::max<int64_t>(0, ns);
  if (batch_wait_ns_ >= 1000 && !has_min_wait_) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      LOG_WARN(
          "io_uring: kernel lacks the min-wait of IORING_ENTER_EXT_ARG (Linux 6.12+): "
          "core.batch_wait_us has no effect, each completion wakes the loop");
    }
  }
}

// io_uring_enter with IORING_ENTER_EXT_ARG and min_wait_usec (liburing 2.3 has no helper and
// names the field `pad`): submit what is queued, then wait for kBatchCqes completions, but once
// min_wait_usec has passed return with whatever has come (at least one), and never wait past
// `wait_ns` for the first. The SQ is flushed here as liburing does for a ring without SQPOLL:
// publish the new tail, and submit everything between the kernel's head and it.
int Ring::SubmitAndWaitBatched(int64_t wait_ns) {
  io_uring_sq& sq = ring_.sq;
  const unsigned tail = sq.sqe_tail;
  if (sq.sqe_head != tail) {
    sq.sqe_head = tail;
    io_uring_smp_store_release(sq.ktail, tail);
  }
  const unsigned to_submit = tail - *sq.khead;
  __kernel_timespec ts{.tv_sec = wait_ns / kNsPerSec, .tv_nsec = wait_ns % kNsPerSec};
  io_uring_getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  arg.pad = static_cast<uint32_t>(std::min(batch_wait_ns_, wait_ns) / 1000);  // min_wait_usec
  arg.ts = reinterpret_cast<uint64_t>(&ts);
  long ret = ::syscall(__NR_io_uring_enter, ring_.ring_fd, to_submit, kBatchCqes,
                       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof(arg));
  if (ret >= 0) return static_cast<int>(ret);
  if (errno == EINVAL) {
    // A kernel that advertised the feature but refuses the argument: stop trying.
    LOG_WARN("io_uring(%s): batched wait refused (EINVAL); waiting for single completions", name_);
    has_min_wait_ = false;
    return 0;
  }
  return -errno;
}

void Ring::RunOnce(int64_t max_wait_ns) {
  DCHECK(std::this_thread::get_id() == owner_);
  int64_t wait_ns = max_wait_ns;
  int64_t next_timer = NextTimerDeadline();
  if (next_timer >= 0) wait_ns = std::min(wait_ns, std::max<int64_t>(0, next_timer - NowNs()));
  {
    // Tasks posted by our own thread (no doorbell) must not wait for an unrelated event.
    std::lock_guard<std::mutex> lock(posted_mutex_);
    if (!posted_.empty()) wait_ns = 0;
  }
  if (!retired_.empty() && wait_ns > 0 && inflight_ == 0) wait_ns = 0;

  io_uring_cqe* cqe = nullptr;
  int ret;
  if (wait_ns == 0) {
    ret = io_uring_submit_and_get_events(&ring_);
  } else if (batch_wait_ns_ >= 1000 && has_min_wait_) {
    ret = SubmitAndWaitBatched(wait_ns);
  } else {
    __kernel_timespec ts{.tv_sec = wait_ns / kNsPerSec, .tv_nsec = wait_ns % kNsPerSec};
    ret = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
  }
  CHECK_MSG(ret >= 0 || ret == -ETIME || ret == -EINTR || ret == -EBUSY || ret == -EAGAIN,
            "io_uring_enter failed");
  const int64_t woke_ns = NowNs();
  t_batch_woke_ns = woke_ns;
  stats_.Add(stats_.submits);

  unsigned head;
  unsigned count = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    Dispatch(*cqe);
    ++count;
  }
  io_uring_cq_advance(&ring_, count);
  stats_.Add(stats_.cqes, count);

  FireDueTimers();
  if (wake_pending_.load(std::memory_order_acquire)) RunPostedTasks();
  for (size_t i = 0; i < batch_end_handlers_.size(); ++i) batch_end_handlers_[i]->OnBatchEnd();
  DeleteDrainedRetirees();
  t_batch_woke_ns = 0;
  stats_.Add(stats_.busy_ns, static_cast<uint64_t>(std::max<int64_t>(0, NowNs() - woke_ns)));
}

void Ring::AddBatchEndHandler(BatchEndHandler* handler) { batch_end_handlers_.push_back(handler); }

void Ring::RemoveBatchEndHandler(BatchEndHandler* handler) {
  std::erase(batch_end_handlers_, handler);
}

void Ring::Run() {
  while (!stop_) RunOnce(kNsPerSec);
  CancelAllAndDrain();
}

void Ring::CancelAllAndDrain() {
  stop_ = true;
  if (inflight_ > 0) {
    io_uring_sqe* sqe = GetSqeIgnored();
    if (has_cancel_any_) {
      io_uring_prep_cancel(sqe, nullptr, IORING_ASYNC_CANCEL_ANY);
    } else {
      // Without CANCEL_ANY the eventfd read is the only op we know of; owners cancel their own.
      io_uring_prep_cancel64(sqe, kEventfdTag, 0);
    }
  }
  // Bounded: every cancelled op completes promptly. A stuck op is a kernel bug worth a crash
  // report rather than a hang at shutdown.
  int64_t give_up = NowNs() + 10 * kNsPerSec;
  while (inflight_ > 0 || !retired_.empty()) {
    RunOnce(100 * kNsPerMs);
    CHECK_MSG(NowNs() < give_up, "io_uring operations did not drain within 10 s of cancel");
  }
  // Run tasks that arrived during the drain so their captures are released on this thread.
  RunPostedTasks();
}

// --- Timers -----------------------------------------------------------------------------------

int64_t Ring::NextTimerDeadline() const { return timers_.empty() ? -1 : timers_[0]->deadline_ns_; }

void Ring::FireDueTimers() {
  if (timers_.empty()) return;
  int64_t now = NowNs();
  while (!timers_.empty() && timers_[0]->deadline_ns_ <= now) {
    Timer* timer = timers_[0];
    TimerRemove(timer);
    timer->on_fire_();  // may re-arm or destroy the timer
  }
}

void Ring::TimerInsert(Timer* timer) {
  timer->heap_index_ = timers_.size();
  timers_.push_back(timer);
  TimerSiftUp(timer->heap_index_);
}

void Ring::TimerRemove(Timer* timer) {
  size_t i = timer->heap_index_;
  DCHECK(i < timers_.size() && timers_[i] == timer);
  Timer* last = timers_.back();
  timers_.pop_back();
  timer->heap_index_ = Timer::kNotArmed;
  if (last == timer) return;
  timers_[i] = last;
  last->heap_index_ = i;
  TimerSiftUp(i);
  TimerSiftDown(last->heap_index_);
}

void Ring::TimerSiftUp(size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (timers_[parent]->deadline_ns_ <= timers_[i]->deadline_ns_) break;
    std::swap(timers_[parent], timers_[i]);
    timers_[parent]->heap_index_ = parent;
    timers_[i]->heap_index_ = i;
    i = parent;
  }
}

void Ring::TimerSiftDown(size_t i) {
  for (;;) {
    size_t smallest = i;
    for (size_t child : {2 * i + 1, 2 * i + 2}) {
      if (child < timers_.size() && timers_[child]->deadline_ns_ < timers_[smallest]->deadline_ns_)
        smallest = child;
    }
    if (smallest == i) return;
    std::swap(timers_[smallest], timers_[i]);
    timers_[smallest]->heap_index_ = smallest;
    timers_[i]->heap_index_ = i;
    i = smallest;
  }
}

Timer::Timer(Ring& ring, std::function<void()> on_fire)
    : ring_(ring), on_fire_(std::move(on_fire)) {}

Timer::~Timer() { Disarm(); }

void Timer::ArmAt(int64_t deadline_ns) {
  Disarm();
  deadline_ns_ = deadline_ns;
  ring_.TimerInsert(this);
}

void Timer::ArmAfter(int64_t delay_ns) { ArmAt(NowNs() + delay_ns); }

void Timer::Disarm() {
  if (armed()) ring_.TimerRemove(this);
}

}  // namespace ringcast::core
