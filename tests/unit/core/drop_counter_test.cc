// DropCounter: reasons declared by the components that own them, counted from any thread, listed
// by name for stats.drops.*.
#include "core/drop_counter.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

const DropCounter kTestDrops("test_zz_drops", "what this test throws away");
const DropCounter kOtherTestDrops("test_aa_drops", "what this test throws away too");

TEST(DropCounterTest, CountsAndIsListedByName) {
  uint64_t before = kTestDrops.count();
  kTestDrops.Count();
  kTestDrops.Count(4);
  EXPECT_EQ(kTestDrops.count(), before + 5);
  EXPECT_EQ(FindDropCounter("test_zz_drops"), &kTestDrops);
  EXPECT_EQ(FindDropCounter("no_such_reason"), nullptr);
  std::vector<const DropCounter*> all = AllDropCounters();
  // Core's own reasons are linked in too (the receiver's); the list is sorted by name.
  ASSERT_GE(all.size(), 2u);
  for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1]->name(), all[i]->name());
  auto aa = std::find(all.begin(), all.end(), &kOtherTestDrops);
  auto zz = std::find(all.begin(), all.end(), &kTestDrops);
  ASSERT_NE(aa, all.end());
  ASSERT_NE(zz, all.end());
  EXPECT_LT(aa, zz);
  EXPECT_EQ(kOtherTestDrops.help(), "what this test throws away too");
}

TEST(DropCounterTest, AnyThreadMayCount) {
  uint64_t before = kOtherTestDrops.count();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 10000; ++i) kOtherTestDrops.Count();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(kOtherTestDrops.count(), before + 40000);
}

TEST(DropCounterDeathTest, TwoReasonsWithOneNameAreAMistake) {
  EXPECT_DEATH({ DropCounter twin("test_zz_drops", "a second one"); }, "");
}

}  // namespace
}  // namespace ringcast::core
