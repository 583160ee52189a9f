// Run-time block domains: the bounds of iter vars that follow a symbolic dim of the model.
#ifndef KILN_CODEGEN_CPU_DYNAMICDOMAINS_H
#define KILN_CODEGEN_CPU_DYNAMICDOMAINS_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

namespace kiln::codegen {

// The stage function attribute naming its argument that holds the symbol values (a
// memref<N x i64>, one per symbol of the model, in `kiln.symbols` order).
inline constexpr llvm::StringLiteral kSymbolsArgAttr = "kiln.symbols_arg";

// Iter var `k` of `block` ranges over [0, bound): its static domain, or for a dynamic domain
// scale * symbol + offset with the symbol read from the enclosing stage's symbol argument.
mlir::Value domainBound(mlir::OpBuilder &b, mlir::Location loc, loop::BlockOp block, unsigned k);

// Replaces every `kiln.dyn_value` constant of `stage` by its value computed from the stage's
// symbol argument. Runs first, before anything could fold such a constant into another.
void materializeDynamicValues(mlir::func::FuncOp stage);

} // namespace kiln::codegen

#endif
