// Tuning curves computed from the database: best latency against trials, per task and end to
// end, plus the per-task figures of the report's summary table.
#ifndef KILN_AUTOTUNER_DATABASE_TUNINGCURVES_H
#define KILN_AUTOTUNER_DATABASE_TUNINGCURVES_H

#include "llvm/ADT/ArrayRef.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::autotuner {

class Database;

// One task: the records of one (workload key, target). A "default" record is the baseline;
// every other record is a search trial, failed ones included (each cost a trial).
struct TaskCurve {
  std::string workloadKey;
  std::string target;
  std::string taskName; // the first non-empty name among its records
  double flops = 0;     // of one run, from its records
  double weight = 1;    // from its last record
  size_t trials = 0;    // search records
  size_t failedTrials = 0;
  std::optional<double> baselineSec; // fastest ok default record
  // bestSoFarSec[t]: the best mean latency after t trials (index 0 = the baseline alone),
  // counting the baseline throughout; NaN while nothing ok is known. Size trials + 1.
  std::vector<double> bestSoFarSec;

  // The final best (baseline included); nullopt when nothing was ok.
  std::optional<double> bestSec() const;
  // Throughput at the final best; 0 when unknown.
  double gflops() const;
  // baseline / best; nullopt when either is unknown.
  std::optional<double> speedup() const;
  // Trials needed to reach 90% of the final best throughput (latency <= best / 0.9).
  std::optional<size_t> trialsToReach90() const;
};

// Sum over tasks of weight x best latency so far, against the total number of search trials in
// file order. Before a task's first search trial its baseline counts. Tasks with nothing ok are
// left out; points where a counted task has no ok latency yet are left out.
struct EndToEndCurve {
  std::vector<double> trials;
  std::vector<double> latencySec;
};

struct TuningCurves {
  std::vector<TaskCurve> tasks; // in order of first appearance in the file
  EndToEndCurve endToEnd;
  size_t totalTrials = 0;
};

TuningCurves computeTuningCurves(const Database &db);

// The first t with bestSoFar[t] <= final / fraction, where final is the last finite value;
// nullopt when there is none. fraction = 0.9 gives "trials to reach 90% of the final best".
std::optional<size_t> trialsToReach(llvm::ArrayRef<double> bestSoFarSec, double fraction);

} // namespace kiln::autotuner

#endif
