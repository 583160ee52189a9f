// Lowers scheduled kl kernels into stage functions on scf/affine/memref, ready for LLVM.
#ifndef KILN_CODEGEN_CPU_LOWERKERNELS_H
#define KILN_CODEGEN_CPU_LOWERKERNELS_H

#include "codegen/cpu/LoopBounds.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::codegen {

// One top-level loop nest of a kernel, outlined as
//   func @<name>(kernel args..., scratch buffers..., [%symbols,] %begin: index, %end: index)
// The executor runs it as a task over [0, numIterations): a parallel outermost loop is
// split across threads by [begin, end); any other stage runs once (numIterations == 1).
struct Stage {
  std::string name;
  int64_t numIterations = 1;
  // For a parallel loop over a symbolic dim: the run-time count, min(numIterations, max over
  // these), which the executor computes from the symbols (LoopBounds.h).
  std::vector<StopTerm> dynamicIterations;
};

// What the executor needs to call a kernel: its stages in order and the scratch buffers
// (kernel-level intermediates) it expects after its own arguments, in bytes.
struct LoweredKernel {
  std::string name;
  unsigned numArgs = 0;
  std::vector<int64_t> scratchBytes;
  std::vector<Stage> stages;
  // Some block domain follows a symbolic dim: the stages take the symbol values
  // (memref<N x i64>) after the scratch buffers.
  bool usesSymbols = false;
};

// Replaces every kiln.kernel function in `module` by its stage functions.
mlir::FailureOr<std::vector<LoweredKernel>> lowerKernels(mlir::ModuleOp module);

// Size in bytes of a statically shaped memref or tensor type.
int64_t byteSize(mlir::Type shapedType);

} // namespace kiln::codegen

#endif
