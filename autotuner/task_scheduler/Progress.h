// The live tuning display on stderr: per task its trials, best latency and GFLOP/s, with the
// estimated end-to-end latency, elapsed time and ETA. On a terminal the table is redrawn in
// place each round; otherwise (logs, CI) one line per round is printed.
#ifndef KILN_AUTOTUNER_TASK_SCHEDULER_PROGRESS_H
#define KILN_AUTOTUNER_TASK_SCHEDULER_PROGRESS_H

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::autotuner {

struct ProgressRow {
  std::string name;
  int64_t trials = 0;
  double bestSec = 0, flops = 0, weight = 1;
};

struct ProgressState {
  std::vector<ProgressRow> rows;
  size_t lastTask = 0;          // the row the last round went to
  int64_t done = 0, total = 0;  // trials in the database for this model, and the target
  double estimatedSec = 0, baselineSec = 0, elapsedSec = 0, etaSec = -1;
};

class ProgressDisplay {
public:
  explicit ProgressDisplay(bool enabled);
  void update(const ProgressState &state);
  void finish();

private:
  bool enabled, terminal;
  int linesDrawn = 0;
};

// "1:02:03", "4:05" for durations in seconds.
std::string formatDuration(double seconds);
// "0.123 ms", "12.3 us".
std::string formatLatency(double seconds);

} // namespace kiln::autotuner

#endif
