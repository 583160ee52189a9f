// Latency statistics for kiln-run --bench.
#include "tools/kiln-run/bench.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln::run {

LatencyStats summarizeLatencies(std::vector<double> samplesMs) {
  std::sort(samplesMs.begin(), samplesMs.end());
  auto percentile = [&](double p) {
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * samplesMs.size()));
    return samplesMs[std::clamp<size_t>(rank, 1, samplesMs.size()) - 1];
  };
  LatencyStats stats;
  stats.mean = std::accumulate(samplesMs.begin(), samplesMs.end(), 0.0) / samplesMs.size();
  stats.p50 = percentile(50);
  stats.p90 = percentile(90);
  stats.p99 = percentile(99);
  stats.min = samplesMs.front();
  stats.max = samplesMs.back();
  return stats;
}

int64_t warmupRuns(int64_t timedRuns) { return std::clamp<int64_t>(timedRuns / 10, 1, 10); }

} // namespace kiln::run
