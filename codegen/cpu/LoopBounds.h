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

// ceildiv(multiple * (scale * symbols[symbol] + offset) - rest, step), at least 0: the first
// loop iteration from which one block runs no more.
struct StopTerm {
  int64_t symbol, scale, offset, multiple, rest, step;
};

// The loop's run-time trip count is min(extent, max over the terms); none when some block
// under it runs regardless of the symbols.
std::optional<std::vector<StopTerm>> loopStop(loop::ForOp loop);

// That trip count as an index value, reading the symbols from `symbols` (memref<N x i64>).
mlir::Value emitLoopStop(mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<StopTerm> terms,
                         int64_t extent, mlir::Value symbols);

} // namespace kiln::codegen

#endif
