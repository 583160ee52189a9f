// The sliding-window attributes shared by Conv-like nodes (Conv, ConvInteger, QLinearConv) and
// the pools, and building kg.conv from them.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_WINDOW_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_WINDOW_H

#include "compiler/frontend/onnx/OpBinder.h"

namespace kiln::onnx_frontend {

// Defaults filled in and auto_pad resolved to explicit pads (begins then ends).
struct Window {
  llvm::SmallVector<int64_t> kernel, strides, pads, dilations;
};

mlir::FailureOr<Window> readWindow(OpBinder &b, mlir::RankedTensorType input,
                                   llvm::ArrayRef<int64_t> kernel);

// kg.conv of `x` and `weight` (+ `bias`, may be null) with the node's kernel_shape, strides,
// pads, dilations, auto_pad and group; the weight's rank and kernel_shape are checked.
mlir::FailureOr<mlir::Value> buildConv(OpBinder &b, mlir::Value x, mlir::Value weight,
                                       mlir::Value bias);

} // namespace kiln::onnx_frontend

#endif
