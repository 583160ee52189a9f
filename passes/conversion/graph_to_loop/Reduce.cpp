// Lowering of ReduceSum/ReduceMean to one reduction block.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

template <typename ReduceOp>
static LogicalResult lowerReduce(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ReduceOp>(operation);
  auto inType = llvm::cast<RankedTensorType>(op.getInput().getType());
  Type et = inType.getElementType();
  if (!llvm::isa<FloatType>(et))
    return op.emitOpError("is only supported on floating-point tensors");
  MLIRContext *ctx = op.getContext();
  ArrayRef<int64_t> axes = op.getAxes();
  // Iter space: kept dims first (in order), reduced dims last, so the reduction is innermost.
  SmallVector<Axis> iterAxes;
  SmallVector<unsigned> iterOf(inType.getRank());
  int64_t count = 1;
  for (int64_t d = 0; d < inType.getRank(); ++d)
    if (!llvm::is_contained(axes, d)) {
      iterOf[d] = iterAxes.size();
      iterAxes.push_back({"i" + std::to_string(d), inType.getDimSize(d)});
    }
  for (int64_t d : axes) {
    iterOf[d] = iterAxes.size();
    iterAxes.push_back({"r" + std::to_string(d), inType.getDimSize(d), true});
    count *= inType.getDimSize(d);
  }
  SmallVector<AffineExpr> inIdx, outIdx;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    inIdx.push_back(getAffineDimExpr(iterOf[d], ctx));
    if (!llvm::is_contained(axes, d))
      outIdx.push_back(getAffineDimExpr(iterOf[d], ctx));
    else if (op.getKeepdims())
      outIdx.push_back(getAffineConstantExpr(0, ctx));
  }
  constexpr bool isMean = std::is_same_v<ReduceOp, ReduceMeanOp>;
  Location loc = kb.loc;
  kb.emitBlock(
      isMean ? "reduce_mean" : "reduce_sum", iterAxes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, kb.buffer(op.getInput()), inIdx, iv);
        if (isMean)
          x = rb.create<arith::MulFOp>(loc, x, kb.constantFloat(rb, et, 1.0 / count), fm);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, rb.create<arith::AddFOp>(loc, acc, x, fm), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, et, 0), out, outIdx, iv);
      });
  return success();
}

void populateReduceLowerings(LoweringRegistry &registry) {
  registry[ReduceSumOp::getOperationName()] = lowerReduce<ReduceSumOp>;
  registry[ReduceMeanOp::getOperationName()] = lowerReduce<ReduceMeanOp>;
}

} // namespace kiln::lowering
