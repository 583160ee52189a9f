// Run-time trip counts of loops over symbolic dims.
//
// Storage and loop extents are those of the symbols' maxima; blocks whose domain follows a
// symbol are guarded. A loop past whose run-time bound no block under it runs (every block
// has an iter var that follows a symbol and grows with the loop) stops there instead of
// iterating through guards: kernels then cost what the run's sizes cost. A parallel stage's
// iteration count is computed the same way by the executor, so its threads share the work.
#ifndef KILN_CODEGEN_CPU_LOOPBOUNDS_H
#define KILN_CODEGEN_CPU_LOOPBOUNDS_H

#include "ir/loop/LoopDialect.h"

#include "mlir/IR/Builders.h"

#include <optional>
#include <vector>

namespace kiln::codegen {

// The first loop iteration from which one block runs no more: the block's run-time domain
// D = scale * symbols[symbol] + offset, taken through `steps` (inverting its binding of the
// loop), at least 0.
struct StopStep {
  enum Kind { Subtract, CeilDiv, Multiply } kind;
  int64_t value;
};
struct StopTerm {
  int64_t symbol, scale, offset;
  std::vector<StopStep> steps;
  // A reduce iter var of a block with an init: its first iteration runs even over an empty
  // domain, to write the init value.
  bool atLeastOne = false;
};

// The loop's run-time trip count is min(extent, max over the terms); none when some block
// under it runs regardless of the symbols.
std::optional<std::vector<StopTerm>> loopStop(loop::ForOp loop);

// One term at symbol value `size`, with integer operations `ops` provides (index arith in a
// stage, LLVM ops in the executor).
template <typename Ops>
typename Ops::Value evaluateStop(const StopTerm &term, typename Ops::Value size, Ops &ops) {
  auto d = ops.add(ops.mul(size, ops.constant(term.scale)), ops.constant(term.offset));
  for (const StopStep &step : term.steps) {
    auto value = ops.constant(step.value);
    if (step.kind == StopStep::Subtract)
      d = ops.sub(d, value);
    else if (step.kind == StopStep::Multiply)
      d = ops.mul(d, value);
    else // ceildiv by a positive constant, of a value first clamped to >= 0
      d = ops.div(ops.add(ops.max(d, ops.constant(0)), ops.constant(step.value - 1)), value);
  }
  return ops.max(d, ops.constant(term.atLeastOne ? 1 : 0));
}

// That trip count as an index value, reading the symbols from `symbols` (memref<N x i64>).
mlir::Value emitLoopStop(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<StopTerm> terms,
                         int64_t extent, mlir::Value symbols);

} // namespace kiln::codegen

#endif
