// Elementwise kg ops: broadcasting shape inference and constant folding.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

namespace kiln::graph {

static LogicalResult inferBroadcast(std::optional<Location> loc, ArrayRef<Value> operands,
                                    Type elementType, SmallVectorImpl<Type> &results) {
  SmallVector<int64_t> shape;
  for (Value v : operands) {
    auto type = llvm::cast<RankedTensorType>(v.getType());
    auto merged = broadcastShapes(shape, type.getShape());
    if (!merged)
      return emitOptionalError(loc, "operand shapes ", formatShape(shape), " and ",
                               formatShape(type.getShape()), " do not broadcast");
    shape = *merged;
  }
  results.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

// Maps a result index to the index of a broadcast operand of `shape`.
static int64_t broadcastSource(int64_t index, ArrayRef<int64_t> resultShape,
                               ArrayRef<int64_t> shape) {
  int64_t src = 0, stride = 1;
  for (int64_t d = int64_t(resultShape.size()) - 1, sd = int64_t(shape.size()) - 1; d >= 0;
       --d, --sd) {
    int64_t coord = index % resultShape[d];
    index /= resultShape[d];
    if (sd < 0)
      continue;
    if (shape[sd] != 1)
      src += coord * stride;
    stride *= shape[sd];
  }
  return src;
}

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
  auto isInt = [](Value v) { return getElementTypeOrSelf(v.getType()).isIntOrIndex(); };
  if (isInt(op->getResult(0)) && isInt(op->getOperand(0)) && isInt(op->getOperand(1))) {
    auto out = evaluateBinary<int64_t>(op, readAsInt64(operands[0]), readAsInt64(operands[1]), fn);
    return out ? OpFoldResult(makeDenseInt(type, *out)) : OpFoldResult();
  }
  auto out = evaluateBinary<double>(op, readAsDouble(operands[0]), readAsDouble(operands[1]), fn);
  return out ? OpFoldResult(makeDense(type, *out)) : OpFoldResult();
}

#define KILN_BINARY(OP, EXPR, SAME)                                                                \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location> loc,               \
                                     Adaptor adaptor, SmallVectorImpl<Type> &results) {        \
    Type elementType = llvm::cast<ShapedType>(adaptor.getLhs().getType()).getElementType();    \
    Type rhsType = llvm::cast<ShapedType>(adaptor.getRhs().getType()).getElementType();        \
    if (SAME && elementType != rhsType) /* Pow's exponent may have its own type */             \
      return emitOptionalError(loc, "operand element types differ");                          \
    return inferBroadcast(loc, {adaptor.getLhs(), adaptor.getRhs()}, elementType, results);    \
  }                                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                                 \
    return foldBinary(*this, adaptor.getOperands(),                                            \
                      [](auto a, auto b) -> decltype(a) { return EXPR; });                     \
  }

KILN_BINARY(AddOp, a + b, true)
KILN_BINARY(SubOp, a - b, true)
KILN_BINARY(MulOp, a * b, true)
KILN_BINARY(DivOp, std::is_integral_v<decltype(a)> ? (b == 0 ? 0 : a / b) : a / b, true)
KILN_BINARY(PowOp, decltype(a)(std::pow(double(a), double(b))), false)
#undef KILN_BINARY

template <typename Fn>
static OpFoldResult foldUnary(Operation *op, Attribute operand, Fn fn) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  if (type.getNumElements() > kMaxFoldElements || !type.getElementType().isF32())
    return {};
  auto values = readAsDouble(operand);
  if (!values)
    return {};
  for (double &v : *values)
    v = fn(v);
  return makeDense(type, *values);
}

#define KILN_UNARY(OP, EXPR)                                                                   \
  LogicalResult OP::inferReturnTypes(MLIRContext *, std::optional<Location>, Adaptor adaptor,  \
                                     SmallVectorImpl<Type> &results) {                         \
    results.push_back(adaptor.getInput().getType());                                           \
    return success();                                                                          \
  }                                                                                            \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                                 \
    [[maybe_unused]] auto self = *this;                                                        \
    return foldUnary(*this, adaptor.getInput(), [&](double x) -> double { return EXPR; });     \
  }

KILN_UNARY(SqrtOp, std::sqrt(x))
KILN_UNARY(ErfOp, std::erf(x))
KILN_UNARY(TanhOp, std::tanh(x))
KILN_UNARY(SigmoidOp, 1.0 / (1.0 + std::exp(-x)))
KILN_UNARY(ReluOp, x > 0 ? x : 0)
KILN_UNARY(ExpOp, std::exp(x))
KILN_UNARY(NegOp, -x)
KILN_UNARY(HardSwishOp, x * std::min(std::max(x / 6.0 + 0.5, 0.0), 1.0))
KILN_UNARY(LeakyReluOp, x >= 0 ? x : x * self.getAlpha().convertToDouble())
KILN_UNARY(ClipOp, std::min(std::max(x, double(self.getMin().convertToFloat())),
                            double(self.getMax().convertToFloat())))
#undef KILN_UNARY

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("changes the shape from ") << formatShape(getInput().getType().getShape())
                                                  << " to "
                                                  << formatShape(getResult().getType().getShape());
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  auto type = getResult().getType();
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  Type from = getInput().getType().getElementType(), to = type.getElementType();
  if (from.isIntOrIndex() && to.isIntOrIndex() && !to.isInteger(1)) {
    auto values = readAsInt64(adaptor.getInput());
    return values ? OpFoldResult(makeDenseInt(type, *values)) : OpFoldResult();
  }
  auto values = readAsDouble(adaptor.getInput());
  if (!values)
    return {};
  // To bool: any non-zero is true (makeDense tests != 0); to other integers: truncate.
  if (to.isIntOrIndex() && !to.isInteger(1))
    for (double &v : *values)
      v = std::trunc(v);
  return makeDense(type, *values);
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  Type elementType = llvm::cast<ShapedType>(adaptor.getLhs().getType()).getElementType();
  return inferBroadcast(loc, {adaptor.getCondition(), adaptor.getLhs(), adaptor.getRhs()},
                        elementType, results);
}

} // namespace kiln::graph
