// Workers: tasks posted across threads (IORING_OP_MSG_RING between two rings, the eventfd from a
// thread without one) and a clean stop with receives still in flight.
#include "core/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/receiver.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

std::unique_ptr<Worker> StartWorker(int index) {
  WorkerOptions options;
  options.index = index;
  options.rx_buffers = 16;
  options.rx_buffer_bytes = 2048;
  auto worker = Worker::Start(options);
  if (!worker.ok()) {
    ADD_FAILURE() << worker.status();
    return nullptr;
  }
  return std::move(worker).value();
}

TEST(WorkerTest, TasksPostedBetweenTwoWorkersRunOnTheTargetThread) {
  auto a = StartWorker(0);
  auto b = StartWorker(1);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  constexpr int kRoundTrips = 200;
  std::promise<void> done;
  std::atomic<int> wrong_thread{0};
  std::atomic<int> round_trips{0};
  // A ping-pong: each side checks it runs on its own thread, then posts to the other.
  std::function<void()> ping;
  std::function<void()> pong;
  ping = [&] {
    if (std::this_thread::get_id() != b->thread_id()) ++wrong_thread;
    a->Post(pong);
  };
  pong = [&] {
    if (std::this_thread::get_id() != a->thread_id()) ++wrong_thread;
    if (++round_trips == kRoundTrips) {
      done.set_value();
      return;
    }
    b->Post(ping);
  };
  a->Post([&] { b->Post(ping); });
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(wrong_thread.load(), 0);
  EXPECT_EQ(round_trips.load(), kRoundTrips);

  bool has_msg_ring = false;
  std::promise<void> probed;
  a->Post([&] {
    has_msg_ring = a->ring().has_msg_ring();
    probed.set_value();
  });
  probed.get_future().wait();
  if (has_msg_ring) {
    // Worker-to-worker doorbells went through IORING_OP_MSG_RING, not the eventfd.
    EXPECT_GT(b->stats().wakeups_msg_ring.load(), 0u);
    EXPECT_GT(a->stats().wakeups_msg_ring.load(), 0u);
  }
}

TEST(WorkerTest, ThreadWithoutARingWakesTheWorkerThroughTheEventfd) {
  auto worker = StartWorker(0);
  ASSERT_NE(worker, nullptr);
  std::promise<std::thread::id> ran_on;
  worker->Post([&] { ran_on.set_value(std::this_thread::get_id()); });
  auto future = ran_on.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(future.get(), worker->thread_id());
  EXPECT_GT(worker->stats().wakeups_eventfd.load(), 0u);
}

class NullHandler final : public ReceiveHandler {
 public:
  void OnReceive(std::span<uint8_t>, const sockaddr*, socklen_t, uint16_t) override {}
  void OnReceiveEnd(int) override { ++ends; }
  int ends = 0;
};

TEST(WorkerTest, StopsCleanlyWithReceivesInFlight) {
  int fds[4][2];
  for (auto& pair : fds) ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  {
    auto worker = StartWorker(0);
    ASSERT_NE(worker, nullptr);
    NullHandler handler;  // outlives the worker: receives drain before the thread exits
    std::vector<std::unique_ptr<Receiver>> receivers;  // destroyed after the worker has drained
    std::promise<void> armed;
    worker->Post([&] {
      for (auto& pair : fds) {
        receivers.push_back(std::make_unique<Receiver>(worker->ring(), worker->rx_buffers(),
                                                       pair[0], Receiver::Mode::kStream, handler));
        receivers.back()->Start();
      }
      armed.set_value();
    });
    armed.get_future().wait();
    worker.reset();  // cancels the four multishot receives, drains them, joins
    for (const auto& receiver : receivers) EXPECT_EQ(receiver->inflight(), 0);
  }
  for (auto& pair : fds) {
    close(pair[0]);
    close(pair[1]);
  }
}

}  // namespace
}  // namespace ringcast::core
