// Schedule primitives on a kl kernel, each checked for legality and recorded in a trace.
//
// A Schedule wraps one kernel (a func.func whose body nests kl.for / kl.block). Loops and
// blocks are addressed by their kernel-unique names, so a trace is readable and replays on a
// freshly lowered copy of the same kernel. A primitive that is illegal returns failure, leaves
// the IR untouched and sets lastError() to a message naming the loop or block.
#ifndef KILN_PASSES_SCHEDULE_SCHEDULE_H
#define KILN_PASSES_SCHEDULE_SCHEDULE_H

#include "passes/schedule/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>

namespace kiln::schedule {

class Schedule {
public:
  explicit Schedule(mlir::func::FuncOp kernel) : kernel(kernel) {}

  // --- loop transformations (LoopTransforms.cpp)
  // Splits `loop` into nested loops with the given extents, outermost first; at most one
  // factor may be -1 (inferred). Non-divisible splits leave the blocks predicated.
  // Returns the new loop names: "<loop>.0", "<loop>.1", ...
  mlir::FailureOr<llvm::SmallVector<std::string>> split(llvm::StringRef loop,
                                                       llvm::ArrayRef<int64_t> factors);
  // Fuses perfectly nested consecutive loops (outermost first) into one; returns its name.
  mlir::FailureOr<std::string> fuse(llvm::ArrayRef<std::string> loops);
  // Reorders loops of one perfect nest chain into the given order.
  mlir::LogicalResult reorder(llvm::ArrayRef<std::string> loops);

  // --- annotations (Annotations.cpp)
  mlir::LogicalResult parallel(llvm::StringRef loop);
  mlir::LogicalResult vectorize(llvm::StringRef loop);
  mlir::LogicalResult unroll(llvm::StringRef loop);

  // --- compute location (ComputeLocation.cpp)
  mlir::LogicalResult computeAt(llvm::StringRef block, llvm::StringRef loop);
  mlir::LogicalResult reverseComputeAt(llvm::StringRef block, llvm::StringRef loop);
  mlir::LogicalResult computeInline(llvm::StringRef block);

  // --- caching and reduction (Caching.cpp, Reduction.cpp)
  // Makes `block` write a new local buffer and adds a copy-out block "<block>.write_back"
  // right after it; returns the copy block's name.
  mlir::FailureOr<std::string> cacheWrite(llvm::StringRef block);
  // Splits the init of a reduction block into its own block "<block>.init" placed before
  // `loop`; returns that block's name.
  mlir::FailureOr<std::string> decomposeReduction(llvm::StringRef block, llvm::StringRef loop);

  // Replays every step of `trace`; stops at the first failing step.
  mlir::LogicalResult replay(const Trace &trace);

  const Trace &trace() const { return recorded; }
  const std::string &lastError() const { return error; }
  mlir::func::FuncOp getKernel() { return kernel; }

private:
  mlir::LogicalResult fail(const llvm::Twine &message);
  mlir::func::FuncOp kernel;
  Trace recorded;
  std::string error;
};

} // namespace kiln::schedule

#endif
