#include "core/heap_trimmer.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/ring.h"
#include "gtest/gtest.h"

namespace ringcast::core {
namespace {

constexpr size_t kMiB = 1024 * 1024;

class HeapTrimmerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ReadHeapFigures().in_use_bytes == 0) {
      GTEST_SKIP() << "the allocator keeps no figures (a sanitizer's)";
    }
    auto ring = Ring::Create({});
    ASSERT_TRUE(ring.ok()) << ring.status();
    ring_ = std::move(*ring);
    // The timer never fires here: the test calls MaybeTrim itself.
    trimmer_ = std::make_unique<HeapTrimmer>(*ring_, 3600 * kNsPerSec, 8 * kMiB);
  }

  std::unique_ptr<Ring> ring_;
  std::unique_ptr<HeapTrimmer> trimmer_;
};

TEST_F(HeapTrimmerTest, GivesBackWhatABurstFreedBetweenLiveBlocks) {
  // 48 MiB in 2 KiB blocks, written, then all freed but one in 64: the survivors keep the heap's
  // top from coming free, so free() alone gives back nothing.
  std::vector<char*> blocks;
  for (int i = 0; i < 24 * 1024; ++i) {
    char* block = static_cast<char*>(std::malloc(2048));
    ASSERT_NE(block, nullptr);
    std::memset(block, i & 0xFF, 2048);
    blocks.push_back(block);
  }
  std::vector<char*> kept;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i % 64 == 0) {
      kept.push_back(blocks[i]);
    } else {
      std::free(blocks[i]);
    }
  }
  const size_t resident = ResidentBytes();
  EXPECT_GE(ReadHeapFigures().free_bytes, 40 * kMiB);

  EXPECT_TRUE(trimmer_->MaybeTrim());
  EXPECT_LE(ResidentBytes() + 32 * kMiB, resident);
  EXPECT_EQ(trimmer_->trims(), 1u);
  EXPECT_GE(trimmer_->returned_bytes(), 32 * kMiB);
  // The free pages are no longer resident: another look gives back nothing and is not counted.
  EXPECT_FALSE(trimmer_->MaybeTrim());
  EXPECT_EQ(trimmer_->trims(), 1u);
  for (char* block : kept) std::free(block);
}

TEST_F(HeapTrimmerTest, AHeapInUseGivesNothingBack) {
  // 16 MiB live and nothing freed: no trim.
  std::vector<char*> blocks;
  for (int i = 0; i < 8 * 1024; ++i) {
    blocks.push_back(static_cast<char*>(std::malloc(2048)));
    std::memset(blocks.back(), 1, 2048);
  }
  EXPECT_FALSE(trimmer_->MaybeTrim());
  EXPECT_EQ(trimmer_->trims(), 0u);
  for (char* block : blocks) std::free(block);
}

}  // namespace
}  // namespace ringcast::core
