// BatchNormalization (inference and training) and LayerNormalization.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/TensorImport.h"
#include "compiler/frontend/onnx/ops/Reductions.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Training mode (BatchNormalization-14 on): normalizes with the batch statistics over all
// dims but the channels (population variance) and outputs the updated running statistics,
// running * momentum + batch * (1 - momentum).
LogicalResult convertBatchNormTraining(OpBinder &b, ArrayRef<Value> operands) {
  Value x = operands[0];
  SmallVector<int64_t> axes = {0};
  llvm::append_range(axes, dimsFrom(x, 2));
  auto meanKept = reduce<kg::ReduceMeanOp>(b, x, axes, /*keepdims=*/true);
  if (failed(meanKept))
    return failure();
  auto centered = b.create<kg::SubOp>(x, *meanKept);
  if (failed(centered))
    return failure();
  auto squared = b.create<kg::MulOp>(*centered, *centered);
  if (failed(squared))
    return failure();
  auto mean = b.reshape(*meanKept, b.typeOf(operands[1]).getShape());
  auto variance = reduce<kg::ReduceMeanOp>(b, *squared, axes, /*keepdims=*/false);
  if (failed(mean) || failed(variance))
    return failure();
  auto result = b.create<kg::BatchNormOp>(
      x, operands[1], operands[2], *mean, *variance,
      b.builder().getF32FloatAttr(b.floatAttr("epsilon", 1e-5f)));
  if (failed(result))
    return failure();
  double momentum = b.floatAttr("momentum", 0.9f);
  auto blend = [&](Value running, Value batch) -> FailureOr<Value> {
    Type et = b.typeOf(running).getElementType();
    auto kept = b.create<kg::MulOp>(running, b.scalar(et, momentum));
    auto fresh = b.create<kg::MulOp>(batch, b.scalar(et, 1.0 - momentum));
    if (failed(kept) || failed(fresh))
      return failure();
    return b.create<kg::AddOp>(*kept, *fresh);
  };
  SmallVector<Value, 3> results = {*result};
  if (b.outputUsed(1) || b.outputUsed(2)) {
    auto runningMean = blend(operands[3], *mean);
    auto runningVar = blend(operands[4], *variance);
    if (failed(runningMean) || failed(runningVar))
      return failure();
    results.append({*runningMean, *runningVar});
  }
  return b.setResults(results);
}

// Before opset 7 inference mode had to be asked for with is_test; opsets 7..13 always
// infer (their training outputs are rejected as unused-only by setResults); opset 14 added
// training_mode.
template <bool legacy> LogicalResult convertBatchNorm(OpBinder &b) {
  SmallVector<Value, 5> operands;
  for (unsigned i = 0; i < 5; ++i) {
    auto v = b.requiredInput(i);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  if (legacy && b.intAttr("is_test", 0) == 0)
    return b.emitError() << "runs in training mode (is_test=0), which is only supported from "
                            "opset 14 on (training_mode=1)";
  if (b.intAttr("spatial", 1) != 1)
    return b.emitError() << "spatial=0 (per-activation statistics) is not supported";
  if (b.typeOf(operands[0]).getRank() < 2)
    return b.emitError() << "expects an input of rank >= 2, got rank "
                         << b.typeOf(operands[0]).getRank();
  if (b.intAttr("training_mode", 0) != 0)
    return convertBatchNormTraining(b, operands);
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

} // namespace

void populateNormalizationConverters(ConverterRegistry &r) {
  r.add("BatchNormalization", 1, convertBatchNorm<true>);
  r.add("BatchNormalization", 7, convertBatchNorm<false>);
  r.add("LayerNormalization", 17, convertLayerNorm);
}

} // namespace kiln::onnx_frontend
