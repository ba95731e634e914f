#include "core/worker.h"

#include <pthread.h>

#include "absl/strings/str_format.h"
#include "core/log.h"

namespace ringcast::core {

absl::StatusOr<std::unique_ptr<Worker>> Worker::Start(const WorkerOptions& options) {
  std::unique_ptr<Worker> worker(new Worker(options));
  std::promise<absl::Status> ready;
  std::future<absl::Status> ready_future = ready.get_future();
  worker->thread_ = std::thread(&Worker::ThreadMain, worker.get(), &ready);
  absl::Status status = ready_future.get();
  if (!status.ok()) {
    worker->thread_.join();
    return status;
  }
  return worker;
}

Worker::~Worker() {
  if (!thread_.joinable()) return;
  if (ring_ != nullptr) ring_->Post([this] { ring_->Stop(); });
  thread_.join();
}

void Worker::ThreadMain(std::promise<absl::Status>* ready) {
  std::string name = absl::StrFormat("ringcast-w%d", options_.index);
  pthread_setname_np(pthread_self(), name.c_str());
  RingOptions ring_options;
  ring_options.entries = options_.ring_entries;
  ring_options.single_issuer = options_.single_issuer;
  ring_options.batch_wait_ns = options_.batch_wait_ns;
  ring_options.name = "worker";
  auto ring = Ring::Create(ring_options);
  if (!ring.ok()) {
    ready->set_value(ring.status());
    return;
  }
  ring_ = std::move(ring).value();
  auto buffers =
      BufferRing::Create(*ring_, kRxBufferGroup, options_.rx_buffers, options_.rx_buffer_bytes);
  if (!buffers.ok()) {
    ring_.reset();
    ready->set_value(buffers.status());
    return;
  }
  rx_buffers_ = std::move(buffers).value();
  ready->set_value(absl::OkStatus());  // `ready` is gone after this line

  ring_->Run();  // returns after Stop(), with everything cancelled and drained
  rx_buffers_.reset();
  // The Ring object stays allocated until the destructor joins: a Post() racing with the stop
  // must not touch freed memory. Its io_uring is torn down here, on its own thread.
  ring_->Close();
}

}  // namespace ringcast::core
