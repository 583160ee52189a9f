#include "autotuner/task_scheduler/TuningSession.h"

#include "autotuner/cost_model/CostModel.h"
#include "autotuner/database/Database.h"
#include "autotuner/measure/WorkerMeasure.h"
#include "autotuner/search/TaskSearch.h"
#include "autotuner/task/Task.h"
#include "autotuner/task_scheduler/Interrupt.h"
#include "autotuner/task_scheduler/Progress.h"
#include "autotuner/task_scheduler/TaskScheduler.h"
#include "autotuner/task_scheduler/TaskSetup.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace kiln::autotuner {

namespace {

using Clock = std::chrono::steady_clock;

enum class RoundResult { Measured, Exhausted, DatabaseError };

// One round for one task: propose, build, run, record.
RoundResult runRound(TaskRun &run, size_t count, const CostModel &model, Builder &builder,
              Runner &runner, Database &db, const std::string &target, TuneSummary &summary) {
  std::vector<Candidate> batch = run.search->propose(count, model);
  if (batch.empty())
    return RoundResult::Exhausted;
  std::vector<std::string> traces;
  for (const Candidate &c : batch)
    traces.push_back(c.key);
  std::vector<BuildResult> built = builder.build(run.workspace, traces);
  if (InterruptGuard::interrupted())
    return RoundResult::Measured;
  std::vector<MeasureResult> measured = runner.run(run.workspace, built);
  std::vector<double> scores;
  if (model.isTrained()) {
    std::vector<std::vector<float>> features;
    for (const Candidate &c : batch)
      features.push_back(c.features);
    scores = model.predict(features);
  }
  std::vector<MeasuredProgram> heldOut;
  std::vector<double> heldOutScores;
  for (size_t i = 0; i < batch.size(); ++i) {
    // A child killed by the user's Ctrl-C says nothing about the candidate.
    if (InterruptGuard::interrupted() && !measured[i].ok())
      continue;
    TuningRecord record;
    record.workloadKey = run.task.workloadKey;
    record.target = target;
    record.taskName = run.task.name;
    record.source = "search";
    record.trace = batch[i].trace.toJSON();
    record.latenciesSec = measured[i].ok() ? measured[i].latenciesSec : std::vector<double>{};
    record.error = measured[i].error;
    record.flops = run.task.flops;
    record.weight = run.task.weight;
    record.trial = ++run.trials;
    record.time = currentTimeUTC();
    if (llvm::Error e = db.append(record)) {
      run.error = "cannot append to the tuning database: " + llvm::toString(std::move(e));
      return RoundResult::DatabaseError;
    }
    ++summary.trialsThisRun;
    std::optional<double> latency;
    if (measured[i].ok()) {
      latency = measured[i].meanLatency();
      run.noteLatency(*latency);
      if (!scores.empty()) {
        heldOut.push_back({run.task.workloadKey, batch[i].features, *latency});
        heldOutScores.push_back(scores[i]);
      }
    } else {
      ++run.failures;
    }
    run.search->addMeasured(batch[i], latency);
  }
  if (heldOut.size() >= 2) {
    double accuracy = pairwiseRankingAccuracy(heldOut, heldOutScores);
    int64_t pairs = int64_t(heldOut.size() * (heldOut.size() - 1) / 2);
    if (accuracy >= 0) {
      double total = (summary.rankingAccuracy < 0 ? 0 : summary.rankingAccuracy) *
                     double(summary.rankingPairs);
      summary.rankingPairs += pairs;
      summary.rankingAccuracy = (total + accuracy * double(pairs)) / double(summary.rankingPairs);
    }
  }
  return RoundResult::Measured;
}

std::vector<MeasuredProgram> allMeasured(const std::vector<TaskRun> &runs) {
  std::vector<MeasuredProgram> all;
  for (const TaskRun &run : runs)
    if (run.search)
      all.insert(all.end(), run.search->measuredPrograms().begin(),
                 run.search->measuredPrograms().end());
  return all;
}

// The fastest searched schedules of the other tasks with the structure of task `self` (where
// the search beat the default schedule), those that gained most over it first.
std::vector<Candidate> neighbourBests(const std::vector<TaskRun> &runs, size_t self) {
  std::vector<std::pair<double, const Candidate *>> found;
  const TaskSearch *own = runs[self].search.get();
  for (size_t j = 0; j < runs.size(); ++j) {
    const TaskRun &other = runs[j];
    if (j == self || !own || !other.search || other.search->structure() != own->structure() ||
        !other.bestSearchSec || *other.bestSearchSec >= other.baselineSec)
      continue;
    if (const Candidate *best = other.search->best())
      found.push_back({*other.bestSearchSec / other.baselineSec, best});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto &a, const auto &b) { return a.first < b.first; });
  std::vector<Candidate> bests;
  for (const auto &entry : found)
    bests.push_back(*entry.second);
  return bests;
}

void retrain(CostModel &model, const std::vector<TaskRun> &runs) {
  std::vector<MeasuredProgram> all = allMeasured(runs);
  if (all.size() >= 8)
    model.update(all);
}

// Cross-checks the cost model: trains a fresh one on four fifths of the measurements and
// ranks the held-out fifth.
void evaluateHeldOut(const std::vector<TaskRun> &runs, uint64_t seed, TuneSummary &summary) {
  std::vector<MeasuredProgram> train, test;
  std::vector<MeasuredProgram> all = allMeasured(runs);
  for (size_t i = 0; i < all.size(); ++i)
    (i % 5 == 4 ? test : train).push_back(all[i]);
  if (train.size() < 8 || test.size() < 4)
    return;
  std::unique_ptr<CostModel> model = createXGBoostCostModel(seed);
  model->update(train);
  std::vector<std::vector<float>> features;
  for (const MeasuredProgram &p : test)
    features.push_back(p.features);
  summary.heldOutAccuracy = pairwiseRankingAccuracy(test, model->predict(features));
  summary.heldOutPrograms = int64_t(test.size());
}

} // namespace

bool tuneModel(mlir::ModuleOp lowered, const TuneOptions &options, TuneSummary &summary,
               std::string &error) {
  auto start = Clock::now();
  auto db = Database::open(options.databasePath, /*create=*/true);
  if (!db) {
    error = llvm::toString(db.takeError());
    return false;
  }
  std::string worker = findTuneWorker();
  if (worker.empty()) {
    error = "cannot find kiln-tune-worker beside the compiler (set KILN_TUNE_WORKER)";
    return false;
  }
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  WorkerBuilder builder({worker, options.mcpu, options.mtriple,
                         options.buildJobs ? options.buildJobs : cores, 300});
  WorkerRunner runner({worker, options.threads, 3, 10, 60});
  std::string target = targetDescription(options.mcpu, options.mtriple);
  ScratchFolder scratch;
  if (!scratch.create(options.workDir, error))
    return false;

  InterruptGuard guard;
  std::vector<TaskRun> runs =
      setUpTasks(lowered, **db, target, options, scratch.path(), builder, runner);
  std::unique_ptr<CostModel> model = createXGBoostCostModel(options.seed);
  retrain(*model, runs);
  GradientTaskScheduler scheduler({0.2, 3, 0.05, options.seed});
  ProgressDisplay display(options.progress);

  auto totalTrials = [&] {
    int64_t n = 0;
    for (const TaskRun &run : runs)
      n += run.trials;
    return n;
  };
  int64_t trialsAtStart = totalTrials();
  while (!InterruptGuard::interrupted() && totalTrials() < options.trials) {
    std::vector<TaskProgress> progress;
    for (const TaskRun &run : runs)
      progress.push_back(run.progress(options.trialsPerTask));
    noteSiblingForms(runs, progress);
    std::optional<size_t> next = scheduler.next(progress);
    if (!next)
      break;
    TaskRun &run = runs[*next];
    int64_t count = std::min<int64_t>(options.batchSize, options.trials - totalTrials());
    if (options.trialsPerTask)
      count = std::min<int64_t>(count, options.trialsPerTask - run.trials);
    run.search->setNeighbourBests(neighbourBests(runs, *next));
    RoundResult round = runRound(run, size_t(count), *model, builder, runner, **db, target,
                                 summary);
    if (round == RoundResult::DatabaseError) {
      error = run.error;
      return false;
    }
    run.exhausted = round == RoundResult::Exhausted;
    run.closeRound();
    retrain(*model, runs);

    ProgressState state;
    for (const TaskRun &r : runs)
      state.rows.push_back(r.progressRow());
    state.lastTask = *next;
    state.done = totalTrials();
    state.total = options.trials;
    state.estimatedSec = estimatedLatency(runs, /*best=*/true);
    state.baselineSec = estimatedLatency(runs, /*best=*/false);
    std::chrono::duration<double> elapsed = Clock::now() - start;
    state.elapsedSec = elapsed.count();
    int64_t doneNow = state.done - trialsAtStart;
    if (doneNow > 0)
      state.etaSec = state.elapsedSec / double(doneNow) * double(options.trials - state.done);
    display.update(state);
  }
  display.finish();
  summary.interrupted = InterruptGuard::interrupted();
  for (const TaskRun &run : runs)
    summary.tasks.push_back(run.summary());
  summary.baselineSec = estimatedLatency(runs, false);
  summary.estimatedSec = estimatedLatency(runs, true);
  evaluateHeldOut(runs, options.seed, summary);
  std::chrono::duration<double> elapsed = Clock::now() - start;
  summary.elapsedSec = elapsed.count();
  return true;
}

} // namespace kiln::autotuner
