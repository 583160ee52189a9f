// Keeps vector accumulators in registers across reduction loops.
#ifndef KILN_CODEGEN_CPU_PROMOTEACCUMULATORS_H
#define KILN_CODEGEN_CPU_PROMOTEACCUMULATORS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::codegen {

// For every scf.for, innermost first: a buffer whose only accesses in the loop are
// `vector.load X[i]` followed by `vector.store _, X[i]` at loop-invariant indices (the
// read-modify-write of a reduction block's output tile) is loaded once before the loop,
// carried through iter_args and stored once after it. LLVM cannot do this itself here: it
// cannot prove that accumulators addressed through div/mod index arithmetic are disjoint,
// while the loop IR guarantees it (a block writes each spatial point once).
void promoteAccumulators(mlir::func::FuncOp stage);

} // namespace kiln::codegen

#endif
