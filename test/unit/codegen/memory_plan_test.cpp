// Property tests of the static memory plan: live buffers never overlap, dead ones share.
#include "codegen/cpu/MemoryPlan.h"

#include <gtest/gtest.h>

#include <random>

using kiln::codegen::BufferLifetime;
using kiln::codegen::planMemory;

namespace {

bool overlapsInTime(const BufferLifetime &a, const BufferLifetime &b) {
  return !(a.lastStep < b.firstStep || b.lastStep < a.firstStep);
}

TEST(MemoryPlan, ChainReusesMemory) {
  // a -> b -> c -> d: each buffer dies once the next is computed, so two slots suffice.
  std::vector<BufferLifetime> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  auto plan = planMemory(chain);
  EXPECT_EQ(plan.workspaceBytes, 2 * 1024);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
}

TEST(MemoryPlan, OffsetsAreAligned) {
  auto plan = planMemory({{3, 0, 0}, {5, 0, 0}, {70, 0, 0}});
  for (int64_t offset : plan.offsets)
    EXPECT_EQ(offset % 64, 0);
}

TEST(MemoryPlan, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferLifetime> buffers;
    int n = 1 + rng() % 40;
    for (int i = 0; i < n; ++i) {
      int first = rng() % 30;
      buffers.push_back({int64_t(1 + rng() % 100000), first, first + int(rng() % 6)});
    }
    auto plan = planMemory(buffers);
    int64_t peak = 0;
    for (int step = 0; step < 40; ++step) {
      int64_t live = 0;
      for (auto &b : buffers)
        if (b.firstStep <= step && step <= b.lastStep)
          live += b.bytes;
      peak = std::max(peak, live);
    }
    EXPECT_GE(plan.workspaceBytes, peak);
    for (int i = 0; i < n; ++i) {
      EXPECT_LE(plan.offsets[i] + buffers[i].bytes, plan.workspaceBytes);
      for (int j = i + 1; j < n; ++j) {
        if (!overlapsInTime(buffers[i], buffers[j]))
          continue;
        bool disjoint = plan.offsets[i] + buffers[i].bytes <= plan.offsets[j] ||
                        plan.offsets[j] + buffers[j].bytes <= plan.offsets[i];
        EXPECT_TRUE(disjoint) << "trial " << trial << " buffers " << i << " and " << j;
      }
    }
  }
}

} // namespace
