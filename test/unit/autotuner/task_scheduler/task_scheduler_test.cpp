// The gradient task scheduler: warm-up rounds first, then the task whose trials promise the
// largest drop of weight x latency; finished tasks are never picked.
#include "autotuner/task_scheduler/TaskScheduler.h"
#include "autotuner/task_scheduler/TaskSetup.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiln::autotuner;

namespace {

// A task tuned in rounds of `perRound` trials with these best latencies after each round.
TaskProgress progress(double weight, std::vector<double> bests, size_t perRound = 16) {
  TaskProgress task;
  task.weight = weight;
  for (size_t i = 0; i < bests.size(); ++i)
    task.history.push_back({(i + 1) * perRound, bests[i]});
  return task;
}

GradientTaskScheduler deterministic() {
  TaskSchedulerOptions options;
  options.eps = 0; // no random rounds
  return GradientTaskScheduler(options);
}

TEST(GradientTaskScheduler, WarmUpRoundsGoToUntriedTasksFirst) {
  GradientTaskScheduler scheduler; // default eps: warm-up comes before any random pick
  std::vector<TaskProgress> tasks = {progress(100, {1.0, 0.5}), progress(1, {}),
                                     progress(1, {})};
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(scheduler.next(tasks), 1u);
  tasks[1] = progress(1, {1e-6});
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(scheduler.next(tasks), 2u);
  // An untried task that is finished (it could not be set up) gets no warm-up.
  tasks[2].finished = true;
  auto next = deterministic().next(tasks);
  ASSERT_TRUE(next);
  EXPECT_NE(*next, 2u);
}

TEST(GradientTaskScheduler, PrefersHighWeightTimesLatency) {
  auto scheduler = deterministic();
  // Same history; one runs ten times per model run.
  EXPECT_EQ(scheduler.next({progress(1, {1e-3, 1e-3}), progress(10, {1e-3, 1e-3})}), 1u);
  EXPECT_EQ(scheduler.next({progress(10, {1e-3, 1e-3}), progress(1, {1e-3, 1e-3})}), 0u);
  // Same weight; one is slower.
  EXPECT_EQ(scheduler.next({progress(1, {1e-3, 1e-3}), progress(1, {5e-3, 5e-3})}), 1u);
  // Weight x latency, not either alone: 4 x 1 ms beats 1 x 3 ms.
  EXPECT_EQ(scheduler.next({progress(1, {3e-3, 3e-3}), progress(4, {1e-3, 1e-3})}), 1u);
}

TEST(GradientTaskScheduler, PrefersASteepRecentImprovement) {
  auto scheduler = deterministic();
  // Both end at 1 ms after the same trials; the second got there from 4 ms.
  TaskProgress flat = progress(1, {1e-3, 1e-3, 1e-3});
  TaskProgress steep = progress(1, {4e-3, 2e-3, 1e-3});
  EXPECT_LT(scheduler.gradient(steep), scheduler.gradient(flat));
  EXPECT_EQ(scheduler.next({flat, steep}), 1u);
  EXPECT_EQ(scheduler.next({steep, flat}), 0u);
  // Trials are expected to help every task that has been tried.
  EXPECT_LT(scheduler.gradient(flat), 0);
  EXPECT_TRUE(std::isinf(scheduler.gradient(progress(1, {}))));
}

TEST(GradientTaskScheduler, NeverPicksAFinishedTask) {
  TaskSchedulerOptions options;
  options.eps = 1; // every round random
  GradientTaskScheduler random(options);
  GradientTaskScheduler usual;
  std::vector<TaskProgress> tasks = {progress(1000, {1.0}), progress(1, {1e-6}),
                                     progress(1000, {}), progress(1, {1e-6, 1e-7})};
  tasks[0].finished = true; // by far the largest gradient
  tasks[2].finished = true; // untried
  for (int i = 0; i < 200; ++i) {
    for (GradientTaskScheduler *s : {&random, &usual}) {
      auto next = s->next(tasks);
      ASSERT_TRUE(next);
      EXPECT_TRUE(*next == 1 || *next == 3) << *next;
    }
  }
}

TEST(GradientTaskScheduler, NothingWhenAllAreFinished) {
  GradientTaskScheduler scheduler;
  EXPECT_FALSE(scheduler.next({}));
  std::vector<TaskProgress> tasks = {progress(1, {1e-3}), progress(1, {})};
  tasks[0].finished = tasks[1].finished = true;
  EXPECT_FALSE(scheduler.next(tasks));
}

} // namespace

TEST(GradientTaskScheduler, AFormSlowerThanItsSiblingGainsOnlyBelowIt) {
  auto scheduler = deterministic();
  // Two forms of one kernel (direct and Winograd) at 1 ms and 3 ms: halving the slow one
  // (1.5 ms) would still leave the model running the fast one.
  TaskProgress fast = progress(1, {1e-3, 1e-3});
  TaskProgress slow = progress(1, {3e-3, 3e-3});
  fast.siblingBest = 3e-3;
  slow.siblingBest = 1e-3;
  EXPECT_EQ(scheduler.gradient(slow), 0);
  EXPECT_LT(scheduler.gradient(fast), 0);
  EXPECT_EQ(scheduler.next({slow, fast}), 1u);
  // Without the sibling, 3 ms is the larger latency and gets the round.
  slow.siblingBest.reset();
  fast.siblingBest.reset();
  EXPECT_EQ(scheduler.next({slow, fast}), 0u);
  // A form close behind its sibling may still overtake it: 1.5 ms halved is 0.75 ms, 0.25 ms
  // below the sibling.
  TaskProgress close = progress(1, {1.5e-3, 1.5e-3});
  close.siblingBest = 1e-3;
  EXPECT_NEAR(scheduler.gradient(close), -(1 - 0.2) * 2 * 0.25e-3 / 32, 1e-12);
}

// A tuned task of `form` (the direct form's key) with weight 2, its baseline and best.
static TaskRun formRun(std::string key, std::string form, double baseline, double best) {
  TaskRun run;
  run.task.workloadKey = std::move(key);
  run.task.formOf = std::move(form);
  run.task.weight = 2;
  run.baselineSec = baseline;
  run.bestSearchSec = best;
  run.closeRound();
  return run;
}

TEST(TuningEstimate, CountsTheFastestFormOfEachKernel) {
  std::vector<TaskRun> runs;
  runs.push_back(formRun("direct", "direct", 4e-3, 3e-3));
  runs.push_back(formRun("winograd4", "direct", 5e-3, 1e-3));
  runs.push_back(formRun("winograd2", "direct", 6e-3, 2e-3));
  runs.push_back(formRun("other", "other", 1e-3, 1e-3));
  // Tuned: 2 x 1 ms (the F(4x4) form) + 2 x 1 ms; baseline: the direct form's default.
  EXPECT_DOUBLE_EQ(estimatedLatency(runs, /*best=*/true), 4e-3);
  EXPECT_DOUBLE_EQ(estimatedLatency(runs, /*best=*/false), 10e-3);

  std::vector<TaskProgress> progress;
  for (const TaskRun &run : runs)
    progress.push_back(run.progress(0));
  noteSiblingForms(runs, progress);
  EXPECT_EQ(progress[0].siblingBest, 1e-3);
  EXPECT_EQ(progress[1].siblingBest, 2e-3);
  EXPECT_EQ(progress[2].siblingBest, 1e-3);
  EXPECT_FALSE(progress[3].siblingBest);
}
