// Compile-time layout rewrite of weights (see FoldConstantLayouts.cpp).
#ifndef KILN_CODEGEN_CPU_FOLDCONSTANTLAYOUTS_H
#define KILN_CODEGEN_CPU_FOLDCONSTANTLAYOUTS_H

#include "mlir/IR/BuiltinOps.h"

namespace kiln::codegen {

// Runs each kernel's layout_rewrite copy of a constant operand at compile time: @main gets
// the blocked weight as a new constant, passed to the kernel in place of the copy's buffer;
// a weight no kernel reads any more is dropped. Copies of non-constant operands stay.
void foldConstantLayouts(mlir::ModuleOp module);

} // namespace kiln::codegen

#endif
