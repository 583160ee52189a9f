// Pooling: MaxPool (values and Indices), AveragePool, LpPool and their global forms.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Reductions.h"
#include "compiler/frontend/onnx/ops/Window.h"

#include "ir/graph/ShapeUtils.h"

#include <cmath>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

FailureOr<Value> absPow(OpBinder &b, Value x, double p) {
  if (p == 2)
    return b.create<kg::MulOp>(x, x);
  auto magnitude = b.create<kg::AbsOp>(x);
  if (failed(magnitude) || p == 1)
    return magnitude;
  return b.create<kg::PowOp>(*magnitude, b.scalar(b.typeOf(x).getElementType(), p));
}

namespace {

// The pools' window as kg attributes.
struct PoolAttrs {
  DenseI64ArrayAttr kernel, strides, pads, dilations;
  BoolAttr ceilMode;
  int64_t windowSize;
};

FailureOr<PoolAttrs> readPool(OpBinder &b, Value x) {
  auto kernel = b.intsAttr("kernel_shape");
  if (!kernel)
    return b.emitError() << "requires kernel_shape";
  auto w = readWindow(b, b.typeOf(x), *kernel);
  if (failed(w))
    return failure();
  OpBuilder &ob = b.builder();
  return PoolAttrs{ob.getDenseI64ArrayAttr(w->kernel), ob.getDenseI64ArrayAttr(w->strides),
                   ob.getDenseI64ArrayAttr(w->pads), ob.getDenseI64ArrayAttr(w->dilations),
                   ob.getBoolAttr(b.intAttr("ceil_mode", 0) != 0), graph::numElements(w->kernel)};
}

// MaxPool-8 added the Indices output: flat indices into the input, row-major by default,
// column-major within each image with storage_order = 1.
LogicalResult convertMaxPool(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto p = readPool(b, *x);
  if (failed(p))
    return failure();
  auto result =
      b.create<kg::MaxPoolOp>(*x, p->kernel, p->strides, p->pads, p->dilations, p->ceilMode,
                              UnitAttr());
  if (failed(result))
    return failure();
  if (!b.outputUsed(1))
    return b.setResults({*result});
  int64_t order = b.intAttr("storage_order", 0);
  if (order != 0 && order != 1)
    return b.emitError() << "storage_order must be 0 or 1, got " << order;
  auto indices = b.create<kg::MaxPoolIndicesOp>(*x, p->kernel, p->strides, p->pads, p->dilations,
                                                p->ceilMode, b.builder().getBoolAttr(order == 1));
  return failed(indices) ? failure() : b.setResults({*result, *indices});
}

LogicalResult convertAveragePool(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto p = readPool(b, *x);
  if (failed(p))
    return failure();
  auto result =
      b.create<kg::AveragePoolOp>(*x, p->kernel, p->strides, p->pads, p->dilations, p->ceilMode,
                                  b.builder().getBoolAttr(b.intAttr("count_include_pad", 0) != 0),
                                  UnitAttr());
  return failed(result) ? failure() : b.setResults({*result});
}

// LpPool-1 has a float p, later versions an int p (default 2).
double readP(OpBinder &b) {
  return b.opset() < 2 ? double(b.floatAttr("p", 2.0f)) : double(b.intAttr("p", 2));
}

// (sum over the window of |x|^p)^(1/p): the window sum is an average pool over the padded
// window (pads count as 0) times the window size.
LogicalResult convertLpPool(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto p = readPool(b, *x);
  if (failed(p))
    return failure();
  double power = readP(b);
  if (!(power > 0))
    return b.emitError() << "p must be positive, got " << power;
  Type et = b.typeOf(*x).getElementType();
  auto powered = absPow(b, *x, power);
  if (failed(powered))
    return failure();
  auto mean = b.create<kg::AveragePoolOp>(*powered, p->kernel, p->strides, p->pads, p->dilations,
                                          p->ceilMode, b.builder().getBoolAttr(true), UnitAttr());
  if (failed(mean))
    return failure();
  auto sum = b.create<kg::MulOp>(*mean, b.scalar(et, double(p->windowSize)));
  if (failed(sum))
    return failure();
  auto result = b.create<kg::PowOp>(*sum, b.scalar(et, 1.0 / power));
  return failed(result) ? failure() : b.setResults({*result});
}

template <typename ReduceOp> LogicalResult convertGlobalPool(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  if (b.typeOf(*x).getRank() < 3)
    return b.emitError() << "expects an input of rank >= 3 (N, C, spatial...), got rank "
                         << b.typeOf(*x).getRank();
  auto result = reduce<ReduceOp>(b, *x, dimsFrom(*x, 2), /*keepdims=*/true);
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertGlobalAveragePool(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto result = b.create<kg::GlobalAveragePoolOp>(*x);
  return failed(result) ? failure() : b.setResults({*result});
}

// (sum over the spatial dims of |x|^p)^(1/p).
LogicalResult convertGlobalLpPool(OpBinder &b) {
  double power = readP(b);
  if (power == 2)
    return convertGlobalPool<kg::ReduceL2Op>(b);
  if (power == 1)
    return convertGlobalPool<kg::ReduceL1Op>(b);
  if (!(power > 0))
    return b.emitError() << "p must be positive, got " << power;
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  if (b.typeOf(*x).getRank() < 3)
    return b.emitError() << "expects an input of rank >= 3 (N, C, spatial...), got rank "
                         << b.typeOf(*x).getRank();
  auto powered = absPow(b, *x, power);
  if (failed(powered))
    return failure();
  auto sum = reduce<kg::ReduceSumOp>(b, *powered, dimsFrom(*x, 2), /*keepdims=*/true);
  if (failed(sum))
    return failure();
  auto result = b.create<kg::PowOp>(*sum, b.scalar(b.typeOf(*x).getElementType(), 1.0 / power));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populatePoolConverters(ConverterRegistry &r) {
  // Later versions only widen types or add attributes that default to the old behaviour
  // (MaxPool-10 / AveragePool-10 ceil_mode, MaxPool-10 / AveragePool-19 dilations, LpPool-18
  // ceil_mode and dilations).
  r.add("MaxPool", 1, convertMaxPool);
  r.add("AveragePool", 1, convertAveragePool);
  r.add("LpPool", 1, convertLpPool);
  r.add("GlobalAveragePool", 1, convertGlobalAveragePool);
  r.add("GlobalMaxPool", 1, convertGlobalPool<kg::ReduceMaxOp>);
  r.add("GlobalLpPool", 1, convertGlobalLpPool);
}

} // namespace kiln::onnx_frontend
