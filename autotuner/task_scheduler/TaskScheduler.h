// Which task gets the next round of trials: Ansor's gradient-based task scheduler.
//
// The objective is the model's estimated latency f = sum_i w_i * g_i, with g_i the best
// latency found for task i and w_i how often the model runs it. After one warm-up round per
// task, the next round goes to the task whose trials are expected to lower f the most:
//   df/dt_i ~ w_i * (alpha * backward_i + (1 - alpha) * forward_i)
// where backward_i is the best latency's slope over the last `window` rounds of task i and
// forward_i = -g_i / t_i the optimistic guess that as many trials again would halve it. With
// probability eps a random unfinished task gets the round instead.
//
// A task that is one form of a kernel (direct or Winograd: autotuner/task/Variants.h) counts
// in f only through the fastest form, min_j g_j. A form slower than its fastest sibling
// lowers f only by what halving it would take below that sibling, max(0, s - g_i / 2) for the
// sibling's best s, so its forward term is -2 max(0, s - g_i / 2) / t_i (the same scale as
// -g_i / t_i), and its backward term, the slope of a latency f does not see, is dropped.
#ifndef KILN_AUTOTUNER_TASK_SCHEDULER_TASKSCHEDULER_H
#define KILN_AUTOTUNER_TASK_SCHEDULER_TASKSCHEDULER_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace kiln::autotuner {

struct TaskProgress {
  double weight = 1;
  std::vector<std::pair<size_t, double>> history; // (trials so far, best latency) per round
  bool finished = false; // nothing left to try
  // The best latency of the other forms of the same kernel, when it has any measured.
  std::optional<double> siblingBest;
  size_t trials() const { return history.empty() ? 0 : history.back().first; }
  std::optional<double> best() const {
    return history.empty() ? std::nullopt : std::optional<double>(history.back().second);
  }
};

struct TaskSchedulerOptions {
  double alpha = 0.2;
  size_t window = 3;
  double eps = 0.05;
  uint64_t seed = 0;
};

class GradientTaskScheduler {
public:
  explicit GradientTaskScheduler(TaskSchedulerOptions options = {})
      : options(options), rng(options.seed) {}

  // The task for the next round; nullopt when every task is finished.
  std::optional<size_t> next(const std::vector<TaskProgress> &tasks);

  // The gradient estimate for one task (negative: trials are expected to help).
  double gradient(const TaskProgress &task) const;

private:
  TaskSchedulerOptions options;
  std::mt19937_64 rng;
};

} // namespace kiln::autotuner

#endif
