// The learned cost model: gradient-boosted trees over libxgboost's C API.
//
// Target: as Ansor and MetaSchedule, each program's normalized throughput (its task's best
// latency / its latency, in (0, 1]) with a squared-error regression. Why regression rather
// than rank:pairwise: the normalized targets are already comparable across tasks, so one
// model learns from every task at once without task groups; it keeps how much faster a
// program is (pairs only keep which), which matters when few programs per task are measured
// early in the search; and it weights fast programs more (below), which is where the search
// needs the ranking to be right.
#include "autotuner/cost_model/CostModel.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <mutex>
#include <string>

namespace kiln::autotuner {
namespace {

constexpr int kRounds = 100;
// Programs with fewer valid measurements than this leave the model untrained.
constexpr size_t kMinPrograms = 2;

// Owns an XGBoost matrix built from rows of features, padded with NaN (missing) or cut to
// `numCols` columns.
class Matrix {
public:
  Matrix(llvm::ArrayRef<const std::vector<float> *> rows, size_t numCols) {
    std::vector<float> data(rows.size() * numCols, NAN);
    for (size_t r = 0; r < rows.size(); ++r)
      std::copy_n(rows[r]->begin(), std::min(numCols, rows[r]->size()),
                  data.begin() + r * numCols);
    if (XGDMatrixCreateFromMat(data.data(), rows.size(), numCols, NAN, &handle) != 0)
      handle = nullptr;
  }
  ~Matrix() {
    if (handle)
      XGDMatrixFree(handle);
  }
  Matrix(const Matrix &) = delete;
  Matrix &operator=(const Matrix &) = delete;
  DMatrixHandle handle = nullptr;
};

class XGBoostCostModel final : public CostModel {
public:
  explicit XGBoostCostModel(uint64_t seed) : seed(seed) {
    XGBSetGlobalConfig("{\"verbosity\": 0}");
  }
  ~XGBoostCostModel() override { reset(); }

  void update(llvm::ArrayRef<MeasuredProgram> measured) override {
    std::lock_guard<std::mutex> lock(mutex);
    reset();
    std::vector<float> targets = normalizedThroughputs(measured);
    std::vector<const std::vector<float> *> rows;
    std::vector<float> labels, weights;
    for (size_t i = 0; i < measured.size(); ++i) {
      if (targets[i] <= 0)
        continue; // a failed measurement slipped through
      rows.push_back(&measured[i].features);
      labels.push_back(targets[i]);
      // Ansor's weighting: errors on fast programs cost more than on slow ones.
      weights.push_back(std::max(targets[i], 0.05f));
      numCols = std::max(numCols, measured[i].features.size());
    }
    if (rows.size() < kMinPrograms || numCols == 0)
      return reset();
    Matrix train(rows, numCols);
    if (!train.handle ||
        XGDMatrixSetFloatInfo(train.handle, "label", labels.data(), labels.size()) != 0 ||
        XGDMatrixSetFloatInfo(train.handle, "weight", weights.data(), weights.size()) != 0 ||
        XGBoosterCreate(&train.handle, 1, &booster) != 0) {
      reset();
      return;
    }
    std::string seedText = std::to_string(seed & 0x7fffffff);
    const char *params[][2] = {
        {"booster", "gbtree"},     {"tree_method", "hist"},
        {"objective", "reg:squarederror"}, {"max_depth", "10"},
        {"eta", "0.2"},            {"gamma", "0.001"},
        {"min_child_weight", "0"}, {"nthread", "1"}, // the machine is busy measuring
        {"seed", seedText.c_str()}, {"verbosity", "0"},
    };
    for (auto &param : params)
      if (XGBoosterSetParam(booster, param[0], param[1]) != 0)
        return reset();
    for (int round = 0; round < kRounds; ++round)
      if (XGBoosterUpdateOneIter(booster, round, train.handle) != 0)
        return reset();
  }

  std::vector<double> predict(llvm::ArrayRef<std::vector<float>> features) const override {
    std::vector<double> scores(features.size(), 0.0);
    std::lock_guard<std::mutex> lock(mutex);
    if (!booster || features.empty())
      return scores;
    std::vector<const std::vector<float> *> rows;
    for (const std::vector<float> &f : features)
      rows.push_back(&f);
    Matrix test(rows, numCols);
    bst_ulong length = 0;
    const float *result = nullptr;
    if (!test.handle ||
        XGBoosterPredict(booster, test.handle, 0, 0, 0, &length, &result) != 0 ||
        length != features.size())
      return scores;
    for (size_t i = 0; i < scores.size(); ++i)
      scores[i] = std::isfinite(result[i]) ? result[i] : 0.0;
    return scores;
  }

  bool isTrained() const override {
    std::lock_guard<std::mutex> lock(mutex);
    return booster != nullptr;
  }

private:
  void reset() {
    if (booster)
      XGBoosterFree(booster);
    booster = nullptr;
    numCols = 0;
  }

  uint64_t seed;
  // The booster keeps its last prediction buffer: predict() mutates it under the lock.
  mutable std::mutex mutex;
  BoosterHandle booster = nullptr;
  size_t numCols = 0;
};

} // namespace

std::unique_ptr<CostModel> createXGBoostCostModel(uint64_t seed) {
  return std::make_unique<XGBoostCostModel>(seed);
}

} // namespace kiln::autotuner
