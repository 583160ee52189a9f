// Explicit vectorization of `vectorized` kl loops into vector dialect ops.
#ifndef KILN_CODEGEN_CPU_VECTORIZE_H
#define KILN_CODEGEN_CPU_VECTORIZE_H

#include "ir/loop/LoopDialect.h"

namespace kiln::codegen {

// Replaces a `vectorized` loop whose body is one kl.block by straight-line vector code:
// contiguous accesses along the loop become vector loads/stores, accesses that do not depend
// on it scalar loads broadcast to every lane, and the block's scalar arith/math ops their
// vector forms. A predicated block whose predicate is the same on every lane (only iter vars
// invariant along the loop leave their domains) runs its loads and arithmetic on clamped,
// in-bounds indices and guards only its stores with one scalar scf.if, so accumulators stay
// promotable across reduce loops. Fails, leaving the IR untouched, on anything else (gathered
// accesses, a store that reduces across lanes, a predicate that varies along the loop, a
// predicated block with an op that may trap); the caller then unrolls.
mlir::LogicalResult vectorizeLoop(loop::ForOp loop);

} // namespace kiln::codegen

#endif
