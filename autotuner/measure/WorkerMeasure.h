// Builder and Runner over kiln-tune-worker child processes: builds run a few at a time,
// timings one at a time (so candidates never compete for the cores they are timed on).
#ifndef KILN_AUTOTUNER_MEASURE_WORKERMEASURE_H
#define KILN_AUTOTUNER_MEASURE_WORKERMEASURE_H

#include "autotuner/measure/Measure.h"

namespace kiln::autotuner {

// The worker executable: $KILN_TUNE_WORKER, else kiln-tune-worker in the bin/ folder beside
// the running compiler (bin/ itself, or ../bin from lib/). Empty when not found.
std::string findTuneWorker();

struct WorkerBuilderOptions {
  std::string workerPath;
  std::string mcpu = "native", mtriple;
  unsigned parallelism = 2;
  double timeoutSec = 120;
};

struct WorkerRunnerOptions {
  std::string workerPath;
  int threads = 0; // 0: every core
  int repeats = 3;
  double minRepeatMs = 20;
  double timeoutSec = 60;
};

class WorkerBuilder : public Builder {
public:
  explicit WorkerBuilder(WorkerBuilderOptions options) : options(std::move(options)) {}
  std::vector<BuildResult> build(const TaskWorkspace &task,
                                 llvm::ArrayRef<std::string> traces) override;

private:
  WorkerBuilderOptions options;
  uint64_t counter = 0;
};

class WorkerRunner : public Runner {
public:
  explicit WorkerRunner(WorkerRunnerOptions options) : options(std::move(options)) {}
  std::vector<MeasureResult> run(const TaskWorkspace &task,
                                 llvm::ArrayRef<BuildResult> built) override;
  MeasureResult runReference(const TaskWorkspace &task, const BuildResult &built) override;

private:
  MeasureResult runOne(const BuildResult &built, const std::string &outputsFlag,
                       const std::string &outputsPath);
  WorkerRunnerOptions options;
};

} // namespace kiln::autotuner

#endif
