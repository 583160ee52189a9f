// Normalizations composed from reductions and elementwise ops: InstanceNormalization,
// MeanVarianceNormalization, LpNormalization and LRN.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Reductions.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// (x - mean) / sqrt(var + epsilon) * scale + bias, the statistics per instance and channel
// over the spatial dims.
LogicalResult convertInstanceNorm(OpBinder &b) {
  auto x = b.requiredInput(0), scale = b.requiredInput(1), bias = b.requiredInput(2);
  if (failed(x) || failed(scale) || failed(bias))
    return failure();
  auto type = b.typeOf(*x);
  if (type.getRank() < 3)
    return b.emitError() << "expects an input of rank >= 3 (N, C, spatial...), got rank "
                         << type.getRank();
  // Scale and bias [C] broadcast as [C, 1, ...].
  SmallVector<int64_t> paramShape(type.getRank() - 1, 1);
  paramShape[0] = type.getDimSize(1);
  for (Value param : {*scale, *bias})
    if (b.typeOf(param).getShape() != ArrayRef<int64_t>{type.getDimSize(1)})
      return b.emitError() << "scale and bias must have shape [" << type.getDimSize(1) << "]";
  auto scaleB = b.reshape(*scale, paramShape), biasB = b.reshape(*bias, paramShape);
  if (failed(scaleB) || failed(biasB))
    return failure();
  SmallVector<int64_t> axes = dimsFrom(*x, 2);
  auto mean = reduce<kg::ReduceMeanOp>(b, *x, axes, /*keepdims=*/true);
  if (failed(mean))
    return failure();
  auto centered = b.create<kg::SubOp>(*x, *mean);
  if (failed(centered))
    return failure();
  auto squared = b.create<kg::MulOp>(*centered, *centered);
  if (failed(squared))
    return failure();
  auto variance = reduce<kg::ReduceMeanOp>(b, *squared, axes, /*keepdims=*/true);
  if (failed(variance))
    return failure();
  auto shifted =
      b.create<kg::AddOp>(*variance, b.scalar(type.getElementType(), b.floatAttr("epsilon", 1e-5f)));
  if (failed(shifted))
    return failure();
  auto deviation = b.create<kg::SqrtOp>(*shifted);
  if (failed(deviation))
    return failure();
  auto normalized = b.create<kg::DivOp>(*centered, *deviation);
  if (failed(normalized))
    return failure();
  auto scaled = b.create<kg::MulOp>(*normalized, *scaleB);
  if (failed(scaled))
    return failure();
  auto result = b.create<kg::AddOp>(*scaled, *biasB);
  return failed(result) ? failure() : b.setResults({*result});
}

// MVN-9/13, as its function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`.
LogicalResult convertMeanVarianceNorm(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = b.typeOf(*x).getRank();
  SmallVector<int64_t> axes = b.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  for (int64_t &axis : axes) {
    auto normalized = b.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return b.emitError() << "axes repeat a dim";
  auto mean = reduce<kg::ReduceMeanOp>(b, *x, axes, /*keepdims=*/true);
  auto squared = b.create<kg::MulOp>(*x, *x);
  if (failed(mean) || failed(squared))
    return failure();
  auto meanOfSquares = reduce<kg::ReduceMeanOp>(b, *squared, axes, /*keepdims=*/true);
  auto squaredMean = b.create<kg::MulOp>(*mean, *mean);
  if (failed(meanOfSquares) || failed(squaredMean))
    return failure();
  auto variance = b.create<kg::SubOp>(*meanOfSquares, *squaredMean);
  if (failed(variance))
    return failure();
  auto deviation = b.create<kg::SqrtOp>(*variance);
  if (failed(deviation))
    return failure();
  auto denominator = b.create<kg::AddOp>(*deviation, b.scalar(b.typeOf(*x).getElementType(), 1e-9));
  auto centered = b.create<kg::SubOp>(*x, *mean);
  if (failed(denominator) || failed(centered))
    return failure();
  auto result = b.create<kg::DivOp>(*centered, *denominator);
  return failed(result) ? failure() : b.setResults({*result});
}

// x / ||x||_p along `axis`, p = 1 or 2.
LogicalResult convertLpNorm(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  int64_t p = b.intAttr("p", 2);
  FailureOr<Value> norm;
  if (p == 2)
    norm = reduce<kg::ReduceL2Op>(b, *x, {*axis}, /*keepdims=*/true);
  else if (p == 1)
    norm = reduce<kg::ReduceL1Op>(b, *x, {*axis}, /*keepdims=*/true);
  else
    return b.emitError() << "p must be 1 or 2, got " << p;
  if (failed(norm))
    return failure();
  auto result = b.create<kg::DivOp>(*x, *norm);
  return failed(result) ? failure() : b.setResults({*result});
}

// x / (bias + alpha / size * square_sum)^beta, square_sum over the channels
// [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]: an average pool of x^2 viewed as
// [N, 1, C, rest] with a [size, 1] window (pads counted) gives square_sum / size.
LogicalResult convertLRN(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  if (type.getRank() < 3)
    return b.emitError() << "expects an input of rank >= 3 (N, C, spatial...), got rank "
                         << type.getRank();
  if (!b.hasAttr("size"))
    return b.emitError() << "requires the size attribute";
  int64_t size = b.intAttr("size", 1);
  if (size < 1)
    return b.emitError() << "size must be positive, got " << size;
  Type et = type.getElementType();
  auto squared = b.create<kg::MulOp>(*x, *x);
  if (failed(squared))
    return failure();
  int64_t rest = graph::numElements(type.getShape().drop_front(2));
  auto viewed = b.reshape(*squared, {type.getDimSize(0), 1, type.getDimSize(1), rest});
  if (failed(viewed))
    return failure();
  OpBuilder &ob = b.builder();
  auto mean = b.create<kg::AveragePoolOp>(
      *viewed, ob.getDenseI64ArrayAttr({size, 1}), ob.getDenseI64ArrayAttr({1, 1}),
      ob.getDenseI64ArrayAttr({(size - 1) / 2, 0, size / 2, 0}), ob.getDenseI64ArrayAttr({1, 1}),
      ob.getBoolAttr(false), ob.getBoolAttr(true), UnitAttr());
  if (failed(mean))
    return failure();
  auto meanOfSquares = b.reshape(*mean, type.getShape());
  if (failed(meanOfSquares))
    return failure();
  auto scaled = b.create<kg::MulOp>(*meanOfSquares, b.scalar(et, b.floatAttr("alpha", 1e-4f)));
  if (failed(scaled))
    return failure();
  auto base = b.create<kg::AddOp>(*scaled, b.scalar(et, b.floatAttr("bias", 1.0f)));
  if (failed(base))
    return failure();
  auto denominator = b.create<kg::PowOp>(*base, b.scalar(et, b.floatAttr("beta", 0.75f)));
  if (failed(denominator))
    return failure();
  auto result = b.create<kg::DivOp>(*x, *denominator);
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateLocalNormalizationConverters(ConverterRegistry &r) {
  r.add("InstanceNormalization", 1, convertInstanceNorm);
  r.add("MeanVarianceNormalization", 9, convertMeanVarianceNorm);
  r.add("LpNormalization", 1, convertLpNorm);
  r.add("LRN", 1, convertLRN);
}

} // namespace kiln::onnx_frontend
