// What follows scheduling, shared by the compiler driver and the auto-scheduler's builder:
// outline stages, plan the executor and memory, lower to LLVM, emit machine code, link.
#ifndef KILN_CODEGEN_TARGET_BUILDMODEL_H
#define KILN_CODEGEN_TARGET_BUILDMODEL_H

#include "codegen/target/ObjectEmitter.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace kiln::codegen {

// Turns a module of scheduled kl kernels and its @main into LLVM IR, assembly or an object.
// Returns false with `error` set (MLIR diagnostics go to the context's handler).
bool generateModelCode(mlir::ModuleOp module, const TargetOptions &target, EmitKind kind,
                       std::string &code, std::string &error);

// Links `objectCode` with the runtime archive into a model .so at `outputPath` (atomically).
bool linkModel(const std::string &objectCode, const std::string &outputPath, std::string &error);

} // namespace kiln::codegen

#endif
