// Ops along one axis: arg reductions (ArgMax/ArgMin) and the cumulative sum.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

static LogicalResult checkAxis(StringRef name, std::optional<Location> loc,
                               RankedTensorType input, int64_t axis) {
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, name, " axis ", axis, " out of range for ",
                             formatShape(input.getShape()));
  return success();
}

template <typename Adaptor>
static LogicalResult inferArgReduce(StringRef name, MLIRContext *ctx, std::optional<Location> loc,
                                    Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(name, loc, input, axis)))
    return failure();
  if (input.getDimSize(axis) == 0)
    return emitOptionalError(loc, name, " over an empty axis has no result");
  SmallVector<int64_t> shape(input.getShape());
  if (adaptor.getKeepdims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  results.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferArgReduce("arg_max", ctx, loc, adaptor, results);
}
LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferArgReduce("arg_min", ctx, loc, adaptor, results);
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  if (failed(checkAxis("cumsum", loc, input, adaptor.getAxis())))
    return failure();
  results.push_back(input);
  return success();
}

} // namespace kiln::graph
