// LLVM-dialect module -> optimized LLVM IR -> assembly or object code for a target.
#ifndef KILN_CODEGEN_TARGET_OBJECTEMITTER_H
#define KILN_CODEGEN_TARGET_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace kiln::codegen {

struct TargetOptions {
  std::string triple;        // empty: the host
  std::string cpu = "native"; // "native": the host CPU and its features
  int optLevel = 3;
};

enum class EmitKind { LLVMIR, Assembly, Object };

// Translates, optimizes at `optLevel` and emits; returns false with `error` set on failure.
bool emitMachineCode(mlir::ModuleOp module, const TargetOptions &options, EmitKind kind,
                     std::string &output, std::string &error);

} // namespace kiln::codegen

#endif
