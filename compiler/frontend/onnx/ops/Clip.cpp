// Clip (attribute bounds, constant or run-time input bounds) and inference-mode Dropout.
#include "compiler/frontend/onnx/ops/ElementwiseConverters.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

LogicalResult buildClip(OpBinder &b, Value x, float min, float max) {
  return setResult(b, b.create<kg::ClipOp>(x, b.builder().getF32FloatAttr(min),
                                           b.builder().getF32FloatAttr(max)));
}

// Clip-1/6: bounds are attributes, inputs are floats.
LogicalResult convertClipAttrs(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x) || failed(floatElementType(b, *x)))
    return failure();
  float inf = std::numeric_limits<float>::infinity();
  return buildClip(b, *x, b.floatAttr("min", -inf), b.floatAttr("max", inf));
}

// Clip-11+: bounds are optional scalar inputs of the input's type. Constant bounds on a float
// type that float32 holds exactly become kg.clip's attributes; otherwise the result is
// min(max(x, lo), hi) against the bounds broadcast at run time (hi wins when lo > hi, as ONNX
// specifies).
LogicalResult convertClipInputs(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Type type = b.typeOf(*x).getElementType();
  Value bounds[2] = {b.input(1), b.input(2)};
  const char *names[2] = {"Clip min", "Clip max"};
  bool allConstant = true;
  for (unsigned i = 0; i < 2; ++i) {
    if (!bounds[i])
      continue;
    auto boundType = b.typeOf(bounds[i]);
    if (boundType.getNumElements() != 1)
      return b.emitError() << names[i] << " must be a scalar, got shape "
                           << graph::formatShape(boundType.getShape());
    if (boundType.getElementType() != type)
      return b.emitError() << names[i] << " has element type " << boundType.getElementType()
                           << ", the input " << type;
    allConstant &= bool(bounds[i].getDefiningOp<kg::ConstantOp>());
  }
  if (allConstant && (type.isF32() || type.isF16() || type.isBF16())) {
    float limits[2] = {-std::numeric_limits<float>::infinity(),
                       std::numeric_limits<float>::infinity()};
    for (unsigned i = 0; i < 2; ++i) {
      if (!bounds[i])
        continue;
      auto values = b.constantFloats(i + 1, names[i]);
      if (failed(values))
        return failure();
      limits[i] = float((*values)[0]);
    }
    return buildClip(b, *x, limits[0], limits[1]);
  }
  FailureOr<Value> result = *x;
  for (unsigned i = 0; i < 2 && succeeded(result); ++i) {
    if (!bounds[i])
      continue;
    // A rank-0 bound keeps the result's shape the input's.
    auto bound = b.reshape(bounds[i], {});
    if (failed(bound))
      return failure();
    result = i == 0 ? b.create<kg::MaxOp>(*result, *bound) : b.create<kg::MinOp>(*result, *bound);
  }
  return setResult(b, result);
}

// Inference-mode Dropout is the identity; its mask, when used, is all true.
LogicalResult buildDropout(OpBinder &b, Value x) {
  if (!b.outputUsed(1))
    return b.setResults({x});
  auto maskType = b.typeOf(x).clone(b.builder().getI1Type());
  return b.setResults({x, b.constant(DenseElementsAttr::get(maskType, true))});
}

LogicalResult convertDropout7(OpBinder &b) {
  auto x = b.requiredInput(0);
  return failed(x) ? failure() : buildDropout(b, *x);
}

// Dropout-12: training_mode became an input. Kiln compiles inference only, but training mode
// with ratio 0 keeps every element (exporters emit that for eval-mode dropout layers): the
// output is the input, the mask all true. Whatever of training_mode and ratio is known only at
// run time is checked then, so a run that would draw a random mask fails instead.
LogicalResult convertDropout12(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Value training = b.input(2), ratio = b.input(1);
  if (!training)
    return buildDropout(b, *x);
  Attribute trainingValue, ratioValue;
  bool trainingKnown = matchPattern(training, m_Constant(&trainingValue));
  if (trainingKnown) {
    auto flags = graph::readAsInt64(trainingValue);
    if (flags && llvm::all_of(*flags, [](int64_t f) { return f == 0; }))
      return buildDropout(b, *x);
  }
  if (!ratio || matchPattern(ratio, m_Constant(&ratioValue))) {
    auto values = ratio ? graph::readAsDouble(ratioValue) : std::nullopt;
    bool zero = values && llvm::all_of(*values, [](double v) { return v == 0.0; });
    if (zero)
      return buildDropout(b, *x);
    if (trainingKnown)
      return b.emitError() << "training_mode is true with a non-zero ratio; Kiln compiles "
                           << "inference only";
  }
  // ok = !training || ratio == 0, at run time.
  auto idle = b.create<kg::NotOp>(training);
  Value ok = *idle;
  if (ratio) {
    auto zeroRatio = b.create<kg::EqualOp>(ratio, b.scalar(b.typeOf(ratio).getElementType(), 0));
    auto either = failed(idle) || failed(zeroRatio) ? FailureOr<Value>(failure())
                                                    : b.create<kg::OrOp>(*idle, *zeroRatio);
    if (failed(either))
      return failure();
    ok = *either;
  } else if (failed(idle)) {
    return failure();
  }
  if (failed(b.addRunTimeCheck(ok, "inputs '" + b.inputName(1).str() + "', '" +
                                       b.inputName(2).str() + "' (Dropout ratio, training_mode " +
                                       "of node " + b.nodeName() + "): training mode needs ratio " +
                                       "0; Kiln compiles inference only")))
    return failure();
  return buildDropout(b, *x);
}

} // namespace

void populateClipConverters(ConverterRegistry &r) {
  r.add("Clip", 1, convertClipAttrs);
  r.add("Clip", 11, convertClipInputs);
  r.add("Dropout", 7, convertDropout7);
  r.add("Dropout", 12, convertDropout12);
}

} // namespace kiln::onnx_frontend
