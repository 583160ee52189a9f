// The AOT executor: the call sequence of kernels over a static memory plan, emitted as
// `kiln_model_entry` plus the weights and the model metadata (see runtime/include/kiln/model_abi.h).
#ifndef KILN_CODEGEN_CPU_EXECUTOR_H
#define KILN_CODEGEN_CPU_EXECUTOR_H

#include "codegen/cpu/LowerKernels.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln::codegen {

// Where a kernel argument lives at run time.
struct BufferRef {
  enum Kind { Input, Output, Weight, Workspace, Symbols } kind; // Symbols: the run's values
  int64_t index = 0;  // io slot for Input/Output, weight number for Weight
  int64_t offset = 0; // byte offset for Workspace
};

struct KernelCall {
  LoweredKernel kernel;
  std::vector<BufferRef> args; // kernel arguments, its scratch buffers, the symbol values
};

struct ExecutionPlan {
  std::vector<KernelCall> calls;
  std::vector<std::pair<BufferRef, int64_t>> outputCopies; // source, output index
  std::vector<int64_t> outputBytes;
  // Run-time checks: an int32 flag in the workspace each, 0 when the check failed.
  std::vector<BufferRef> checkFlags;
  std::vector<mlir::ElementsAttr> weights;
  int64_t workspaceBytes = 0;
  int64_t numInputs = 0;
  std::string metadata; // the kiln_model_metadata text
};

// Reads @main (constants, reshapes, calls of task functions, return) and the lowered kernels,
// plans memory, then erases @main and the task functions from the module.
mlir::FailureOr<ExecutionPlan> planExecution(mlir::ModuleOp module,
                                             const std::vector<LoweredKernel> &kernels);

// Adds the weights, the metadata, one task wrapper per stage and kiln_model_entry to a module
// whose stage functions are already in the LLVM dialect (bare-pointer convention).
mlir::LogicalResult emitExecutor(mlir::ModuleOp llvmModule, const ExecutionPlan &plan);

} // namespace kiln::codegen

#endif
