// StatSnapshot: the worker takes the figures on its own ring's timer; another thread copies the
// last ones while the worker keeps publishing new ones.
#include "core/stat_snapshot.h"

#include <atomic>
#include <future>
#include <thread>

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

// The control thread copies while the worker publishes (ThreadSanitizer checks the hand-over).
TEST(StatSnapshotTest, AnotherThreadCopiesWhileTheWorkerTakes) {
  WorkerOptions options;
  options.rx_buffers = 16;
  auto worker = Worker::Start(options);
  ASSERT_TRUE(worker.ok()) << worker.status();
  std::unique_ptr<StatSnapshot> snapshot;
  std::atomic<int> takes{0};
  std::promise<void> started;
  (*worker)->Post([&] {
    snapshot = std::make_unique<StatSnapshot>((*worker)->ring(), kNsPerMs,
                                              [&](std::vector<StatSample>& out) {
                                                int n = ++takes;
                                                for (int i = 0; i < 8; ++i) {
                                                  out.push_back(Gauge("stats.test.n", n, "m", "h"));
                                                }
                                              });
    snapshot->Start();
    started.set_value();
  });
  started.get_future().wait();
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
  std::promise<void> stopped;
  (*worker)->Post([&] {
    snapshot.reset();
    stopped.set_value();
  });
  stopped.get_future().wait();
}

}  // namespace
}  // namespace ringcast::core
