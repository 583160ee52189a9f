// The final per-task table of a tuning session.
#include "autotuner/task_scheduler/Progress.h"
#include "autotuner/task_scheduler/TuningSession.h"

#include <cstdio>

namespace kiln::autotuner {

std::string TuneSummary::table() const {
  std::string out;
  char line[320];
  std::snprintf(line, sizeof line, "%-40s %6s %7s %7s %12s %12s %8s %9s %6s\n", "task", "weight",
                "trials", "failed", "default", "best", "speedup", "GFLOP/s", "to90%");
  out += line;
  for (const TaskSummary &t : tasks) {
    if (!t.error.empty()) {
      std::snprintf(line, sizeof line, "%-40.40s %6g   not tuned: %s\n", t.name.c_str(), t.weight,
                    t.error.c_str());
      out += line;
      continue;
    }
    std::snprintf(line, sizeof line, "%-40.40s %6g %7lld %7lld %12s %12s %7.2fx %9.1f %6lld\n",
                  t.name.c_str(), t.weight, (long long)t.trials, (long long)t.failures,
                  formatLatency(t.baselineSec).c_str(), formatLatency(t.bestSec).c_str(),
                  t.bestSec > 0 ? t.baselineSec / t.bestSec : 0.0,
                  t.bestSec > 0 ? t.flops / t.bestSec * 1e-9 : 0.0, (long long)t.trialsTo90Percent);
    out += line;
  }
  std::snprintf(line, sizeof line,
                "estimated end-to-end (sum of tasks): %s with the default schedules, %s tuned "
                "(%.2fx); %lld trials in %s%s\n",
                formatLatency(baselineSec).c_str(), formatLatency(estimatedSec).c_str(),
                estimatedSec > 0 ? baselineSec / estimatedSec : 0.0, (long long)trialsThisRun,
                formatDuration(elapsedSec).c_str(), interrupted ? " (interrupted)" : "");
  out += line;
  if (rankingAccuracy >= 0) {
    std::snprintf(line, sizeof line,
                  "cost model, online: pairwise ranking accuracy %.3f on %lld pairs (each batch "
                  "scored before it was measured)\n",
                  rankingAccuracy, (long long)rankingPairs);
    out += line;
  }
  if (heldOutAccuracy >= 0) {
    std::snprintf(line, sizeof line,
                  "cost model, held out: pairwise ranking accuracy %.3f on %lld programs (trained "
                  "on the other 4/5 of this database's measurements of these tasks)\n",
                  heldOutAccuracy, (long long)heldOutPrograms);
    out += line;
  }
  return out;
}

} // namespace kiln::autotuner
