// The cost model the search ranks candidate programs with, and its evaluation metric.
//
// Features are plain float vectors (autotuner/features/ProgramFeatures.h makes them), so this
// part needs no MLIR. Scores are "higher = predicted faster" and only compare within a task.
#ifndef KILN_AUTOTUNER_COST_MODEL_COSTMODEL_H
#define KILN_AUTOTUNER_COST_MODEL_COSTMODEL_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::autotuner {

// One measured candidate. Failed or invalid measurements must not be passed in; a latency
// that is not finite and positive is skipped anyway.
struct MeasuredProgram {
  std::string taskKey;
  std::vector<float> features;
  double latencySec;
};

class CostModel {
public:
  virtual ~CostModel() = default;
  // Retrains from scratch on `measured`, which holds every program measured so far (the
  // search calls this after each measured batch, passing the whole growing set).
  virtual void update(llvm::ArrayRef<MeasuredProgram> measured) = 0;
  // Scores, higher = predicted faster; comparable within one task. All zeros while
  // untrained (the search then falls back to random selection). Not thread-safe against
  // update(); concurrent predict() calls are serialised.
  virtual std::vector<double> predict(llvm::ArrayRef<std::vector<float>> features) const = 0;
  virtual bool isTrained() const = 0;
};

// Gradient-boosted trees (libxgboost) regressing each program's normalized throughput (see
// normalizedThroughputs); deterministic for a given seed and data.
std::unique_ptr<CostModel> createXGBoostCostModel(uint64_t seed);
// Uniform random scores: the baseline the learned model must beat. Always "trained".
std::unique_ptr<CostModel> createRandomCostModel(uint64_t seed);

// Per program: the best (lowest) latency of its task divided by its latency, in (0, 1];
// 0 for a latency that is not finite and positive.
std::vector<float> normalizedThroughputs(llvm::ArrayRef<MeasuredProgram> programs);

// Fraction of pairs (same taskKey, different latency) that `scores` order correctly, i.e.
// the faster program has the higher score; a tied score counts half. 0.5 without any pair.
double pairwiseRankingAccuracy(llvm::ArrayRef<MeasuredProgram> heldOut,
                               llvm::ArrayRef<double> scores);

} // namespace kiln::autotuner

#endif
