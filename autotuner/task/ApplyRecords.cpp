#include "autotuner/task/ApplyRecords.h"

#include "autotuner/database/Database.h"
#include "autotuner/task/Task.h"
#include "passes/schedule/DefaultSchedule.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln::autotuner {

// Replays `record`'s trace on a copy of `kernel`; the copy replaces the kernel on success.
static bool replayRecord(func::FuncOp &kernel, const TuningRecord &record, std::string &error) {
  llvm::Expected<schedule::Trace> trace = schedule::Trace::fromJSON(record.trace);
  if (!trace) {
    error = llvm::toString(trace.takeError());
    return false;
  }
  auto copy = llvm::cast<func::FuncOp>(kernel->clone());
  kernel->getBlock()->getOperations().insert(kernel->getIterator(), copy);
  schedule::Schedule s(copy);
  if (failed(s.replay(*trace)) || failed(verify(copy))) {
    error = s.lastError();
    copy->erase();
    return false;
  }
  kernel->erase();
  kernel = copy;
  return true;
}

LogicalResult scheduleFromRecords(ModuleOp lowered, const Database &db, const std::string &target,
                                  ApplyStats &stats) {
  SmallVector<func::FuncOp> kernels;
  for (auto f : lowered.getOps<func::FuncOp>())
    if (f->hasAttr("kiln.kernel"))
      kernels.push_back(f);
  bool anyRecord = false;
  for (func::FuncOp kernel : kernels) {
    if (const TuningRecord *best = db.best(workloadKey(kernel), target)) {
      anyRecord = true;
      std::string error;
      if (replayRecord(kernel, *best, error)) {
        ++stats.tuned;
        continue;
      }
      stats.warnings.push_back("the tuning record of " + kernel.getSymName().str() +
                               " does not replay (" + error + "); using the default schedule");
    }
    ++stats.fallback;
    schedule::Schedule s(kernel);
    if (failed(schedule::applyDefaultSchedule(kernel, s)))
      return kernel.emitError("default schedule produced invalid IR");
  }
  // A database that matches nothing is almost always a mistake (another model or target, or
  // records of a Kiln whose lowering has since changed): say so rather than run untuned.
  if (!anyRecord && !kernels.empty() && !db.records().empty())
    stats.warnings.push_back("none of the model's " + std::to_string(kernels.size()) +
                             " kernels has a record for " + target + " in " + db.path().str() +
                             " (tuned for another model or target, or by a Kiln whose kernels "
                             "differ: retune with --tune); every kernel uses its default schedule");
  return success();
}

} // namespace kiln::autotuner
