// Static, liveness-based placement of intermediate buffers in one workspace.
#include "codegen/cpu/MemoryPlan.h"

#include <algorithm>
#include <numeric>

namespace kiln::codegen {

static constexpr int64_t kAlignment = 64;

static int64_t alignUp(int64_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

MemoryPlan planMemory(const std::vector<BufferLifetime> &buffers) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  std::vector<size_t> placed;
  for (size_t i : order) {
    const BufferLifetime &buf = buffers[i];
    // Occupied ranges of already placed buffers alive at the same time, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed) {
      const BufferLifetime &other = buffers[j];
      if (other.lastStep < buf.firstStep || buf.lastStep < other.firstStep)
        continue;
      busy.push_back({plan.offsets[j], plan.offsets[j] + alignUp(other.bytes)});
    }
    std::sort(busy.begin(), busy.end());
    // Best fit: the smallest gap that holds the buffer, else the end.
    int64_t need = alignUp(buf.bytes), cursor = 0, best = -1, bestGap = INT64_MAX;
    for (auto [start, end] : busy) {
      if (start - cursor >= need && start - cursor < bestGap) {
        best = cursor;
        bestGap = start - cursor;
      }
      cursor = std::max(cursor, end);
    }
    plan.offsets[i] = best >= 0 ? best : cursor;
    plan.workspaceBytes = std::max(plan.workspaceBytes, plan.offsets[i] + need);
    placed.push_back(i);
  }
  return plan;
}

} // namespace kiln::codegen
