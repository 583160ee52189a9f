// The runner half of the measurement worker: loads a candidate model .so, checks its outputs
// against the reference (the default schedule's) on the same seeded inputs, and times it.
#ifndef KILN_AUTOTUNER_MEASURE_WORKER_TIMECANDIDATE_H
#define KILN_AUTOTUNER_MEASURE_WORKER_TIMECANDIDATE_H

#include <string>
#include <vector>

namespace kiln::autotuner {

struct TimeRequest {
  std::string modelPath;
  int threads = 0;           // 0: every core
  int repeats = 3;           // latency samples
  double minRepeatMs = 20;   // each sample averages enough runs to last this long
  bool coldWeights = true;   // flush the model's weights from the caches before every run
  std::string writeOutputs;  // reference mode: store the outputs here, do not compare
  std::string checkOutputs;  // compare with outputs stored by a reference run
  double rtol = 1e-3, atol = 1e-5;
};

// Returns the per-run latency (seconds) of each sample; false with `error` when the model
// fails to load or run, or its outputs differ from the reference (naming output and index).
bool timeCandidate(const TimeRequest &request, std::vector<double> &latenciesSec,
                   std::string &error);

} // namespace kiln::autotuner

#endif
