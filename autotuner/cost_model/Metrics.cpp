// Training targets (per-task normalized throughput) and the pairwise ranking accuracy.
#include "autotuner/cost_model/CostModel.h"

#include "llvm/ADT/StringMap.h"

#include <cmath>

namespace kiln::autotuner {

static bool validLatency(double latency) { return std::isfinite(latency) && latency > 0; }

std::vector<float> normalizedThroughputs(llvm::ArrayRef<MeasuredProgram> programs) {
  llvm::StringMap<double> best;
  for (const MeasuredProgram &p : programs) {
    if (!validLatency(p.latencySec))
      continue;
    auto [it, inserted] = best.try_emplace(p.taskKey, p.latencySec);
    if (!inserted)
      it->second = std::min(it->second, p.latencySec);
  }
  std::vector<float> out;
  out.reserve(programs.size());
  for (const MeasuredProgram &p : programs)
    out.push_back(validLatency(p.latencySec) ? float(best[p.taskKey] / p.latencySec) : 0.0f);
  return out;
}

double pairwiseRankingAccuracy(llvm::ArrayRef<MeasuredProgram> heldOut,
                               llvm::ArrayRef<double> scores) {
  llvm::StringMap<std::vector<size_t>> byTask;
  for (size_t i = 0; i < heldOut.size() && i < scores.size(); ++i)
    if (validLatency(heldOut[i].latencySec))
      byTask[heldOut[i].taskKey].push_back(i);
  double correct = 0, pairs = 0;
  for (const auto &task : byTask) {
    const std::vector<size_t> &idx = task.second;
    for (size_t a = 0; a < idx.size(); ++a)
      for (size_t b = a + 1; b < idx.size(); ++b) {
        double la = heldOut[idx[a]].latencySec, lb = heldOut[idx[b]].latencySec;
        if (la == lb)
          continue;
        double sa = scores[idx[a]], sb = scores[idx[b]];
        pairs += 1;
        if (sa == sb)
          correct += 0.5;
        else if ((la < lb) == (sa > sb))
          correct += 1;
      }
  }
  return pairs > 0 ? correct / pairs : 0.5;
}

} // namespace kiln::autotuner
