// Tunes every task of a lowered model: the task scheduler picks a task per round, its
// evolutionary search proposes a batch, the builder and runner measure it, every result is
// appended to the tuning database at once, and the shared cost model retrains.
#ifndef KILN_AUTOTUNER_TASK_SCHEDULER_TUNINGSESSION_H
#define KILN_AUTOTUNER_TASK_SCHEDULER_TUNINGSESSION_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::autotuner {

struct TuneOptions {
  std::string databasePath;
  int64_t trials = 1000;       // search trials in the database for this model's tasks, in all
  int64_t trialsPerTask = 0;   // cap per task (0: none)
  int64_t batchSize = 16;      // candidates measured per round
  std::string mcpu = "native", mtriple;
  int threads = 0;             // threads the candidates are timed with (0: every core)
  unsigned buildJobs = 0;      // builds at once (0: the number of cores)
  uint64_t seed = 0;
  bool progress = true;        // live display on stderr
  std::string workDir;         // scratch folder (empty: a temporary one, removed afterwards)
};

struct TaskSummary {
  std::string name, workloadKey;
  double weight = 1, flops = 0;
  int64_t trials = 0;              // search trials in the database, failures included
  int64_t failures = 0;
  double baselineSec = 0, bestSec = 0;
  int64_t trialsTo90Percent = 0;   // trials until the best came within 10% of the final best
  std::string error;               // why the task could not be tuned
};

struct TuneSummary {
  std::vector<TaskSummary> tasks;
  double baselineSec = 0, estimatedSec = 0; // sum over tasks of weight x latency
  int64_t trialsThisRun = 0;
  double elapsedSec = 0;
  double rankingAccuracy = -1;  // cost model, pairwise, on batches it had not seen (-1: none)
  int64_t rankingPairs = 0;
  // A fresh model trained on 4/5 of every program measured for these tasks, scored on the
  // other fifth (-1: too few programs).
  double heldOutAccuracy = -1;
  int64_t heldOutPrograms = 0;
  bool interrupted = false;
  std::string table() const;    // the final per-task table
};

// Returns false with `error` for a setup failure (database, worker, work folder). A task that
// cannot be tuned is reported in its summary row, not as a failure.
bool tuneModel(mlir::ModuleOp lowered, const TuneOptions &options, TuneSummary &summary,
               std::string &error);

} // namespace kiln::autotuner

#endif
