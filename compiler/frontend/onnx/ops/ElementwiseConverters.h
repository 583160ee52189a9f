// Helpers shared by the elementwise converters (Elementwise.cpp, Activation.cpp, Logical.cpp).
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_ELEMENTWISECONVERTERS_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_ELEMENTWISECONVERTERS_H

#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

namespace kiln::onnx_frontend {

// Sets the node's single result, or fails with the error already reported.
inline mlir::LogicalResult setResult(OpBinder &b, mlir::FailureOr<mlir::Value> result) {
  return mlir::failed(result) ? mlir::failure() : b.setResults({*result});
}

// A kg op of the node's first input alone.
template <typename OpTy> mlir::LogicalResult convertUnary(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (mlir::failed(x))
    return mlir::failure();
  return setResult(b, b.create<OpTy>(*x));
}

// A numpy-broadcasting kg op of the node's two inputs, which share one element type.
template <typename OpTy> mlir::LogicalResult convertBinary(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (mlir::failed(lhs) || mlir::failed(rhs))
    return mlir::failure();
  return setResult(b, b.create<OpTy>(*lhs, *rhs));
}

// Before opset 7, binary ops broadcast only with `broadcast` set, the rhs lining up with the
// lhs from `axis`: reshapes `rhs` so that numpy broadcasting does the same.
mlir::LogicalResult alignLegacyOperands(OpBinder &b, mlir::Value lhs, mlir::Value &rhs);

template <typename OpTy> mlir::LogicalResult convertLegacyBinary(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (mlir::failed(lhs) || mlir::failed(rhs) || mlir::failed(alignLegacyOperands(b, *lhs, *rhs)))
    return mlir::failure();
  return setResult(b, b.create<OpTy>(*lhs, *rhs));
}

// The input's element type when it is a float; otherwise reports that the op needs one.
mlir::FailureOr<mlir::Type> floatElementType(OpBinder &b, mlir::Value x);

void populateActivationConverters(ConverterRegistry &registry);
void populateLogicalConverters(ConverterRegistry &registry);
void populateClipConverters(ConverterRegistry &registry);

} // namespace kiln::onnx_frontend

#endif
