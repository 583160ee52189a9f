// The sliding-window attributes shared by Conv and the pools.
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

} // namespace kiln::onnx_frontend

#endif
