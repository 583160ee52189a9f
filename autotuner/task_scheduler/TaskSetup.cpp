#include "autotuner/task_scheduler/TaskSetup.h"
#include "autotuner/task_scheduler/Interrupt.h"

#include "passes/schedule/DefaultSchedule.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <map>


namespace kiln::autotuner {

void TaskRun::noteLatency(double seconds) {
  if (!bestSearchSec || seconds < *bestSearchSec)
    bestSearchSec = seconds;
  // The search's own best: the baseline may not be measured yet (records resume first).
  curve.push_back({trials, *bestSearchSec});
}

TaskProgress TaskRun::progress(int64_t trialsPerTask) const {
  TaskProgress p;
  p.weight = task.weight;
  p.history = rounds;
  p.finished = exhausted || !error.empty() || (trialsPerTask && trials >= trialsPerTask);
  return p;
}

ProgressRow TaskRun::progressRow() const {
  return {task.name, trials, best(), task.flops, task.weight};
}

TaskSummary TaskRun::summary() const {
  TaskSummary s;
  s.name = task.name;
  s.workloadKey = task.workloadKey;
  s.weight = task.weight;
  s.flops = task.flops;
  s.trials = trials;
  s.failures = failures;
  s.baselineSec = baselineSec;
  s.bestSec = best();
  s.error = error;
  // The first trial whose best is within 10% of the final best (0: the baseline already was).
  for (const auto &[trial, bestSearch] : curve)
    if (std::min(bestSearch, baselineSec) <= s.bestSec / 0.9) {
      s.trialsTo90Percent = baselineSec <= s.bestSec / 0.9 ? 0 : trial;
      break;
    }
  return s;
}

ScratchFolder::~ScratchFolder() {
  if (temporary && !folder.empty())
    llvm::sys::fs::remove_directories(folder, /*IgnoreErrors=*/true);
}

bool ScratchFolder::create(const std::string &requested, std::string &error) {
  llvm::SmallString<256> path;
  std::error_code ec = requested.empty()
                           ? llvm::sys::fs::createUniqueDirectory("kiln-tune", path)
                           : llvm::sys::fs::create_directories(requested);
  if (ec) {
    error = "cannot create the tuning work folder " + (requested.empty() ? "" : requested) + ": " +
            ec.message();
    return false;
  }
  folder = requested.empty() ? std::string(path) : requested;
  temporary = requested.empty();
  return true;
}

static std::optional<schedule::Trace> defaultTrace(mlir::func::FuncOp kernel) {
  mlir::OwningOpRef<mlir::ModuleOp> holder = mlir::ModuleOp::create(kernel.getLoc());
  auto copy = llvm::cast<mlir::func::FuncOp>(kernel->clone());
  holder->push_back(copy);
  schedule::Schedule s(copy);
  if (mlir::failed(schedule::applyDefaultSchedule(copy, s)))
    return std::nullopt;
  return s.trace();
}

// Replays the database's earlier records of the task into its search.
static void resume(TaskRun &run, Database &db, const std::string &target, bool &haveBaseline) {
  for (const TuningRecord *record : db.recordsOf(run.task.workloadKey, target)) {
    if (record->source == "default") {
      haveBaseline = true;
      continue;
    }
    ++run.trials;
    std::optional<double> latency;
    if (record->ok()) {
      latency = record->meanLatency();
      run.noteLatency(*latency);
    } else {
      ++run.failures;
    }
    llvm::Expected<schedule::Trace> trace = schedule::Trace::fromJSON(record->trace);
    if (!trace) {
      llvm::consumeError(trace.takeError());
      continue;
    }
    if (std::optional<Candidate> c = run.search->makeCandidate(*trace))
      run.search->addMeasured(*c, latency);
  }
}

std::vector<TaskRun> setUpTasks(mlir::ModuleOp lowered, Database &db, const std::string &target,
                                const TuneOptions &options, const std::string &scratch,
                                Builder &builder, Runner &runner) {
  std::vector<TaskRun> runs;
  for (TuningTask &task : extractTasks(lowered)) {
    TaskRun &run = runs.emplace_back();
    run.task = std::move(task);
    auto kernel = lowered.lookupSymbol<mlir::func::FuncOp>(run.task.kernelName);
    std::string dir = scratch + "/task" + std::to_string(runs.size() - 1);
    run.workspace = {run.task.name, dir + "/task.mlir", dir + "/reference.bin", dir};
    mlir::FailureOr<std::string> text = taskModuleText(lowered, run.task.kernelName);
    std::error_code ec = llvm::sys::fs::create_directories(dir);
    if (!ec && succeeded(text)) {
      llvm::raw_fd_ostream os(run.workspace.modulePath, ec);
      os << *text;
    }
    std::optional<schedule::Trace> baselineTrace = defaultTrace(kernel);
    if (ec || failed(text) || !baselineTrace) {
      run.error = "cannot set up the task's module";
      continue;
    }
    run.search = std::make_unique<TaskSearch>(run.task.workloadKey, kernel, SearchOptions{},
                                              options.seed + runs.size());
    bool haveBaseline = false;
    resume(run, db, target, haveBaseline);

    // After Ctrl-C, measure no more defaults: a worker killed by the user's signal says
    // nothing about the default schedule, so it must not read as a failure of it.
    static constexpr const char *kInterrupted = "interrupted before its default was measured";
    if (InterruptGuard::interrupted()) {
      run.error = kInterrupted;
      continue;
    }
    std::vector<BuildResult> built = builder.build(run.workspace, {baselineTrace->toString()});
    MeasureResult baseline = runner.runReference(run.workspace, built.front());
    if (!baseline.ok()) {
      run.error = InterruptGuard::interrupted() ? std::string(kInterrupted)
                                                : "the default schedule failed: " + baseline.error;
      continue;
    }
    run.baselineSec = baseline.meanLatency();
    if (std::optional<Candidate> c = run.search->makeCandidate(*baselineTrace))
      run.search->addMeasured(*c, run.baselineSec);
    if (!haveBaseline) {
      TuningRecord record;
      record.workloadKey = run.task.workloadKey;
      record.target = target;
      record.taskName = run.task.name;
      record.source = "default";
      record.trace = baselineTrace->toJSON();
      record.latenciesSec = baseline.latenciesSec;
      record.flops = run.task.flops;
      record.weight = run.task.weight;
      record.time = currentTimeUTC();
      if (llvm::Error e = db.append(record)) {
        run.error = "cannot append to the tuning database: " + llvm::toString(std::move(e));
        continue;
      }
    }
    run.closeRound();
  }
  return runs;
}

void noteSiblingForms(const std::vector<TaskRun> &runs, std::vector<TaskProgress> &progress) {
  for (size_t i = 0; i < runs.size(); ++i)
    for (size_t j = 0; j < runs.size(); ++j) {
      if (i == j || runs[j].task.formOf != runs[i].task.formOf || !runs[j].error.empty() ||
          runs[j].rounds.empty())
        continue;
      double best = runs[j].best();
      if (!progress[i].siblingBest || best < *progress[i].siblingBest)
        progress[i].siblingBest = best;
    }
}

double estimatedLatency(const std::vector<TaskRun> &runs, bool best) {
  // Of a task's forms (direct and algorithm variants), the model runs the fastest; the
  // baseline is the direct form's default schedule.
  std::map<std::string, double> perForm;
  for (const TaskRun &run : runs) {
    if (!run.error.empty())
      continue;
    bool direct = run.task.formOf == run.task.workloadKey;
    if (!best && !direct)
      continue;
    double latency = run.task.weight * (best ? run.best() : run.baselineSec);
    auto [it, inserted] = perForm.try_emplace(run.task.formOf, latency);
    if (!inserted)
      it->second = std::min(it->second, latency);
  }
  double total = 0;
  for (auto &[form, latency] : perForm)
    total += latency;
  return total;
}

} // namespace kiln::autotuner
