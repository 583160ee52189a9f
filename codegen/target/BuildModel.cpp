#include "codegen/target/BuildModel.h"

#include "codegen/cpu/Executor.h"
#include "codegen/cpu/FoldConstantLayouts.h"
#include "codegen/cpu/LLVMLowering.h"
#include "codegen/cpu/LowerKernels.h"
#include "codegen/target/Linker.h"

#include "llvm/Support/FileSystem.h"

namespace kiln::codegen {

bool generateModelCode(mlir::ModuleOp module, const TargetOptions &target, EmitKind kind,
                       std::string &code, std::string &error) {
  foldConstantLayouts(module);
  auto kernels = lowerKernels(module);
  if (mlir::failed(kernels)) {
    error = "kernel lowering failed";
    return false;
  }
  auto plan = planExecution(module, *kernels);
  if (mlir::failed(plan)) {
    error = "executor planning failed";
    return false;
  }
  if (mlir::failed(lowerToLLVMDialect(module))) {
    error = "lowering to LLVM failed";
    return false;
  }
  if (mlir::failed(emitExecutor(module, *plan))) {
    error = "executor generation failed";
    return false;
  }
  return emitMachineCode(module, target, kind, code, error);
}

bool linkModel(const std::string &objectCode, const std::string &outputPath, std::string &error) {
  std::string libDir = runtimeLibraryDir();
  LinkInputs link{objectCode, libDir + "/libkiln_runtime.a", libDir + "/kiln_exports.map",
                  outputPath};
  if (!llvm::sys::fs::exists(link.runtimeArchive)) {
    error = "cannot find the Kiln runtime at " + link.runtimeArchive;
    return false;
  }
  return linkSharedObject(link, error);
}

} // namespace kiln::codegen
