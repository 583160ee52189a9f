// A builder of kg ops on one element type for converters that compose long expressions
// (GridSample's coordinates, Det's elimination): the first failure makes every later op null
// and `ok` false, so the expressions read without a check after each op.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_VALUECHAIN_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_VALUECHAIN_H

#include "compiler/frontend/onnx/OpBinder.h"

namespace kiln::onnx_frontend {

struct ValueChain {
  OpBinder &b;
  mlir::Type type; // of the constants c() makes
  bool ok = true;

  // An op whose operands are all values (attributes go through `wrap`).
  template <typename OpTy, typename... Args> mlir::Value op(Args... args) {
    if (!ok || (!args || ...))
      return fail();
    return wrap(b.create<OpTy>(args...));
  }
  mlir::Value wrap(mlir::FailureOr<mlir::Value> result) {
    ok = ok && mlir::succeeded(result);
    return ok ? *result : mlir::Value();
  }
  mlir::Value fail() {
    ok = false;
    return {};
  }
  mlir::Value c(double v) { return b.scalar(type, v); }
  mlir::Value add(mlir::Value x, double v) { return op<graph::AddOp>(x, c(v)); }
  mlir::Value clamp(mlir::Value x, double lo, double hi) {
    return op<graph::MinOp>(op<graph::MaxOp>(x, c(lo)), c(hi));
  }
  mlir::Value cast(mlir::Value x, mlir::Type elementType) {
    if (!ok || !x)
      return fail();
    return wrap(b.createTyped<graph::CastOp>(OpBinder::typeOf(x).clone(elementType), x));
  }
  mlir::Value reshape(mlir::Value x, llvm::ArrayRef<int64_t> shape) {
    return ok && x ? wrap(b.reshape(x, shape)) : fail();
  }
  // x[..., starts : starts + sizes] with unit steps.
  mlir::Value slice(mlir::Value x, llvm::ArrayRef<int64_t> starts, llvm::ArrayRef<int64_t> sizes) {
    if (!ok || !x)
      return fail();
    llvm::SmallVector<int64_t> steps(starts.size(), 1);
    mlir::OpBuilder &ob = b.builder();
    return wrap(b.create<graph::SliceOp>(x, ob.getDenseI64ArrayAttr(starts),
                                         ob.getDenseI64ArrayAttr(sizes),
                                         ob.getDenseI64ArrayAttr(steps)));
  }
};

} // namespace kiln::onnx_frontend

#endif
