// Elementwise kg ops: the shared broadcasting helpers, Cast, Where and Clip.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"
#include "ir/graph/ops/ElementwiseFold.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace kiln::graph {

LogicalResult inferBroadcast(std::optional<Location> loc, ArrayRef<Value> operands,
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

int64_t broadcastSource(int64_t index, ArrayRef<int64_t> resultShape, ArrayRef<int64_t> shape) {
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

bool isFoldableInt(Type elementType) {
  auto integer = llvm::dyn_cast<IntegerType>(elementType);
  if (!integer)
    return false;
  return integer.isUnsigned() ? integer.getWidth() == 8 : true;
}

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("changes the shape from ") << formatShape(getInput().getType().getShape())
                                                  << " to "
                                                  << formatShape(getResult().getType().getShape());
  return success();
}

// float -> bfloat16 keeps the upper 16 bits of the float32 (truncation), as the lowering does.
static double truncateToBF16(double v) {
  float f = float(v);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits &= 0xffff0000u;
  std::memcpy(&f, &bits, 4);
  return f;
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  auto type = getResult().getType();
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  Type from = getInput().getType().getElementType(), to = type.getElementType();
  if (from.isIntOrIndex() && !isFoldableInt(from))
    return {};
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
  if (to.isBF16())
    for (double &v : *values)
      v = truncateToBF16(v);
  return makeDense(type, *values);
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (!getElementTypeOrSelf(adaptor.getCondition().getType()).isInteger(1))
    return emitOptionalError(loc, "condition must be a bool tensor, got ",
                             adaptor.getCondition().getType());
  Type elementType = getElementTypeOrSelf(adaptor.getLhs().getType());
  Type rhsType = getElementTypeOrSelf(adaptor.getRhs().getType());
  if (elementType != rhsType)
    return emitOptionalError(loc, "operand element types ", elementType, " and ", rhsType,
                             " differ");
  return inferBroadcast(loc, {adaptor.getCondition(), adaptor.getLhs(), adaptor.getRhs()},
                        elementType, results);
}

// A constant condition that is all true or all false selects one operand when that operand
// already has the result type.
OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto condition = readAsInt64(adaptor.getCondition());
  if (!condition || condition->empty())
    return {};
  bool allTrue = llvm::all_of(*condition, [](int64_t c) { return c != 0; });
  bool allFalse = llvm::all_of(*condition, [](int64_t c) { return c == 0; });
  Value chosen = allTrue ? getLhs() : allFalse ? getRhs() : Value();
  if (chosen && chosen.getType() == getResult().getType())
    return chosen;
  // All three constant (shape arithmetic, e.g. an exported Expand's -1 handling): select them.
  auto type = getResult().getType();
  if (!adaptor.getLhs() || !adaptor.getRhs() || type.getNumElements() > kMaxFoldElements)
    return {};
  auto shapeOf = [](Value v) { return llvm::cast<RankedTensorType>(v.getType()).getShape(); };
  auto pick = [&](const auto &lhs, const auto &rhs, auto &out) {
    for (int64_t i = 0; i < type.getNumElements(); ++i) {
      bool c = (*condition)[broadcastSource(i, type.getShape(), shapeOf(getCondition()))] != 0;
      out.push_back(c ? (*lhs)[broadcastSource(i, type.getShape(), shapeOf(getLhs()))]
                      : (*rhs)[broadcastSource(i, type.getShape(), shapeOf(getRhs()))]);
    }
  };
  if (llvm::isa<FloatType>(type.getElementType())) {
    auto lhs = readAsDouble(adaptor.getLhs()), rhs = readAsDouble(adaptor.getRhs());
    if (!lhs || !rhs)
      return {};
    SmallVector<double> out;
    pick(lhs, rhs, out);
    return makeDense(type, out);
  }
  auto lhs = readAsInt64(adaptor.getLhs()), rhs = readAsInt64(adaptor.getRhs());
  if (!lhs || !rhs)
    return {};
  SmallVector<int64_t> out;
  pick(lhs, rhs, out);
  return makeDenseInt(type, out);
}

LogicalResult ClipOp::verify() {
  if (!llvm::isa<FloatType>(getInput().getType().getElementType()))
    return emitOpError("expects a floating-point tensor, got ") << getInput().getType();
  return success();
}

} // namespace kiln::graph
