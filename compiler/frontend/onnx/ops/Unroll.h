// Shared by the control-flow converters (If, Loop, Scan), which inline and unroll subgraphs.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_UNROLL_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_UNROLL_H

#include "compiler/frontend/onnx/OpBinder.h"

#include <optional>

namespace kiln::onnx_frontend {

// Unrolling multiplies the body; past this many iterations the graph gets unreasonably large.
constexpr int64_t kMaxUnrolledIterations = 4096;

// The value of a scalar (one-element) constant, or nullopt when it is computed at run time.
std::optional<int64_t> constantScalar(mlir::Value v);

// `values` (one per iteration, equal types) stacked along a new dim `axis`.
mlir::FailureOr<mlir::Value> stack(OpBinder &b, llvm::ArrayRef<mlir::Value> values, int64_t axis);

// Each list of per-iteration values stacked along a new leading dim, appended to `results`;
// an empty list (zero iterations) is an error, since its shape is then unknown.
mlir::LogicalResult appendStacked(OpBinder &b, llvm::ArrayRef<llvm::SmallVector<mlir::Value>> lists,
                                  llvm::SmallVectorImpl<mlir::Value> &results);

} // namespace kiln::onnx_frontend

#endif
