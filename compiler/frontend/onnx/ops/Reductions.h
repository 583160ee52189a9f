// Helpers shared by the converters that compose reductions (pools, normalizations, losses).
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_REDUCTIONS_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_REDUCTIONS_H

#include "compiler/frontend/onnx/OpBinder.h"

namespace kiln::onnx_frontend {

// A kg reduction of `x` over sorted `axes`.
template <typename ReduceOp>
mlir::FailureOr<mlir::Value> reduce(OpBinder &b, mlir::Value x, llvm::ArrayRef<int64_t> axes,
                                    bool keepdims) {
  return b.create<ReduceOp>(x, b.builder().getDenseI64ArrayAttr(axes),
                            b.builder().getBoolAttr(keepdims));
}

// The dims [from, rank) of `x`: the spatial dims of an NCHW tensor for from = 2.
inline llvm::SmallVector<int64_t> dimsFrom(mlir::Value x, int64_t from) {
  return llvm::to_vector(llvm::seq<int64_t>(from, OpBinder::typeOf(x).getRank()));
}

// |x|^p for p > 0: x * x for p = 2, else pow(|x|, p).
mlir::FailureOr<mlir::Value> absPow(OpBinder &b, mlir::Value x, double p);

} // namespace kiln::onnx_frontend

#endif
