// StatSnapshot: the worker takes the figures on its own ring's timer; another thread copies the
// last ones while the worker keeps publishing new ones.
#include "core/stat_snapshot.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/worker.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

TEST(StatSnapshotTest, NothingBeforeStartThenTheFirstTakeAtOnce) {
  auto ring = Ring::Create({});
  ASSERT_TRUE(ring.ok()) << ring.status();
  int takes = 0;
  StatSnapshot snapshot(**ring, kNsPerSec, [&](std::vector<StatSample>& out) {
    ++takes;
    out.push_back(Gauge("stats.test.takes", takes, "ringcast_test_takes", "takes so far"));
  });
  EXPECT_TRUE(snapshot.Copy().empty());
  snapshot.Start();
  ASSERT_EQ(snapshot.Copy().size(), 1u);
  EXPECT_EQ(snapshot.Copy()[0].value, 1);
  EXPECT_FALSE(snapshot.Copy()[0].counter);
  snapshot.Take();
  EXPECT_EQ(snapshot.Copy()[0].value, 2);
}

TEST(StatSnapshotTest, TheTimerTakesAgainEveryInterval) {
  auto ring = Ring::Create({});
  ASSERT_TRUE(ring.ok()) << ring.status();
  int takes = 0;
  StatSnapshot snapshot(**ring, 5 * kNsPerMs, [&](std::vector<StatSample>& out) {
    out.push_back(Counter("stats.test.takes", ++takes, "ringcast_test_takes_total", "takes"));
  });
  snapshot.Start();
  int64_t give_up = NowNs() + 5 * kNsPerSec;
  while (takes < 4 && NowNs() < give_up) (*ring)->RunOnce(10 * kNsPerMs);
  ASSERT_GE(takes, 4);
  std::vector<StatSample> copy = snapshot.Copy();
  ASSERT_EQ(copy.size(), 1u);
  EXPECT_TRUE(copy[0].counter);
  EXPECT_GE(copy[0].value, 4);
}

// Snapshots on a worker of their own, made, started and destroyed on its thread as components
// do; `takes` counts the takes.
class WorkerStatSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WorkerOptions options;
    options.rx_buffers = 16;
    auto worker = Worker::Start(options);
    ASSERT_TRUE(worker.ok()) << worker.status();
    worker_ = std::move(worker).value();
  }

  std::unique_ptr<StatSnapshot> StartOn(int64_t interval_ns, StatSnapshot::Taker take,
                                        int64_t fresh_ns = StatSnapshot::kOnDemandFresh) {
    std::unique_ptr<StatSnapshot> snapshot;
    std::promise<void> started;
    worker_->Post([&] {
      snapshot =
          std::make_unique<StatSnapshot>(worker_->ring(), interval_ns, std::move(take), fresh_ns);
      snapshot->Start();
      started.set_value();
    });
    started.get_future().wait();
    return snapshot;
  }

  void DestroyOn(std::unique_ptr<StatSnapshot>& snapshot) {
    std::promise<void> stopped;
    worker_->Post([&] {
      snapshot.reset();
      stopped.set_value();
    });
    stopped.get_future().wait();
  }

  std::unique_ptr<Worker> worker_;
  std::atomic<int> takes{0};
};

// The control thread copies while the worker publishes (ThreadSanitizer checks the hand-over).
TEST_F(WorkerStatSnapshotTest, AnotherThreadCopiesWhileTheWorkerTakes) {
  std::unique_ptr<StatSnapshot> snapshot = StartOn(kNsPerMs, [&](std::vector<StatSample>& out) {
    int n = ++takes;
    for (int i = 0; i < 8; ++i) out.push_back(Gauge("stats.test.n", n, "m", "h"));
  });
  int64_t give_up = NowNs() + 5 * kNsPerSec;
  double last = 0;
  while (takes.load() < 50 && NowNs() < give_up) {
    std::vector<StatSample> copy = snapshot->Copy();
    ASSERT_EQ(copy.size(), 8u);  // never half of a snapshot
    for (const StatSample& sample : copy) EXPECT_EQ(sample.value, copy[0].value);
    EXPECT_GE(copy[0].value, last);  // never an older one after a newer one
    last = copy[0].value;
  }
  EXPECT_GE(takes.load(), 50);
  DestroyOn(snapshot);
}

// On demand: nothing is taken while nobody reads; each Copy() from another thread gets a take
// made for it on the worker, also with several readers at once.
TEST_F(WorkerStatSnapshotTest, OnDemandTakesOnlyWhenRead) {
  std::unique_ptr<StatSnapshot> snapshot = StartOn(
      StatSnapshot::kOnDemand,
      [&](std::vector<StatSample>& out) {
        EXPECT_EQ(Ring::Current(), &worker_->ring());  // on the worker, never the reader
        out.push_back(Gauge("stats.test.takes", ++takes, "ringcast_test_takes", "takes"));
      },
      /*fresh_ns=*/0);  // every read takes anew
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(takes.load(), 0);
  for (int i = 1; i <= 3; ++i) {
    std::vector<StatSample> copy = snapshot->Copy();
    ASSERT_EQ(copy.size(), 1u);
    EXPECT_EQ(copy[0].value, i);
  }
  EXPECT_EQ(takes.load(), 3);
  // Readers on several threads at once, each answered.
  std::vector<std::thread> readers;
  std::atomic<int> answered{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20; ++i) answered += snapshot->Copy().size() == 1 ? 1 : 0;
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(answered.load(), 80);
  DestroyOn(snapshot);
}

// Reads within the freshness window share one take, however many come: the worker's cost is
// bounded by the window, not by the number of readers (a LIST of thousands of stats, a scraper).
TEST_F(WorkerStatSnapshotTest, OnDemandReadsWithinTheFreshnessWindowShareATake) {
  std::unique_ptr<StatSnapshot> snapshot = StartOn(
      StatSnapshot::kOnDemand,
      [&](std::vector<StatSample>& out) {
        out.push_back(Gauge("stats.test.takes", ++takes, "ringcast_test_takes", "takes"));
      },
      /*fresh_ns=*/3600 * kNsPerSec);
  for (int i = 0; i < 1000; ++i) {
    std::vector<StatSample> copy = snapshot->Copy();
    ASSERT_EQ(copy.size(), 1u);
    EXPECT_EQ(copy[0].value, 1);
  }
  EXPECT_EQ(takes.load(), 1);
  DestroyOn(snapshot);
}

}  // namespace
}  // namespace ringcast::core
