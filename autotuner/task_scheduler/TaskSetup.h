// The per-task state of a tuning session, and setting it up: the task's scratch files, its
// search (resumed from the database's records), and its baseline, the default schedule, whose
// outputs every candidate is checked against.
#ifndef KILN_AUTOTUNER_TASK_SCHEDULER_TASKSETUP_H
#define KILN_AUTOTUNER_TASK_SCHEDULER_TASKSETUP_H

#include "autotuner/database/Database.h"
#include "autotuner/measure/Measure.h"
#include "autotuner/search/TaskSearch.h"
#include "autotuner/task/Task.h"
#include "autotuner/task_scheduler/Progress.h"
#include "autotuner/task_scheduler/TaskScheduler.h"
#include "autotuner/task_scheduler/TuningSession.h"

#include <memory>

namespace kiln::autotuner {

struct TaskRun {
  TuningTask task;
  TaskWorkspace workspace;
  std::unique_ptr<TaskSearch> search;
  double baselineSec = 0;
  std::optional<double> bestSearchSec;
  int64_t trials = 0, failures = 0; // search records in the database, this run's included
  bool exhausted = false;
  std::string error; // set when the task cannot be tuned
  std::vector<std::pair<size_t, double>> rounds; // (trials, best) after each round
  std::vector<std::pair<int64_t, double>> curve; // (trial, best search latency) per success

  double best() const {
    return bestSearchSec ? std::min(*bestSearchSec, baselineSec) : baselineSec;
  }
  void noteLatency(double seconds);
  void closeRound() { rounds.push_back({size_t(trials), best()}); }
  TaskProgress progress(int64_t trialsPerTask) const;
  ProgressRow progressRow() const;
  TaskSummary summary() const;
};

// A scratch folder, removed with its contents when the object dies if it was made here.
class ScratchFolder {
public:
  ScratchFolder() = default;
  ~ScratchFolder();
  bool create(const std::string &requested, std::string &error);
  const std::string &path() const { return folder; }

private:
  std::string folder;
  bool temporary = false;
};

std::vector<TaskRun> setUpTasks(mlir::ModuleOp lowered, Database &db, const std::string &target,
                                const TuneOptions &options, const std::string &scratch,
                                Builder &builder, Runner &runner);

// Sum over tunable tasks of weight x (best or baseline) latency; of a kernel's forms (direct
// and Winograd), the fastest counts (the direct form's baseline).
double estimatedLatency(const std::vector<TaskRun> &runs, bool best);

// Sets each progress entry's siblingBest: the best latency of the other forms of its kernel.
void noteSiblingForms(const std::vector<TaskRun> &runs, std::vector<TaskProgress> &progress);

} // namespace kiln::autotuner

#endif
