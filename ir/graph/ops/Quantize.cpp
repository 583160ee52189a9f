// Quantization: verification of quantize_linear's operand and result types.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

// `param` (scale or zero point) is a scalar (rank 0, or 1-D of size 1) or 1-D along `axis`.
static LogicalResult checkQuantParam(Operation *op, StringRef what, RankedTensorType param,
                                     RankedTensorType input, int64_t axis) {
  if (param.getRank() == 0 || (param.getRank() == 1 && param.getDimSize(0) == 1))
    return success();
  int64_t extent = input.getRank() == 0 ? 1 : input.getDimSize(axis);
  if (param.getRank() == 1 && param.getDimSize(0) == extent)
    return success();
  return op->emitOpError() << what << " of shape " << formatShape(param.getShape())
                           << " is neither a scalar nor 1-D of size " << extent << " (input "
                           << formatShape(input.getShape()) << ", axis " << axis << ")";
}

LogicalResult QuantizeLinearOp::verify() {
  auto input = getInput().getType(), result = getType();
  if (input.getShape() != result.getShape())
    return emitOpError("changes the shape from ")
           << formatShape(input.getShape()) << " to " << formatShape(result.getShape());
  if (!llvm::isa<FloatType>(input.getElementType()) && !input.getElementType().isInteger(32))
    return emitOpError("input must be floating-point or i32, got ") << input.getElementType();
  auto resultElement = llvm::dyn_cast<IntegerType>(result.getElementType());
  if (!resultElement || resultElement.getWidth() != 8)
    return emitOpError("result must be an 8-bit integer, got ") << result.getElementType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= std::max<int64_t>(input.getRank(), 1))
    return emitOpError("axis ") << axis << " is out of range for rank " << input.getRank();
  if (!llvm::isa<FloatType>(getScale().getType().getElementType()))
    return emitOpError("scale must be floating-point");
  if (failed(checkQuantParam(*this, "scale", getScale().getType(), input, axis)))
    return failure();
  if (Value zp = getZeroPoint()) {
    auto zpType = llvm::cast<RankedTensorType>(zp.getType());
    if (zpType.getElementType() != result.getElementType())
      return emitOpError("zero point type ") << zpType.getElementType()
                                             << " differs from the result's "
                                             << result.getElementType();
    if (failed(checkQuantParam(*this, "zero point", zpType, input, axis)))
      return failure();
  }
  return success();
}

} // namespace kiln::graph
