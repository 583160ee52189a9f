// Lowers stage functions (scf/affine/memref/arith/math) to the LLVM dialect.
#ifndef KILN_CODEGEN_CPU_LLVMLOWERING_H
#define KILN_CODEGEN_CPU_LLVMLOWERING_H

#include "mlir/IR/BuiltinOps.h"

namespace kiln::codegen {

// Bare-pointer calling convention: a statically shaped memref argument becomes one pointer,
// and every pointer argument is marked noalias (the memory plan never overlaps live buffers).
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module);

} // namespace kiln::codegen

#endif
