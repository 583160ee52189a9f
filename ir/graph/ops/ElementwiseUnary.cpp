// Unary elementwise kg ops: element-type checks and constant folding.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ops/ElementwiseFold.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

namespace kiln::graph {

namespace {
// The element types a unary op accepts.
enum class Accepts { Float, Signed, Numeric, Bool };

LogicalResult inferUnary(std::optional<Location> loc, Value input, Accepts accepts,
                         SmallVectorImpl<Type> &results) {
  Type elementType = getElementTypeOrSelf(input.getType());
  bool ok = false;
  switch (accepts) {
  case Accepts::Float: ok = llvm::isa<FloatType>(elementType); break;
  case Accepts::Signed: ok = !elementType.isInteger(1) && !elementType.isUnsignedInteger(); break;
  case Accepts::Numeric: ok = !elementType.isInteger(1); break;
  case Accepts::Bool: ok = elementType.isInteger(1); break;
  }
  if (!ok)
    return emitOptionalError(loc, "does not support element type ", elementType);
  results.push_back(input.getType());
  return success();
}

// Integers fold in int64, f32/f64 in double; other element types are left alone.
template <typename Fn> OpFoldResult foldUnary(Operation *op, Attribute operand, Fn fn) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Type elementType = type.getElementType();
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  if (isFoldableInt(elementType)) {
    auto values = readAsInt64(operand);
    if (!values)
      return {};
    for (int64_t &v : *values)
      v = fn(v);
    return makeDenseInt(type, *values);
  }
  if (!elementType.isF32() && !elementType.isF64())
    return {};
  auto values = readAsDouble(operand);
  if (!values)
    return {};
  for (double &v : *values)
    v = fn(v);
  return makeDense(type, *values);
}

template <typename T> T sign(T x) { return T((x > 0) - (x < 0)); }
} // namespace

#define KILN_UNARY(OP, ACCEPTS, EXPR)                                                          \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,               \
                                     Adaptor adaptor, SmallVectorImpl<Type> &results) {        \
    return inferUnary(loc, adaptor.getInput(), Accepts::ACCEPTS, results);                     \
  }                                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                                 \
    [[maybe_unused]] auto self = *this;                                                        \
    return foldUnary(*this, adaptor.getInput(),                                                \
                     [&](auto x) -> decltype(x) { return decltype(x)(EXPR); });                \
  }

KILN_UNARY(SqrtOp, Float, std::sqrt(x))
KILN_UNARY(ErfOp, Float, std::erf(x))
KILN_UNARY(TanhOp, Float, std::tanh(x))
KILN_UNARY(SigmoidOp, Float, 1.0 / (1.0 + std::exp(-x)))
KILN_UNARY(ReluOp, Numeric, x > 0 ? x : 0)
KILN_UNARY(ExpOp, Float, std::exp(x))
KILN_UNARY(LogOp, Float, std::log(x))
KILN_UNARY(NegOp, Signed, -x)
KILN_UNARY(AbsOp, Numeric, x < 0 ? -x : x)
KILN_UNARY(SignOp, Numeric, sign(x))
KILN_UNARY(CeilOp, Float, std::ceil(x))
KILN_UNARY(FloorOp, Float, std::floor(x))
KILN_UNARY(RoundOp, Float, std::nearbyint(x)) // the default rounding mode: half to even
KILN_UNARY(NotOp, Bool, x == 0)
KILN_UNARY(SinOp, Float, std::sin(x))
KILN_UNARY(CosOp, Float, std::cos(x))
KILN_UNARY(TanOp, Float, std::tan(x))
KILN_UNARY(AsinOp, Float, std::asin(x))
KILN_UNARY(AcosOp, Float, std::acos(x))
KILN_UNARY(AtanOp, Float, std::atan(x))
KILN_UNARY(SinhOp, Float, std::sinh(x))
KILN_UNARY(CoshOp, Float, std::cosh(x))
KILN_UNARY(AsinhOp, Float, std::asinh(x))
KILN_UNARY(AcoshOp, Float, std::acosh(x))
KILN_UNARY(AtanhOp, Float, std::atanh(x))
KILN_UNARY(HardSwishOp, Float, x * std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0))
KILN_UNARY(LeakyReluOp, Float, x >= 0 ? x : x * self.getAlpha().convertToDouble())
KILN_UNARY(ClipOp, Float, std::min(std::max(double(x), double(self.getMin().convertToFloat())),
                                   double(self.getMax().convertToFloat())))
#undef KILN_UNARY

} // namespace kiln::graph
