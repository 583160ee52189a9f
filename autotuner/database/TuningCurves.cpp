// Best-so-far curves per task and end to end, from the records in file order.
#include "autotuner/database/TuningCurves.h"

#include "autotuner/database/Database.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace kiln::autotuner {

static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

static bool isBaseline(const TuningRecord &record) { return record.source == "default"; }

// min that treats NaN as "unknown" rather than as a value.
static double minKnown(double a, double b) {
  if (std::isnan(a))
    return b;
  if (std::isnan(b))
    return a;
  return std::min(a, b);
}

std::optional<double> TaskCurve::bestSec() const {
  double best = kNaN;
  for (double latency : bestSoFarSec)
    best = minKnown(best, latency);
  if (std::isnan(best))
    return std::nullopt;
  return best;
}

double TaskCurve::gflops() const {
  std::optional<double> best = bestSec();
  return best && *best > 0 ? flops / *best / 1e9 : 0;
}

std::optional<double> TaskCurve::speedup() const {
  std::optional<double> best = bestSec();
  if (!best || !baselineSec || *best <= 0)
    return std::nullopt;
  return *baselineSec / *best;
}

std::optional<size_t> TaskCurve::trialsToReach90() const {
  return trialsToReach(bestSoFarSec, 0.9);
}

std::optional<size_t> trialsToReach(llvm::ArrayRef<double> bestSoFarSec, double fraction) {
  double best = kNaN;
  for (double latency : bestSoFarSec)
    best = minKnown(best, latency);
  if (std::isnan(best))
    return std::nullopt;
  // A relative slack so that a curve sitting exactly on the threshold counts as reaching it.
  double threshold = best / fraction * (1 + 1e-12);
  for (size_t t = 0; t < bestSoFarSec.size(); ++t)
    if (!std::isnan(bestSoFarSec[t]) && bestSoFarSec[t] <= threshold)
      return t;
  return std::nullopt;
}

TuningCurves computeTuningCurves(const Database &db) {
  TuningCurves curves;
  std::map<std::pair<std::string, std::string>, size_t> taskOf;
  // First pass: tasks, their baselines (which count from the start wherever they appear).
  for (const TuningRecord &record : db.records()) {
    auto [it, inserted] = taskOf.try_emplace({record.workloadKey, record.target},
                                             curves.tasks.size());
    if (inserted) {
      TaskCurve task;
      task.workloadKey = record.workloadKey;
      task.target = record.target;
      curves.tasks.push_back(std::move(task));
    }
    TaskCurve &task = curves.tasks[it->second];
    if (task.taskName.empty())
      task.taskName = record.taskName;
    if (record.flops > 0)
      task.flops = record.flops;
    task.weight = record.weight;
    if (isBaseline(record) && record.ok())
      task.baselineSec = minKnown(task.baselineSec.value_or(kNaN), record.meanLatency());
  }
  for (TaskCurve &task : curves.tasks)
    task.bestSoFarSec.push_back(task.baselineSec.value_or(kNaN));

  // Second pass: search trials in file order, each task's curve.
  std::vector<std::pair<size_t, double>> trialOrder; // (task, ok mean latency or NaN)
  for (const TuningRecord &record : db.records()) {
    if (isBaseline(record))
      continue;
    size_t index = taskOf.at({record.workloadKey, record.target});
    TaskCurve &task = curves.tasks[index];
    double latency = record.ok() ? record.meanLatency() : kNaN;
    ++task.trials;
    if (!record.ok())
      ++task.failedTrials;
    task.bestSoFarSec.push_back(minKnown(task.bestSoFarSec.back(), latency));
    trialOrder.push_back({index, latency});
  }
  curves.totalTrials = trialOrder.size();

  // End to end: replay the trials, each task starting from its baseline.
  std::vector<double> current;
  std::vector<bool> counted;
  for (const TaskCurve &task : curves.tasks) {
    current.push_back(task.bestSoFarSec.front());
    counted.push_back(task.bestSec().has_value());
  }
  auto addPoint = [&](size_t trials) {
    double sum = 0;
    bool any = false;
    for (size_t i = 0; i < current.size(); ++i) {
      if (!counted[i])
        continue;
      if (std::isnan(current[i]))
        return; // this task's first ok latency is still to come
      sum += curves.tasks[i].weight * current[i];
      any = true;
    }
    if (!any)
      return;
    curves.endToEnd.trials.push_back(static_cast<double>(trials));
    curves.endToEnd.latencySec.push_back(sum);
  };
  addPoint(0);
  for (size_t t = 0; t < trialOrder.size(); ++t) {
    auto [index, latency] = trialOrder[t];
    current[index] = minKnown(current[index], latency);
    addPoint(t + 1);
  }
  return curves;
}

} // namespace kiln::autotuner
