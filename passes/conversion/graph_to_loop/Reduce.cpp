// Lowering of ReduceSum/ReduceMean to one reduction block.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

LogicalResult emitReduction(KernelBuilder &kb, StringRef name, Value input,
                            ArrayRef<int64_t> axes, bool keepdims, bool mean, Value out) {
  auto inType = llvm::cast<RankedTensorType>(input.getType());
  Type et = inType.getElementType();
  if (!llvm::isa<FloatType>(et))
    return emitError(kb.loc) << name << " is only supported on floating-point tensors";
  MLIRContext *ctx = inType.getContext();
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
    else if (keepdims)
      outIdx.push_back(getAffineConstantExpr(0, ctx));
  }
  Location loc = kb.loc;
  kb.emitBlock(
      name, iterAxes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, kb.buffer(input), inIdx, iv);
        if (mean)
          x = rb.create<arith::MulFOp>(loc, x, kb.constantFloat(rb, et, 1.0 / count), fm);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, rb.create<arith::AddFOp>(loc, acc, x, fm), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, et, 0), out, outIdx, iv);
      });
  return success();
}

template <typename ReduceOp>
static LogicalResult lowerReduce(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ReduceOp>(operation);
  constexpr bool isMean = std::is_same_v<ReduceOp, ReduceMeanOp>;
  return emitReduction(kb, isMean ? "reduce_mean" : "reduce_sum", op.getInput(), op.getAxes(),
                       op.getKeepdims(), isMean, out);
}

void populateReduceLowerings(LoweringRegistry &registry) {
  registry[ReduceSumOp::getOperationName()] = lowerReduce<ReduceSumOp>;
  registry[ReduceMeanOp::getOperationName()] = lowerReduce<ReduceMeanOp>;
}

} // namespace kiln::lowering
