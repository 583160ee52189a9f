#include "autotuner/task_scheduler/TaskScheduler.h"

#include <algorithm>
#include <limits>

namespace kiln::autotuner {

double GradientTaskScheduler::gradient(const TaskProgress &task) const {
  const auto &h = task.history;
  if (h.empty() || task.trials() == 0)
    return -std::numeric_limits<double>::infinity();
  double best = h.back().second;
  size_t back = std::min(options.window, h.size() - 1);
  double backward = 0;
  if (back > 0) {
    const auto &[trialsBefore, bestBefore] = h[h.size() - 1 - back];
    if (h.back().first > trialsBefore)
      backward = (best - bestBefore) / double(h.back().first - trialsBefore);
  }
  double forward = -best / double(task.trials());
  if (task.siblingBest && *task.siblingBest < best) {
    forward = -2 * std::max(0.0, *task.siblingBest - best / 2) / double(task.trials());
    backward = 0;
  }
  return task.weight * (options.alpha * backward + (1 - options.alpha) * forward);
}

std::optional<size_t> GradientTaskScheduler::next(const std::vector<TaskProgress> &tasks) {
  std::vector<size_t> open;
  for (size_t i = 0; i < tasks.size(); ++i)
    if (!tasks[i].finished)
      open.push_back(i);
  if (open.empty())
    return std::nullopt;
  // Warm-up: every task is searched once before gradients are compared.
  for (size_t i : open)
    if (tasks[i].trials() == 0)
      return i;
  if (std::uniform_real_distribution<double>(0, 1)(rng) < options.eps)
    return open[std::uniform_int_distribution<size_t>(0, open.size() - 1)(rng)];
  return *std::min_element(open.begin(), open.end(), [&](size_t a, size_t b) {
    return gradient(tasks[a]) < gradient(tasks[b]);
  });
}

} // namespace kiln::autotuner
