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
// Tags the entry-block read of each symbol (symbolAtEntry), so that it is made once.
inline constexpr llvm::StringLiteral kSymbolReadAttr = "kiln.symbol_read";

// The value of symbol `symbol` as an index, read once at the entry of the stage whose symbol
// argument is `symbols` (not per use: stores in the loops could alias the argument for all
// LLVM knows, which would keep a read inside them from being hoisted).
mlir::Value symbolAtEntry(mlir::Value symbols, int64_t symbol);

// Iter var `k` of `block` ranges over [0, bound): its static domain, or for a dynamic domain
// scale * symbol + offset with the symbol read from the enclosing stage's symbol argument.
mlir::Value domainBound(mlir::OpBuilder &b, mlir::Location loc, loop::BlockOp block, unsigned k);

// Replaces every `kiln.dyn_value` constant of `stage` by its value computed from the stage's
// symbol argument. Runs first, before anything could fold such a constant into another.
void materializeDynamicValues(mlir::func::FuncOp stage);

} // namespace kiln::codegen

#endif
