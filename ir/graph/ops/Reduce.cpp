// Reductions over a set of axes: shape inference, verification and folding.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

static SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> axes,
                                         bool keepdims) {
  SmallVector<int64_t> out;
  for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
    if (!llvm::is_contained(axes, d))
      out.push_back(shape[d]);
    else if (keepdims)
      out.push_back(1);
  }
  return out;
}

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  for (int64_t axis : adaptor.getAxes())
    if (axis < 0 || axis >= input.getRank())
      return emitOptionalError(loc, "reduction axis ", axis, " out of range for ",
                               formatShape(input.getShape()));
  results.push_back(RankedTensorType::get(
      reducedShape(input.getShape(), adaptor.getAxes(), adaptor.getKeepdims()),
      input.getElementType()));
  return success();
}

template <typename Op> static LogicalResult verifyReduce(Op op) {
  ArrayRef<int64_t> axes = op.getAxes();
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] <= axes[i - 1])
      return op.emitOpError("axes must be sorted and unique");
  return success();
}

// Reducing nothing, or only size-1 dims, is a reshape; fold when the types already agree.
template <typename Op> static OpFoldResult foldReduce(Op op) {
  if (op.getInput().getType() == op.getResult().getType())
    return op.getInput();
  return {};
}

#define KILN_REDUCE_OP(Op)                                                                      \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location> loc,               \
                                     Adaptor adaptor, SmallVectorImpl<Type> &results) {        \
    return inferReduce(loc, adaptor, results);                                                 \
  }                                                                                            \
  LogicalResult Op::verify() { return verifyReduce(*this); }
#define KILN_FOLDING_REDUCE_OP(Op)                                                              \
  KILN_REDUCE_OP(Op)                                                                           \
  OpFoldResult Op::fold(FoldAdaptor) { return foldReduce(*this); }

KILN_FOLDING_REDUCE_OP(ReduceSumOp)
KILN_FOLDING_REDUCE_OP(ReduceMeanOp)
KILN_FOLDING_REDUCE_OP(ReduceMaxOp)
KILN_FOLDING_REDUCE_OP(ReduceMinOp)
KILN_FOLDING_REDUCE_OP(ReduceProdOp)
KILN_FOLDING_REDUCE_OP(ReduceLogSumExpOp)
KILN_REDUCE_OP(ReduceL1Op)
KILN_REDUCE_OP(ReduceL2Op)
KILN_REDUCE_OP(ReduceLogSumOp)
KILN_REDUCE_OP(ReduceSumSquareOp)

} // namespace kiln::graph
