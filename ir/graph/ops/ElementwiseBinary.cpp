// Binary elementwise kg ops (arithmetic, min/max, remainders, logic, shifts, comparisons):
// broadcasting type inference and constant folding.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"
#include "ir/graph/ops/ElementwiseFold.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::graph {

template <typename T, typename Fn>
static std::optional<std::vector<T>> evaluateBinary(Operation *op, std::optional<std::vector<T>> lhs,
                                                    std::optional<std::vector<T>> rhs, Fn fn) {
  if (!lhs || !rhs)
    return std::nullopt;
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  auto lhsShape = llvm::cast<ShapedType>(op->getOperand(0).getType()).getShape();
  auto rhsShape = llvm::cast<ShapedType>(op->getOperand(1).getType()).getShape();
  std::vector<T> out(type.getNumElements());
  for (int64_t i = 0; i < int64_t(out.size()); ++i)
    out[i] = fn((*lhs)[broadcastSource(i, type.getShape(), lhsShape)],
                (*rhs)[broadcastSource(i, type.getShape(), rhsShape)]);
  return out;
}

// Integers are folded in int64 (shape arithmetic must keep INT64_MAX exact), floats in double.
template <typename Fn>
static OpFoldResult foldBinary(Operation *op, ArrayRef<Attribute> operands, Fn fn) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  if (!type.hasStaticShape() || type.getNumElements() > kMaxFoldElements)
    return {};
  Type operandType = getElementTypeOrSelf(op->getOperand(0).getType());
  Type exponentType = getElementTypeOrSelf(op->getOperand(1).getType());
  if (operandType.isIntOrIndex() && exponentType.isIntOrIndex()) {
    if (!isFoldableInt(operandType) || !isFoldableInt(exponentType))
      return {};
    auto out = evaluateBinary<int64_t>(op, readAsInt64(operands[0]), readAsInt64(operands[1]), fn);
    return out ? OpFoldResult(makeDenseInt(type, *out)) : OpFoldResult();
  }
  if (!llvm::isa<FloatType>(operandType))
    return {};  // an integer base with a float exponent: not worth folding
  auto out = evaluateBinary<double>(op, readAsDouble(operands[0]), readAsDouble(operands[1]), fn);
  return out ? OpFoldResult(makeDense(type, *out)) : OpFoldResult();
}

namespace {
// What a binary op accepts and yields.
enum class Operands { Numeric, Bool, Unsigned, Any };

LogicalResult inferBinary(std::optional<Location> loc, Value lhs, Value rhs, Operands accepts,
                          bool sameTypes, bool boolResult, SmallVectorImpl<Type> &results) {
  Type elementType = getElementTypeOrSelf(lhs.getType());
  Type rhsType = getElementTypeOrSelf(rhs.getType());
  if (sameTypes && elementType != rhsType)
    return emitOptionalError(loc, "operand element types ", elementType, " and ", rhsType,
                             " differ");
  bool ok = accepts == Operands::Any        ? true
            : accepts == Operands::Bool     ? elementType.isInteger(1)
            : accepts == Operands::Unsigned ? elementType.isUnsignedInteger()
                                            : !elementType.isInteger(1);
  if (!ok)
    return emitOptionalError(loc, "does not support element type ", elementType);
  Type resultType = boolResult ? IntegerType::get(elementType.getContext(), 1) : elementType;
  return inferBroadcast(loc, {lhs, rhs}, resultType, results);
}

template <typename T> T pythonMod(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    if (b == 0)
      return 0;
    T r = a % b;
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
  } else {
    T r = std::fmod(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
  }
}

template <typename T> T cFmod(T a, T b) {
  if constexpr (std::is_integral_v<T>)
    return b == 0 ? 0 : a % b;
  else
    return std::fmod(a, b);
}

template <typename T> T propagatingMax(T a, T b) {
  if constexpr (!std::is_integral_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a > b ? a : b;
}

template <typename T> T propagatingMin(T a, T b) {
  if constexpr (!std::is_integral_v<T>)
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<T>::quiet_NaN();
  return a < b ? a : b;
}

// Shifts fold only on ui8 (see isFoldableInt), so shifting a uint64_t is exact.
template <typename T> T shiftLeft(T a, T b) {
  return b < 0 || b >= 64 ? 0 : T(uint64_t(a) << uint64_t(b));
}
template <typename T> T shiftRight(T a, T b) {
  return b < 0 || b >= 64 ? 0 : T(uint64_t(a) >> uint64_t(b));
}
} // namespace

#define KILN_BINARY(OP, ACCEPTS, SAME, BOOL_RESULT, EXPR)                                      \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,               \
                                     Adaptor adaptor, SmallVectorImpl<Type> &results) {        \
    return inferBinary(loc, adaptor.getLhs(), adaptor.getRhs(), Operands::ACCEPTS, SAME,       \
                       BOOL_RESULT, results);                                                  \
  }                                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                                 \
    return foldBinary(*this, adaptor.getOperands(),                                            \
                      [](auto a, auto b) -> decltype(a) { return EXPR; });                     \
  }

KILN_BINARY(AddOp, Numeric, true, false, a + b)
KILN_BINARY(SubOp, Numeric, true, false, a - b)
KILN_BINARY(MulOp, Numeric, true, false, a * b)
KILN_BINARY(DivOp, Numeric, true, false,
            std::is_integral_v<decltype(a)> ? (b == 0 ? 0 : a / b) : a / b)
// Pow's exponent may have its own type.
KILN_BINARY(PowOp, Numeric, false, false, decltype(a)(std::pow(double(a), double(b))))
KILN_BINARY(MaxOp, Numeric, true, false, propagatingMax(a, b))
KILN_BINARY(MinOp, Numeric, true, false, propagatingMin(a, b))
KILN_BINARY(ModOp, Numeric, true, false, pythonMod(a, b))
KILN_BINARY(FModOp, Numeric, true, false, cFmod(a, b))
KILN_BINARY(AndOp, Bool, true, false, decltype(a)(a != 0 && b != 0))
KILN_BINARY(OrOp, Bool, true, false, decltype(a)(a != 0 || b != 0))
KILN_BINARY(XorOp, Bool, true, false, decltype(a)((a != 0) != (b != 0)))
KILN_BINARY(ShiftLeftOp, Unsigned, true, false, shiftLeft(a, b))
KILN_BINARY(ShiftRightOp, Unsigned, true, false, shiftRight(a, b))
// Equal also compares bools.
KILN_BINARY(EqualOp, Any, true, true, decltype(a)(a == b))
KILN_BINARY(GreaterOp, Numeric, true, true, decltype(a)(a > b))
KILN_BINARY(GreaterEqualOp, Numeric, true, true, decltype(a)(a >= b))
KILN_BINARY(LessOp, Numeric, true, true, decltype(a)(a < b))
KILN_BINARY(LessEqualOp, Numeric, true, true, decltype(a)(a <= b))
#undef KILN_BINARY

} // namespace kiln::graph
