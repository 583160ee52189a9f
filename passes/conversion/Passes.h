// Conversions between Kiln's IR levels.
#ifndef KILN_PASSES_CONVERSION_PASSES_H
#define KILN_PASSES_CONVERSION_PASSES_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

namespace kiln::conversion {

#define GEN_PASS_DECL
#include "passes/conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/conversion/Passes.h.inc"

// The kernel lowered from a task function is named "<task>_kernel".
std::string kernelNameFor(llvm::StringRef task);

} // namespace kiln::conversion

#endif
