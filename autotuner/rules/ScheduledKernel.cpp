// ScheduledKernel: a trace replayed on a clone of its kernel, in a module of its own.
#include "autotuner/rules/SearchSpace.h"
#include "passes/schedule/Schedule.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln::autotuner {

FailureOr<ScheduledKernel> ScheduledKernel::apply(func::FuncOp original,
                                                  const schedule::Trace &trace,
                                                  std::string *error) {
  ScheduledKernel result;
  result.owner = ModuleOp::create(original.getLoc());
  result.func = llvm::cast<func::FuncOp>(original->clone());
  result.owner->getBody()->push_back(result.func);
  schedule::Schedule s(result.func);
  if (failed(s.replay(trace))) {
    if (error)
      *error = s.lastError();
    return failure();
  }
  if (failed(verify(result.func))) {
    if (error)
      *error = "the scheduled kernel does not verify";
    return failure();
  }
  return result;
}

} // namespace kiln::autotuner
