// The measurement interfaces the search uses: a Builder turns candidate traces into runnable
// artifacts, a Runner checks and times them. Implementations decide where that happens
// (WorkerMeasure.h: child processes on this machine).
#ifndef KILN_AUTOTUNER_MEASURE_MEASURE_H
#define KILN_AUTOTUNER_MEASURE_MEASURE_H

#include "llvm/ADT/ArrayRef.h"

#include <numeric>
#include <string>
#include <vector>

namespace kiln::autotuner {

// Where one task's files live while it is tuned.
struct TaskWorkspace {
  std::string taskName;
  std::string modulePath;    // the standalone task module (taskModuleText)
  std::string referencePath; // the default schedule's outputs on the seeded inputs
  std::string dir;           // scratch space for candidates
};

struct BuildResult {
  std::string artifactPath; // empty when the build failed
  std::string error;
};

struct MeasureResult {
  std::vector<double> latenciesSec; // one per repeat
  std::string error;                // build error, crash, timeout, wrong result

  bool ok() const { return error.empty() && !latenciesSec.empty(); }
  double meanLatency() const {
    return latenciesSec.empty() ? 0
                                : std::accumulate(latenciesSec.begin(), latenciesSec.end(), 0.0) /
                                      double(latenciesSec.size());
  }
};

class Builder {
public:
  virtual ~Builder() = default;
  // One result per trace (JSON text, or "default" for the default schedule), in order.
  virtual std::vector<BuildResult> build(const TaskWorkspace &task,
                                         llvm::ArrayRef<std::string> traces) = 0;
};

class Runner {
public:
  virtual ~Runner() = default;
  // Checks each artifact's outputs against the task's reference and times it.
  virtual std::vector<MeasureResult> run(const TaskWorkspace &task,
                                         llvm::ArrayRef<BuildResult> built) = 0;
  // Runs the default schedule's artifact, stores its outputs as the reference, times it.
  virtual MeasureResult runReference(const TaskWorkspace &task, const BuildResult &built) = 0;
};

} // namespace kiln::autotuner

#endif
