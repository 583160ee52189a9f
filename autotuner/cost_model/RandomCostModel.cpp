// The random cost model: uniform scores, the baseline a learned model must beat.
#include "autotuner/cost_model/CostModel.h"

#include <mutex>
#include <random>

namespace kiln::autotuner {
namespace {

class RandomCostModel final : public CostModel {
public:
  explicit RandomCostModel(uint64_t seed) : rng(seed) {}

  void update(llvm::ArrayRef<MeasuredProgram>) override {}

  std::vector<double> predict(llvm::ArrayRef<std::vector<float>> features) const override {
    std::lock_guard<std::mutex> lock(mutex);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> scores(features.size());
    for (double &s : scores)
      s = uniform(rng);
    return scores;
  }

  bool isTrained() const override { return true; }

private:
  mutable std::mutex mutex;
  mutable std::mt19937_64 rng;
};

} // namespace

std::unique_ptr<CostModel> createRandomCostModel(uint64_t seed) {
  return std::make_unique<RandomCostModel>(seed);
}

} // namespace kiln::autotuner
