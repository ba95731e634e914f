// Worker: a thread that owns one Ring and one receive BufferRing and runs the loop.
//
// A path, its source and its viewers live on one worker and all their packets stay there
// (ARCHITECTURE.md, "Threads and rings"), so nothing a worker owns needs a lock. Other threads
// reach a worker only through Post() (a task queue rung with IORING_OP_MSG_RING or an eventfd).
#ifndef RINGCAST_CORE_WORKER_H_
#define RINGCAST_CORE_WORKER_H_

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "core/buffer_ring.h"
#include "core/ring.h"
#include "core/status.h"

namespace ringcast::core {

struct WorkerOptions {
  int index = 0;
  unsigned ring_entries = 1024;
  uint32_t rx_buffers = 1024;       // core.rx_buffers
  uint32_t rx_buffer_bytes = 4096;  // core.rx_buffer_bytes
  bool single_issuer = true;
  int64_t batch_wait_ns = 0;  // core.batch_wait_us (Ring::SetBatchWait)
};

// Buffer group ids used on every ring.
inline constexpr uint16_t kRxBufferGroup = 1;

class Worker {
 public:
  // Starts the thread and waits until its ring is ready; an error setting it up is returned.
  static absl::StatusOr<std::unique_ptr<Worker>> Start(const WorkerOptions& options);
  // Stops the loop (in-flight operations are cancelled and drained) and joins the thread.
  ~Worker();

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int index() const { return options_.index; }
  // Any thread.
  void Post(std::function<void()> task) { ring_->Post(std::move(task)); }
  // Only on the worker's own thread (inside a posted task or a completion).
  Ring& ring() { return *ring_; }
  BufferRing& rx_buffers() { return *rx_buffers_; }
  const RingStats& stats() const { return ring_->stats(); }
  std::thread::id thread_id() const { return thread_.get_id(); }

 private:
  explicit Worker(const WorkerOptions& options) : options_(options) {}
  void ThreadMain(std::promise<absl::Status>* ready);

  WorkerOptions options_;
  std::unique_ptr<Ring> ring_;
  std::unique_ptr<BufferRing> rx_buffers_;
  std::thread thread_;
};

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_WORKER_H_
