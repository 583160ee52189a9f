// Cost model: learns a known latency function of a few features well enough to rank held-out
// programs, retrains on growing data, scores zeros untrained; the random baseline ranks at
// chance; the metric and the targets on hand-made cases.
#include "autotuner/cost_model/CostModel.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace kiln::autotuner;

namespace {

constexpr size_t kNumFeatures = 24;

// Programs of two tasks whose latency depends on features 0-3 (the rest are distractors),
// with 5% multiplicative noise; task B is 10x slower overall.
std::vector<MeasuredProgram> synthetic(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::vector<MeasuredProgram> programs;
  for (size_t i = 0; i < count; ++i) {
    MeasuredProgram p;
    p.taskKey = i % 2 ? "taskB" : "taskA";
    for (size_t f = 0; f < kNumFeatures; ++f)
      p.features.push_back(uniform(rng));
    const std::vector<float> &x = p.features;
    double cost = std::exp(2.0 * x[0] - 1.5 * x[1] + 1.0 * x[2] * x[3]);
    p.latencySec = 1e-3 * (i % 2 ? 10.0 : 1.0) * cost * std::exp(noise(rng));
    programs.push_back(std::move(p));
  }
  return programs;
}

std::vector<std::vector<float>> featuresOf(const std::vector<MeasuredProgram> &programs) {
  std::vector<std::vector<float>> rows;
  for (const MeasuredProgram &p : programs)
    rows.push_back(p.features);
  return rows;
}

TEST(CostModelTest, XGBoostRanksHeldOutPrograms) {
  std::vector<MeasuredProgram> train = synthetic(512, 1), heldOut = synthetic(256, 2);
  std::unique_ptr<CostModel> model = createXGBoostCostModel(7);
  model->update(train);
  ASSERT_TRUE(model->isTrained());
  std::vector<double> scores = model->predict(featuresOf(heldOut));
  ASSERT_EQ(scores.size(), heldOut.size());
  double accuracy = pairwiseRankingAccuracy(heldOut, scores);
  EXPECT_GT(accuracy, 0.8);
}

TEST(CostModelTest, RandomModelRanksAtChance) {
  std::vector<MeasuredProgram> heldOut = synthetic(256, 2);
  std::unique_ptr<CostModel> model = createRandomCostModel(7);
  model->update(synthetic(64, 1));
  EXPECT_TRUE(model->isTrained());
  double accuracy = pairwiseRankingAccuracy(heldOut, model->predict(featuresOf(heldOut)));
  EXPECT_GT(accuracy, 0.4);
  EXPECT_LT(accuracy, 0.6);
}

TEST(CostModelTest, UntrainedPredictsZeros) {
  std::unique_ptr<CostModel> model = createXGBoostCostModel(7);
  EXPECT_FALSE(model->isTrained());
  std::vector<double> scores = model->predict(featuresOf(synthetic(10, 3)));
  EXPECT_EQ(scores, std::vector<double>(10, 0.0));
  // One program is not enough to learn from.
  model->update(synthetic(1, 3));
  EXPECT_FALSE(model->isTrained());
  EXPECT_EQ(model->predict(featuresOf(synthetic(4, 3))), std::vector<double>(4, 0.0));
}

TEST(CostModelTest, RetrainsOnGrowingData) {
  std::vector<MeasuredProgram> all = synthetic(512, 4), heldOut = synthetic(256, 5);
  std::unique_ptr<CostModel> model = createXGBoostCostModel(11);
  std::vector<double> accuracies;
  for (size_t n : {16, 64, 256, 512}) {
    model->update(llvm::ArrayRef(all).take_front(n));
    ASSERT_TRUE(model->isTrained());
    accuracies.push_back(pairwiseRankingAccuracy(heldOut, model->predict(featuresOf(heldOut))));
  }
  EXPECT_GT(accuracies.back(), 0.8);
  EXPECT_GT(accuracies.back(), accuracies.front());
}

TEST(CostModelTest, DeterministicForASeed) {
  std::vector<MeasuredProgram> train = synthetic(128, 6), test = synthetic(32, 7);
  std::unique_ptr<CostModel> a = createXGBoostCostModel(3), b = createXGBoostCostModel(3);
  a->update(train);
  b->update(train);
  EXPECT_EQ(a->predict(featuresOf(test)), b->predict(featuresOf(test)));
}

TEST(CostModelTest, ShortOrLongFeatureRowsAreTolerated) {
  std::unique_ptr<CostModel> model = createXGBoostCostModel(3);
  model->update(synthetic(64, 8));
  std::vector<std::vector<float>> rows = {{0.5f}, std::vector<float>(kNumFeatures + 5, 0.5f)};
  std::vector<double> scores = model->predict(rows);
  ASSERT_EQ(scores.size(), 2u);
  for (double s : scores)
    EXPECT_TRUE(std::isfinite(s));
}

TEST(CostModelTest, NormalizedThroughputIsPerTask) {
  std::vector<MeasuredProgram> programs = {
      {"a", {}, 2.0}, {"a", {}, 1.0}, {"b", {}, 10.0}, {"b", {}, 40.0}, {"b", {}, -1.0}};
  std::vector<float> t = normalizedThroughputs(programs);
  EXPECT_EQ(t, (std::vector<float>{0.5f, 1.0f, 1.0f, 0.25f, 0.0f}));
}

TEST(CostModelTest, PairwiseAccuracyCountsSameTaskPairsOnly) {
  std::vector<MeasuredProgram> programs = {
      {"a", {}, 1.0}, {"a", {}, 2.0}, {"a", {}, 3.0}, {"b", {}, 1.0}, {"b", {}, 1.0}};
  // Task a: (0,1) right, (0,2) right, (1,2) wrong; task b has equal latencies: no pair;
  // the cross-task scores would all be wrong if they counted.
  EXPECT_DOUBLE_EQ(pairwiseRankingAccuracy(programs, {3, 1, 2, 100, -100}), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(pairwiseRankingAccuracy(programs, {1, 1, 1, 0, 0}), 0.5);
  EXPECT_DOUBLE_EQ(pairwiseRankingAccuracy(programs, {3, 2, 1, 0, 0}), 1.0);
  EXPECT_DOUBLE_EQ(pairwiseRankingAccuracy({}, {}), 0.5);
}

} // namespace
