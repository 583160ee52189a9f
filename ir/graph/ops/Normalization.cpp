// Normalizations and softmax: shape inference and parameter checks.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "batch_norm input must have rank >= 2");
  for (Value param : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                      adaptor.getVariance()}) {
    auto shape = llvm::cast<RankedTensorType>(param.getType()).getShape();
    if (shape.size() != 1 || shape[0] != input.getDimSize(1))
      return emitOptionalError(loc, "batch_norm parameter of shape ", formatShape(shape),
                               " does not match ", input.getDimSize(1), " channels");
  }
  results.push_back(input);
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "layer_norm axis ", axis, " out of range");
  results.push_back(input);
  return success();
}

template <typename Adaptor>
static LogicalResult inferAlongAxis(StringRef name, std::optional<Location> loc, Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, name, " axis ", axis, " out of range for ",
                             formatShape(input.getShape()));
  if (!llvm::isa<FloatType>(input.getElementType()))
    return emitOptionalError(loc, name, " needs a floating-point input, got ",
                             input.getElementType());
  results.push_back(input);
  return success();
}

LogicalResult SoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferAlongAxis("softmax", loc, adaptor, results);
}
LogicalResult LogSoftmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                             Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferAlongAxis("log_softmax", loc, adaptor, results);
}
LogicalResult HardmaxOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferAlongAxis("hardmax", loc, adaptor, results);
}

} // namespace kiln::graph
