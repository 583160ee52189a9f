// Latency statistics for kiln-run --bench.
#ifndef KILN_TOOLS_KILN_RUN_BENCH_H
#define KILN_TOOLS_KILN_RUN_BENCH_H

#include <cstdint>
#include <vector>

namespace kiln::run {

struct LatencyStats {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, min = 0, max = 0;
};

// Nearest-rank percentiles of `samplesMs` (not empty).
LatencyStats summarizeLatencies(std::vector<double> samplesMs);

// Untimed runs before the timed ones: enough to fault in the workspace and wake the pool's
// workers, a tenth of the timed runs, between 1 and 10.
int64_t warmupRuns(int64_t timedRuns);

} // namespace kiln::run

#endif
