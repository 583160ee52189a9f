// Elementwise ONNX ops: arithmetic, variadic Max/Min/Sum/Mean, Mod, BitShift, unary math.
#include "compiler/frontend/onnx/ops/ElementwiseConverters.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

LogicalResult alignLegacyOperands(OpBinder &b, Value lhs, Value &rhs) {
  ArrayRef<int64_t> lhsShape = b.typeOf(lhs).getShape(), rhsShape = b.typeOf(rhs).getShape();
  if (b.intAttr("broadcast", 0) == 0) {
    if (lhsShape != rhsShape)
      return b.emitError() << "operand shapes " << graph::formatShape(lhsShape) << " and "
                           << graph::formatShape(rhsShape) << " differ and broadcast is not set";
    return success();
  }
  int64_t lhsRank = lhsShape.size(), rhsRank = rhsShape.size();
  int64_t axis = b.intAttr("axis", lhsRank - rhsRank);
  if (axis < 0 || axis + rhsRank > lhsRank)
    return b.emitError() << "broadcast axis " << axis << " does not fit a rank-" << rhsRank
                         << " operand into rank " << lhsRank;
  // Trailing unit dims turn the axis alignment into numpy broadcasting.
  SmallVector<int64_t> aligned(rhsShape);
  aligned.append(lhsRank - axis - rhsRank, 1);
  auto reshaped = b.reshape(rhs, aligned);
  if (failed(reshaped))
    return failure();
  rhs = *reshaped;
  return success();
}

FailureOr<Type> floatElementType(OpBinder &b, Value x) {
  Type elementType = b.typeOf(x).getElementType();
  if (!isa<FloatType>(elementType))
    return b.emitError() << "expects a floating-point input, got " << elementType;
  return elementType;
}

namespace {

// Max/Min/Sum/Mean fold their inputs left to right; before opset 8 the shapes must match.
template <typename OpTy, bool Mean = false> LogicalResult convertVariadic(OpBinder &b) {
  if (b.numInputs() == 0)
    return b.emitError() << "needs at least one input";
  auto acc = b.requiredInput(0);
  if (failed(acc))
    return failure();
  for (unsigned i = 1; i < b.numInputs(); ++i) {
    auto next = b.requiredInput(i);
    if (failed(next))
      return failure();
    if (b.opset() < 8 && b.typeOf(*acc).getShape() != b.typeOf(*next).getShape())
      return b.emitError() << "input shapes differ, which opset " << b.opset()
                           << " does not broadcast";
    acc = b.create<OpTy>(*acc, *next);
    if (failed(acc))
      return failure();
  }
  if (Mean && b.numInputs() > 1) {
    auto elementType = floatElementType(b, *acc);
    if (failed(elementType))
      return failure();
    acc = b.create<kg::DivOp>(*acc, b.scalar(*elementType, b.numInputs()));
  }
  return setResult(b, acc);
}

// Pow-7+: an integer base with a float exponent (or the reverse) is computed by kg.pow itself.
LogicalResult convertPow(OpBinder &b) {
  auto base = b.requiredInput(0), exponent = b.requiredInput(1);
  if (failed(base) || failed(exponent))
    return failure();
  // x^2 (the variance of every exported LayerNorm) is x*x: a multiply fuses into the mean
  // that follows, where a powf per element would stay a kernel of its own.
  auto baseType = llvm::cast<RankedTensorType>(base->getType());
  auto exponentType = llvm::cast<RankedTensorType>(exponent->getType());
  if (auto c = exponent->getDefiningOp<kg::ConstantOp>();
      c && llvm::isa<FloatType>(baseType.getElementType()) && exponentType.getNumElements() == 1 &&
      exponentType.getRank() <= baseType.getRank())
    if (auto values = kg::readAsDouble(c.getValue()); values && (*values)[0] == 2.0)
      return setResult(b, b.create<kg::MulOp>(*base, *base));
  return setResult(b, b.create<kg::PowOp>(*base, *exponent));
}

// fmod=0: the remainder takes the divisor's sign (integers only); fmod=1: the dividend's.
LogicalResult convertMod(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  int64_t fmod = b.intAttr("fmod", 0);
  if (fmod != 0 && fmod != 1)
    return b.emitError() << "fmod must be 0 or 1, got " << fmod;
  if (fmod == 1)
    return setResult(b, b.create<kg::FModOp>(*lhs, *rhs));
  if (isa<FloatType>(b.typeOf(*lhs).getElementType()))
    return b.emitError() << "fmod=0 is not defined for floating-point inputs; set fmod=1";
  return setResult(b, b.create<kg::ModOp>(*lhs, *rhs));
}

LogicalResult convertBitShift(OpBinder &b) {
  std::string direction = b.stringAttr("direction", "");
  if (direction == "LEFT")
    return convertBinary<kg::ShiftLeftOp>(b);
  if (direction == "RIGHT")
    return convertBinary<kg::ShiftRightOp>(b);
  return b.emitError() << "direction must be LEFT or RIGHT, got '" << direction << "'";
}

LogicalResult convertReciprocal(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto elementType = floatElementType(b, *x);
  if (failed(elementType))
    return failure();
  return setResult(b, b.create<kg::DivOp>(b.scalar(*elementType, 1.0), *x));
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
  r.add("Max", 1, convertVariadic<kg::MaxOp>);
  r.add("Min", 1, convertVariadic<kg::MinOp>);
  r.add("Sum", 1, convertVariadic<kg::AddOp>);
  r.add("Mean", 1, convertVariadic<kg::AddOp, /*Mean=*/true>);
  r.add("Mod", 10, convertMod);
  r.add("BitShift", 11, convertBitShift);
  r.add("Reciprocal", 1, convertReciprocal);
  // Opset-1 versions differ only by the obsolete `consumed_inputs` attribute.
  r.add("Sqrt", 1, convertUnary<kg::SqrtOp>);
  r.add("Exp", 1, convertUnary<kg::ExpOp>);
  r.add("Log", 1, convertUnary<kg::LogOp>);
  r.add("Neg", 1, convertUnary<kg::NegOp>);
  r.add("Abs", 1, convertUnary<kg::AbsOp>);
  r.add("Sign", 9, convertUnary<kg::SignOp>);
  r.add("Ceil", 1, convertUnary<kg::CeilOp>);
  r.add("Floor", 1, convertUnary<kg::FloorOp>);
  r.add("Round", 11, convertUnary<kg::RoundOp>);
  r.add("Erf", 9, convertUnary<kg::ErfOp>);
  r.add("Sin", 7, convertUnary<kg::SinOp>);
  r.add("Cos", 7, convertUnary<kg::CosOp>);
  r.add("Tan", 7, convertUnary<kg::TanOp>);
  r.add("Asin", 7, convertUnary<kg::AsinOp>);
  r.add("Acos", 7, convertUnary<kg::AcosOp>);
  r.add("Atan", 7, convertUnary<kg::AtanOp>);
  r.add("Sinh", 9, convertUnary<kg::SinhOp>);
  r.add("Cosh", 9, convertUnary<kg::CoshOp>);
  r.add("Asinh", 9, convertUnary<kg::AsinhOp>);
  r.add("Acosh", 9, convertUnary<kg::AcoshOp>);
  r.add("Atanh", 9, convertUnary<kg::AtanhOp>);
  populateActivationConverters(r);
  populateLogicalConverters(r);
  populateClipConverters(r);
}

} // namespace kiln::onnx_frontend
