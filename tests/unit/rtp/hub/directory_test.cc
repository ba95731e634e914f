// PathDirectory: placement by pin, by load, by hash, and release.
#include "rtp/hub/directory.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::rtp::hub {
namespace {

TEST(PathDirectoryTest, LeastLoadedPlacesByPacketRateThenPathCount) {
  PathDirectory directory(3);
  EXPECT_EQ(directory.Place("a"), 0);  // all idle: the lowest index
  EXPECT_EQ(directory.Place("b"), 1);  // same load, fewer paths
  EXPECT_EQ(directory.Place("c"), 2);
  directory.ReportLoad(0, 900);
  directory.ReportLoad(1, 100);
  directory.ReportLoad(2, 500);
  EXPECT_EQ(directory.Place("d"), 1);
  EXPECT_EQ(directory.Place("a"), 0);  // placed already: stays
  EXPECT_EQ(directory.Owner("d"), 1);
  EXPECT_EQ(directory.Owner("nope"), -1);
  EXPECT_EQ(directory.PathsPerWorker(), (std::vector<int>{1, 2, 1}));
}

TEST(PathDirectoryTest, APinWinsAndAppliesAtTheNextActivation) {
  PathDirectory directory(2);
  EXPECT_EQ(directory.Place("cam", 1), 1);
  EXPECT_EQ(directory.Place("cam", 0), 1);  // active: the pin changes nothing yet
  directory.Release("cam", 0);              // not the owner: ignored
  EXPECT_EQ(directory.Owner("cam"), 1);
  directory.Release("cam", 1);
  EXPECT_EQ(directory.Owner("cam"), -1);
  EXPECT_EQ(directory.Place("cam", 0), 0);
  EXPECT_EQ(directory.Place("other", 7), 1);  // taken modulo the workers
}

TEST(PathDirectoryTest, HashPlacementIsStable) {
  PathDirectory one(4, PlacementPolicy::kHash);
  PathDirectory two(4, PlacementPolicy::kHash);
  std::vector<int> seen(4, 0);
  for (int i = 0; i < 64; ++i) {
    std::string name = "camera" + std::to_string(i);
    int worker = one.Place(name);
    EXPECT_EQ(two.Place(name), worker);
    ++seen[worker];
  }
  for (int count : seen) EXPECT_GT(count, 4);  // every worker gets some
}

// Workers place and release concurrently (ThreadSanitizer checks the mutex).
TEST(PathDirectoryTest, ConcurrentPlacementAgreesOnOneOwner) {
  PathDirectory directory(4);
  std::vector<int> owners(4, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) directory.ReportLoad(t, static_cast<uint64_t>(i));
      owners[t] = directory.Place("shared");
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int owner : owners) EXPECT_EQ(owner, owners[0]);
  EXPECT_EQ(directory.PathsPerWorker()[owners[0]], 1);
}

}  // namespace
}  // namespace ringcast::rtp::hub
