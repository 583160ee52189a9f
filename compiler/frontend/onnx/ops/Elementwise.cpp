// Elementwise ONNX ops: arithmetic, activations, Clip and Dropout.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

#include "ir/graph/ShapeUtils.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

template <typename OpTy> LogicalResult convertBinary(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  Type lhsType = b.typeOf(*lhs).getElementType(), rhsType = b.typeOf(*rhs).getElementType();
  if (lhsType != rhsType)
    return b.emitError() << "operand element types " << lhsType << " and " << rhsType << " differ";
  auto result = b.create<OpTy>(*lhs, *rhs);
  return failed(result) ? failure() : b.setResults({*result});
}

// Add/Sub/Mul/Div/Pow before opset 7: no broadcasting unless `broadcast` is set, and then
// the rhs lines up with the lhs from `axis` (default: suffix, as numpy does). Trailing unit dims
// turn that into numpy broadcasting.
template <typename OpTy> LogicalResult convertLegacyBinary(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  ArrayRef<int64_t> lhsShape = b.typeOf(*lhs).getShape(), rhsShape = b.typeOf(*rhs).getShape();
  if (b.intAttr("broadcast", 0) == 0) {
    if (lhsShape != rhsShape)
      return b.emitError() << "operand shapes " << graph::formatShape(lhsShape) << " and "
                           << graph::formatShape(rhsShape) << " differ and broadcast is not set";
  } else {
    int64_t lhsRank = lhsShape.size(), rhsRank = rhsShape.size();
    int64_t axis = b.intAttr("axis", lhsRank - rhsRank);
    if (axis < 0 || axis + rhsRank > lhsRank)
      return b.emitError() << "broadcast axis " << axis << " does not fit a rank-" << rhsRank
                           << " operand into rank " << lhsRank;
    SmallVector<int64_t> aligned(rhsShape);
    aligned.append(lhsRank - axis - rhsRank, 1);
    rhs = b.reshape(*rhs, aligned);
    if (failed(rhs))
      return failure();
  }
  if (b.typeOf(*lhs).getElementType() != b.typeOf(*rhs).getElementType())
    return b.emitError() << "operand element types differ";
  auto result = b.create<OpTy>(*lhs, *rhs);
  return failed(result) ? failure() : b.setResults({*result});
}

// Pow (opset 12+) allows an exponent type of its own; kg.pow takes the base's.
LogicalResult convertPow(OpBinder &b) {
  auto base = b.requiredInput(0), exponent = b.requiredInput(1);
  if (failed(base) || failed(exponent))
    return failure();
  Type elementType = b.typeOf(*base).getElementType();
  if (b.typeOf(*exponent).getElementType() != elementType) {
    exponent = b.createTyped<kg::CastOp>(b.typeOf(*exponent).clone(elementType), *exponent);
    if (failed(exponent))
      return failure();
  }
  auto result = b.create<kg::PowOp>(*base, *exponent);
  return failed(result) ? failure() : b.setResults({*result});
}

template <typename OpTy> LogicalResult convertUnary(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto result = b.create<OpTy>(*x);
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertLeakyRelu(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto result =
      b.create<kg::LeakyReluOp>(*x, b.builder().getF32FloatAttr(b.floatAttr("alpha", 0.01f)));
  return failed(result) ? failure() : b.setResults({*result});
}

// HardSigmoid(x) = clip(alpha * x + beta, 0, 1); kg has no op of its own for it.
LogicalResult convertHardSigmoid(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Type elementType = b.typeOf(*x).getElementType();
  if (!isa<FloatType>(elementType))
    return b.emitError() << "expects a floating-point input, got " << elementType;
  float alpha = b.floatAttr("alpha", 0.2f), beta = b.floatAttr("beta", 0.5f);
  auto scaled = b.create<kg::MulOp>(*x, b.scalar(elementType, alpha));
  if (failed(scaled))
    return failure();
  auto shifted = b.create<kg::AddOp>(*scaled, b.scalar(elementType, beta));
  if (failed(shifted))
    return failure();
  auto result = b.create<kg::ClipOp>(*shifted, b.builder().getF32FloatAttr(0.0f),
                                     b.builder().getF32FloatAttr(1.0f));
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult buildClip(OpBinder &b, Value x, float min, float max) {
  auto result =
      b.create<kg::ClipOp>(x, b.builder().getF32FloatAttr(min), b.builder().getF32FloatAttr(max));
  return failed(result) ? failure() : b.setResults({*result});
}

// Clip-1/6: bounds are attributes.
LogicalResult convertClipAttrs(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  float inf = std::numeric_limits<float>::infinity();
  return buildClip(b, *x, b.floatAttr("min", -inf), b.floatAttr("max", inf));
}

// Clip-11+: bounds are optional inputs, which must fold to constant scalars.
LogicalResult convertClipInputs(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  float bounds[2] = {-std::numeric_limits<float>::infinity(),
                     std::numeric_limits<float>::infinity()};
  const char *names[2] = {"Clip min", "Clip max"};
  for (unsigned i = 0; i < 2; ++i) {
    if (!b.input(i + 1))
      continue;
    auto values = b.constantFloats(i + 1, names[i]);
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return b.emitError() << names[i] << " must be a scalar, got " << values->size() << " values";
    bounds[i] = float((*values)[0]);
  }
  return buildClip(b, *x, bounds[0], bounds[1]);
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

// Dropout-12: training_mode became an input; Kiln compiles inference only.
LogicalResult convertDropout12(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  if (b.input(2)) {
    auto training = b.constantInts(2, "Dropout training_mode");
    if (failed(training))
      return failure();
    if (!training->empty() && (*training)[0] != 0)
      return b.emitError() << "training_mode is true; Kiln compiles inference only";
  }
  return buildDropout(b, *x);
}

} // namespace

void populateElementwiseConverters(ConverterRegistry &r) {
  r.add("Add", 1, convertLegacyBinary<kg::AddOp>);
  r.add("Sub", 1, convertLegacyBinary<kg::SubOp>);
  r.add("Mul", 1, convertLegacyBinary<kg::MulOp>);
  r.add("Div", 1, convertLegacyBinary<kg::DivOp>);
  r.add("Pow", 1, convertLegacyBinary<kg::PowOp>);
  r.add("Add", 7, convertBinary<kg::AddOp>);
  r.add("Sub", 7, convertBinary<kg::SubOp>);
  r.add("Mul", 7, convertBinary<kg::MulOp>);
  r.add("Div", 7, convertBinary<kg::DivOp>);
  r.add("Pow", 7, convertPow);
  // Opset-1 versions differ only by the obsolete `consumed_inputs` attribute.
  r.add("Sqrt", 1, convertUnary<kg::SqrtOp>);
  r.add("Exp", 1, convertUnary<kg::ExpOp>);
  r.add("Neg", 1, convertUnary<kg::NegOp>);
  r.add("Tanh", 1, convertUnary<kg::TanhOp>);
  r.add("Sigmoid", 1, convertUnary<kg::SigmoidOp>);
  r.add("Relu", 1, convertUnary<kg::ReluOp>);
  r.add("Erf", 9, convertUnary<kg::ErfOp>);
  r.add("HardSwish", 14, convertUnary<kg::HardSwishOp>);
  r.add("LeakyRelu", 1, convertLeakyRelu);
  r.add("HardSigmoid", 1, convertHardSigmoid);
  r.add("Clip", 1, convertClipAttrs);
  r.add("Clip", 11, convertClipInputs);
  r.add("Dropout", 7, convertDropout7);
  r.add("Dropout", 12, convertDropout12);
}

} // namespace kiln::onnx_frontend
