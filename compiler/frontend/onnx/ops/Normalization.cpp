// Normalizations, softmax and reductions: BatchNormalization, LayerNormalization, Softmax,
// ReduceMean, ReduceSum.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/TensorImport.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Inference only: the running-statistics outputs of training mode are rejected. Before opset 7
// inference mode had to be asked for with is_test.
template <bool legacy> LogicalResult convertBatchNorm(OpBinder &b) {
  SmallVector<Value, 5> operands;
  for (unsigned i = 0; i < 5; ++i) {
    auto v = b.requiredInput(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (b.intAttr("training_mode", 0) != 0 || (legacy && b.intAttr("is_test", 0) == 0))
    return b.emitError() << "runs in training mode; Kiln compiles inference only";
  if (b.intAttr("spatial", 1) != 1)
    return b.emitError() << "spatial=0 (per-activation statistics) is not supported";
  auto result =
      b.create<kg::BatchNormOp>(operands[0], operands[1], operands[2], operands[3], operands[4],
                                b.builder().getF32FloatAttr(b.floatAttr("epsilon", 1e-5f)));
  return failed(result) ? failure() : b.setResults({*result});
}

// LayerNormalization's optional Mean and InvStdDev outputs, over the normalized dims (kept as
// 1s) in stash_type: mean(x) and 1 / sqrt(mean((x - mean)^2) + epsilon).
LogicalResult buildLayerNormStatistics(OpBinder &b, Value x, int64_t axis, float epsilon,
                                       SmallVectorImpl<Value> &results) {
  Type stashType = convertElementType(b.context(), int32_t(b.intAttr("stash_type", 1)));
  if (!stashType || !isa<FloatType>(stashType))
    return b.emitError() << "unsupported stash_type " << b.intAttr("stash_type", 1);
  if (b.typeOf(x).getElementType() != stashType) {
    auto cast = b.createTyped<kg::CastOp>(b.typeOf(x).clone(stashType), x);
    if (failed(cast))
      return failure();
    x = *cast;
  }
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < b.typeOf(x).getRank(); ++d)
    axes.push_back(d);
  OpBuilder &ob = b.builder();
  auto reduceMean = [&](Value v) {
    return b.create<kg::ReduceMeanOp>(v, ob.getDenseI64ArrayAttr(axes), ob.getBoolAttr(true));
  };
  auto mean = reduceMean(x);
  if (failed(mean))
    return failure();
  results.push_back(*mean);
  if (!b.outputUsed(2))
    return success();
  auto centered = b.create<kg::SubOp>(x, *mean);
  if (failed(centered))
    return failure();
  auto squared = b.create<kg::MulOp>(*centered, *centered);
  if (failed(squared))
    return failure();
  auto variance = reduceMean(*squared);
  if (failed(variance))
    return failure();
  auto shifted = b.create<kg::AddOp>(*variance, b.scalar(stashType, epsilon));
  if (failed(shifted))
    return failure();
  auto deviation = b.create<kg::SqrtOp>(*shifted);
  if (failed(deviation))
    return failure();
  auto inverse = b.create<kg::DivOp>(b.scalar(stashType, 1.0), *deviation);
  if (failed(inverse))
    return failure();
  results.push_back(*inverse);
  return success();
}

// LayerNormalization-17.
LogicalResult convertLayerNorm(OpBinder &b) {
  auto x = b.requiredInput(0), scale = b.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  auto inputType = b.typeOf(*x);
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), inputType.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(*axis);
  for (Value param : {*scale, b.input(2)}) {
    if (!param)
      continue;
    auto merged = graph::broadcastShapes(normalized, b.typeOf(param).getShape());
    if (!merged || ArrayRef<int64_t>(*merged) != normalized)
      return b.emitError() << "scale/bias of shape "
                           << graph::formatShape(b.typeOf(param).getShape())
                           << " does not broadcast to the normalized shape "
                           << graph::formatShape(normalized);
  }
  float epsilon = b.floatAttr("epsilon", 1e-5f);
  auto result =
      b.create<kg::LayerNormOp>(*x, *scale, b.input(2), b.builder().getI64IntegerAttr(*axis),
                                b.builder().getF32FloatAttr(epsilon));
  if (failed(result))
    return failure();
  SmallVector<Value, 3> results = {*result};
  if ((b.outputUsed(1) || b.outputUsed(2)) &&
      failed(buildLayerNormStatistics(b, *x, *axis, epsilon, results)))
    return failure();
  return b.setResults(results);
}

// Softmax-1..12: the input is coerced to 2-D [prod(dims < axis), prod(dims >= axis)] and the
// softmax taken over the second dim.
LogicalResult convertSoftmax1(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  auto axis = b.normalizeAxis(b.intAttr("axis", 1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t outer = graph::numElements(type.getShape().take_front(*axis));
  int64_t inner = graph::numElements(type.getShape().drop_front(*axis));
  auto flat = b.reshape(*x, {outer, inner});
  if (failed(flat))
    return failure();
  auto softmax = b.create<kg::SoftmaxOp>(*flat, b.builder().getI64IntegerAttr(1));
  if (failed(softmax))
    return failure();
  auto result = b.reshape(*softmax, type.getShape());
  return failed(result) ? failure() : b.setResults({*result});
}

// Softmax-13: along one axis.
LogicalResult convertSoftmax13(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  auto result = b.create<kg::SoftmaxOp>(*x, b.builder().getI64IntegerAttr(*axis));
  return failed(result) ? failure() : b.setResults({*result});
}

// Axes come from the `axes` attribute (older opsets) or the optional second input.
template <typename OpTy, bool axesFromInput> LogicalResult convertReduce(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = b.typeOf(*x).getRank();
  SmallVector<int64_t> axes;
  if (axesFromInput && b.input(1)) {
    auto values = b.constantInts(1, "reduction axes");
    if (failed(values))
      return failure();
    axes = *values;
  } else if (!axesFromInput) {
    axes = b.intsAttr("axes").value_or(SmallVector<int64_t>());
  }
  if (axes.empty()) {
    if (b.intAttr("noop_with_empty_axes", 0) != 0)
      return b.setResults({*x});
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &axis : axes) {
    auto normalized = b.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return b.emitError() << "reduction axes repeat a dim";
  auto result = b.create<OpTy>(*x, b.builder().getDenseI64ArrayAttr(axes),
                               b.builder().getBoolAttr(b.intAttr("keepdims", 1) != 0));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateNormalizationConverters(ConverterRegistry &r) {
  r.add("BatchNormalization", 1, convertBatchNorm<true>);
  r.add("BatchNormalization", 7, convertBatchNorm<false>);
  r.add("LayerNormalization", 17, convertLayerNorm);
  r.add("Softmax", 1, convertSoftmax1);
  r.add("Softmax", 13, convertSoftmax13);
  r.add("ReduceMean", 1, convertReduce<kg::ReduceMeanOp, false>);
  r.add("ReduceMean", 18, convertReduce<kg::ReduceMeanOp, true>);
  r.add("ReduceSum", 1, convertReduce<kg::ReduceSumOp, false>);
  r.add("ReduceSum", 13, convertReduce<kg::ReduceSumOp, true>);
}

} // namespace kiln::onnx_frontend
