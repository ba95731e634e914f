// Ring: SQE getter under pressure, packed and object dispatch, timers, Retire (cancel → drain →
// delete), CancelAllAndDrain with operations in flight, and batched waits.
#include "core/ring.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

std::unique_ptr<Ring> MakeRing(unsigned entries = 64) {
  RingOptions options;
  options.entries = entries;
  auto ring = Ring::Create(options);
  if (!ring.ok()) {
    ADD_FAILURE() << ring.status();
    return nullptr;
  }
  return std::move(ring).value();
}

// Runs the loop until `done` or a generous bound; tests assert on `done` afterwards.
template <typename Done>
void RunUntil(Ring& ring, Done done, int64_t limit_ns = 5 * kNsPerSec) {
  int64_t give_up = NowNs() + limit_ns;
  while (!done() && NowNs() < give_up) ring.RunOnce(10 * kNsPerMs);
}

class CountingCompletion final : public Completion {
 public:
  explicit CountingCompletion(bool* destroyed = nullptr) : destroyed_(destroyed) {}
  ~CountingCompletion() override {
    if (destroyed_ != nullptr) *destroyed_ = true;
  }
  void OnCompletion(const io_uring_cqe& cqe) override { results.push_back(cqe.res); }
  std::vector<int> results;

 private:
  bool* destroyed_;
};

class RecordingOpHandler final : public OpHandler {
 public:
  void OnOpCompletion(uint32_t index, const io_uring_cqe& cqe) override {
    indices.push_back(index);
  }
  std::vector<uint32_t> indices;
};

TEST(RingTest, GetSqeNeverFailsWhenTheQueueIsFull) {
  auto ring = MakeRing(8);
  ASSERT_NE(ring, nullptr);
  CountingCompletion nops;
  for (int i = 0; i < 100; ++i) io_uring_prep_nop(ring->GetSqe(&nops));
  EXPECT_EQ(nops.inflight(), 100);
  RunUntil(*ring, [&] { return nops.results.size() == 100; });
  EXPECT_EQ(nops.results.size(), 100u);
  EXPECT_EQ(nops.inflight(), 0);
  EXPECT_EQ(ring->inflight(), 1);  // only the ring's own eventfd read
  EXPECT_GT(ring->stats().sq_full.load(), 0u);
}

TEST(RingTest, PackedOperationsReachTheirHandlerWithTheirIndex) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  RecordingOpHandler sends;
  ring->SetOpHandler(7, &sends);
  for (uint32_t index : {0u, 1u, 65535u, 4000000000u}) io_uring_prep_nop(ring->GetSqe(7, index));
  RunUntil(*ring, [&] { return sends.indices.size() == 4; });
  EXPECT_EQ(sends.indices, (std::vector<uint32_t>{0, 1, 65535, 4000000000u}));
}

TEST(RingTest, TimersFireInDeadlineOrderAndNotEarly) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  std::vector<int> fired;
  std::vector<int64_t> late_by;
  int64_t start = NowNs();
  auto make = [&](int id, int64_t delay_ms) {
    auto timer = std::make_unique<Timer>(*ring, [&, id, delay_ms] {
      fired.push_back(id);
      late_by.push_back(NowNs() - (start + delay_ms * kNsPerMs));
    });
    timer->ArmAt(start + delay_ms * kNsPerMs);
    return timer;
  };
  auto t3 = make(3, 60);
  auto t1 = make(1, 20);
  auto t2 = make(2, 40);
  auto cancelled = make(9, 30);
  cancelled->Disarm();
  EXPECT_FALSE(cancelled->armed());
  RunUntil(*ring, [&] { return fired.size() == 3; });
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
  for (int64_t late : late_by) EXPECT_GE(late, 0);
}

TEST(RingTest, TimerCanRearmItselfAndDestroyingDisarms) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  int ticks = 0;
  std::unique_ptr<Timer> timer;
  timer = std::make_unique<Timer>(*ring, [&] {
    if (++ticks < 5) timer->ArmAfter(kNsPerMs);
  });
  timer->ArmAfter(kNsPerMs);
  RunUntil(*ring, [&] { return ticks == 5; });
  EXPECT_EQ(ticks, 5);
  EXPECT_FALSE(timer->armed());

  bool fired = false;
  auto doomed = std::make_unique<Timer>(*ring, [&] { fired = true; });
  doomed->ArmAfter(kNsPerMs);
  doomed.reset();
  ring->RunOnce(20 * kNsPerMs);
  EXPECT_FALSE(fired);
}

TEST(RingTest, RetireWaitsForTheCancelledOperationBeforeDeleting) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  bool destroyed = false;
  auto reader = std::make_unique<CountingCompletion>(&destroyed);
  CountingCompletion* raw = reader.get();
  static char buffer[64];
  io_uring_prep_recv(ring->GetSqe(raw), fds[0], buffer, sizeof(buffer), 0);
  ring->RunOnce(0);  // submitted; nothing to read, so it stays in flight
  ASSERT_EQ(raw->inflight(), 1);
  ring->Retire(std::move(reader));
  EXPECT_FALSE(destroyed);  // never before its CQE
  RunUntil(*ring, [&] { return destroyed; });
  EXPECT_TRUE(destroyed);
  close(fds[0]);
  close(fds[1]);
}

TEST(RingTest, CancelAllAndDrainLeavesNothingInFlight) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  std::vector<std::unique_ptr<CountingCompletion>> readers;
  static char buffers[8][64];
  for (int i = 0; i < 8; ++i) {
    readers.push_back(std::make_unique<CountingCompletion>());
    io_uring_prep_recv(ring->GetSqe(readers.back().get()), fds[0], buffers[i], 64, 0);
  }
  ring->RunOnce(0);
  EXPECT_EQ(ring->inflight(), 9);  // 8 receives and the eventfd read
  ring->CancelAllAndDrain();
  EXPECT_EQ(ring->inflight(), 0);
  for (const auto& reader : readers) {
    EXPECT_EQ(reader->inflight(), 0);
    ASSERT_EQ(reader->results.size(), 1u);
    EXPECT_EQ(reader->results[0], -ECANCELED);
  }
  readers.clear();  // safe now: under ASan a use-after-free here would abort the test
  close(fds[0]);
  close(fds[1]);
}

TEST(RingTest, PostFromTheOwnThreadRunsOnTheNextIteration) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  int runs = 0;
  ring->Post([&] { ++runs; });
  EXPECT_EQ(runs, 0);  // never inline
  ring->RunOnce(0);
  EXPECT_EQ(runs, 1);
}

// Work inside a batch reads the time the batch woke at (one clock read per batch); outside a
// batch BatchNowNs() is the clock.
TEST(RingTest, BatchNowIsTheBatchWakeTimeInsideABatchAndTheClockOutside) {
  auto ring = MakeRing();
  ASSERT_NE(ring, nullptr);
  int64_t first = 0, second = 0;
  ring->Post([&] {
    first = BatchNowNs();
    const int64_t spin_until = NowNs() + 2 * kNsPerMs;
    while (NowNs() < spin_until) {
    }
    second = BatchNowNs();
  });
  const int64_t before = NowNs();
  ring->RunOnce(0);
  const int64_t after = NowNs();
  EXPECT_EQ(first, second);  // 2 ms apart on the clock, one batch
  EXPECT_GE(first, before);
  EXPECT_LE(first, after - 2 * kNsPerMs);
  const int64_t outside = BatchNowNs();
  EXPECT_GE(outside, after);
}

// Batched waits (core.batch_wait_us): what is queued is still submitted, every completion is
// handed over, the earliest timer still ends the wait, and another thread's Post still wakes it.
std::unique_ptr<Ring> MakeBatchingRing(unsigned entries = 64) {
  auto ring = MakeRing(entries);
  if (ring != nullptr) ring->SetBatchWait(2 * kNsPerMs);
  return ring;
}

TEST(RingTest, BatchedWaitSubmitsAndHandsOverEveryCompletion) {
  auto ring = MakeBatchingRing(8);
  ASSERT_NE(ring, nullptr);
  if (!ring->has_min_wait()) GTEST_SKIP() << "the kernel has no min-wait (Linux 6.12+)";
  CountingCompletion nops;
  // More than the SQ holds: GetSqe submits the first ones itself, the wait the last few.
  for (int i = 0; i < 20; ++i) io_uring_prep_nop(ring->GetSqe(&nops));
  ring->RunOnce(kNsPerSec);
  EXPECT_EQ(nops.results.size(), 20u);
  EXPECT_EQ(nops.inflight(), 0);
  for (int i = 0; i < 3; ++i) io_uring_prep_nop(ring->GetSqe(&nops));
  ring->RunOnce(kNsPerSec);
  EXPECT_EQ(nops.results.size(), 23u);
}

TEST(RingTest, BatchedWaitEndsAtTheNextTimer) {
  auto ring = MakeBatchingRing();
  ASSERT_NE(ring, nullptr);
  bool fired = false;
  Timer timer(*ring, [&] { fired = true; });
  timer.ArmAfter(5 * kNsPerMs);
  RunUntil(*ring, [&] { return fired; });
  EXPECT_TRUE(fired);
}

TEST(RingTest, BatchedWaitWakesForAPostFromAnotherThread) {
  auto ring = MakeBatchingRing();
  ASSERT_NE(ring, nullptr);
  std::atomic<bool> ran{false};
  std::thread other([&] { ring->Post([&] { ran = true; }); });
  other.join();
  RunUntil(*ring, [&] { return ran.load(); });
  EXPECT_TRUE(ran.load());
}

}  // namespace
}  // namespace ringcast::core
