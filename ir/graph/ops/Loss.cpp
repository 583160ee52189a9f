// Loss ops: shape inference and operand checks.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

// input [N, C, d...], target [N, d...] of integers, weight [C]; the result is [N, d...] for
// reduction "none", else a scalar.
LogicalResult NLLLossOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  auto target = llvm::cast<RankedTensorType>(adaptor.getTarget().getType());
  if (input.getRank() < 2 || !llvm::isa<FloatType>(input.getElementType()))
    return emitOptionalError(loc, "nll_loss input must be a floating-point [N, C, d...] tensor, got ",
                             input);
  SmallVector<int64_t> expected = {input.getDimSize(0)};
  llvm::append_range(expected, input.getShape().drop_front(2));
  if (target.getShape() != ArrayRef<int64_t>(expected) ||
      !llvm::isa<IntegerType>(target.getElementType()))
    return emitOptionalError(loc, "nll_loss target must be an integer tensor of shape ",
                             formatShape(expected), ", got ", target);
  if (Value weight = adaptor.getWeight()) {
    auto w = llvm::cast<RankedTensorType>(weight.getType());
    if (w.getRank() != 1 || w.getDimSize(0) != input.getDimSize(1) ||
        w.getElementType() != input.getElementType())
      return emitOptionalError(loc, "nll_loss weight must be ", input.getElementType(), " of shape [",
                               input.getDimSize(1), "], got ", w);
  }
  StringRef reduction = adaptor.getReduction();
  if (reduction == "none")
    results.push_back(target.clone(input.getElementType()));
  else if (reduction == "sum" || reduction == "mean")
    results.push_back(RankedTensorType::get({}, input.getElementType()));
  else
    return emitOptionalError(loc, "nll_loss reduction must be none, sum or mean, got '",
                             reduction, "'");
  return success();
}

} // namespace kiln::graph
