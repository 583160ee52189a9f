// Lowering of transpose, slice, concat and trilu to copy blocks; registers the indexing ops
// (Gather.cpp, Scatter.cpp, TopK.cpp) too.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/Indexing.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

static LogicalResult lowerTranspose(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<TransposeOp>(operation);
  MLIRContext *ctx = op.getContext();
  ArrayRef<int64_t> perm = op.getPerm();
  SmallVector<AffineExpr> inIdx(perm.size());
  for (size_t d = 0; d < perm.size(); ++d)
    inIdx[perm[d]] = getAffineDimExpr(d, ctx);
  kb.emitBlock("transpose", spatialAxes(op.getType().getShape()), [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, kb.load(rb, kb.buffer(op.getInput()), inIdx, iv), out, iv);
  });
  return success();
}

static LogicalResult lowerSlice(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<SliceOp>(operation);
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> inIdx;
  for (size_t d = 0; d < op.getStarts().size(); ++d)
    inIdx.push_back(getAffineDimExpr(d, ctx) * op.getSteps()[d] + op.getStarts()[d]);
  if (op.getType().getNumElements() == 0)
    return success();
  kb.emitBlock("slice", spatialAxes(op.getType().getShape()), [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, kb.load(rb, kb.buffer(op.getInput()), inIdx, iv), out, iv);
  });
  return success();
}

// One block per input, writing its slab of the output at the input's offset along the axis.
static LogicalResult lowerConcat(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ConcatOp>(operation);
  MLIRContext *ctx = op.getContext();
  int64_t axis = op.getAxis(), offset = 0;
  for (Value input : op.getInputs()) {
    auto shape = llvm::cast<RankedTensorType>(input.getType()).getShape();
    if (shape[axis] == 0)
      continue;
    SmallVector<AffineExpr> outIdx;
    for (size_t d = 0; d < shape.size(); ++d)
      outIdx.push_back(getAffineDimExpr(d, ctx) + (int64_t(d) == axis ? offset : 0));
    kb.emitBlock("concat", spatialAxes(shape), [&](OpBuilder &rb, ValueRange iv) {
      SmallVector<AffineExpr> inIdx;
      for (size_t d = 0; d < shape.size(); ++d)
        inIdx.push_back(getAffineDimExpr(d, ctx));
      kb.store(rb, kb.load(rb, kb.buffer(input), inIdx, iv), out, outIdx, iv);
    });
    offset += shape[axis];
  }
  return success();
}

// Keeps x where the diagonal offset j - i of the last two dims is >= k (upper) or <= k (lower),
// zero elsewhere; k is read from its tensor, so it may be computed at run time.
static LogicalResult lowerTrilu(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<TriluOp>(operation);
  auto shape = op.getType().getShape();
  if (op.getType().getNumElements() == 0)
    return success();
  size_t rank = shape.size();
  Location loc = kb.loc;
  kb.emitBlock("trilu", spatialAxes(shape), [&](OpBuilder &rb, ValueRange iv) {
    Value k = rb.create<arith::ConstantIndexOp>(loc, 0);
    if (op.getK()) {
      auto kRank = llvm::cast<RankedTensorType>(op.getK().getType()).getRank();
      SmallVector<AffineExpr> zeros(kRank, rb.getAffineConstantExpr(0));
      Value raw = kb.load(rb, kb.buffer(op.getK()), zeros, iv);
      k = rb.create<arith::IndexCastOp>(loc, rb.getIndexType(), raw);
    }
    Value offset = rb.create<arith::SubIOp>(loc, iv[rank - 1], iv[rank - 2]);
    Value keep = rb.create<arith::CmpIOp>(
        loc, op.getUpper() ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle, offset, k);
    Value x = kb.loadBroadcast(rb, op.getInput(), iv);
    Value zero = kb.constantFloat(rb, op.getType().getElementType(), 0);
    kb.store(rb, rb.create<arith::SelectOp>(loc, keep, x, zero), out, iv);
  });
  return success();
}

void populateDataMovementLowerings(LoweringRegistry &registry) {
  registry[TransposeOp::getOperationName()] = lowerTranspose;
  registry[SliceOp::getOperationName()] = lowerSlice;
  registry[ConcatOp::getOperationName()] = lowerConcat;
  registry[TriluOp::getOperationName()] = lowerTrilu;
  populateGatherLowerings(registry);
  populateScatterLowerings(registry);
  populateTopKLowerings(registry);
}

} // namespace kiln::lowering
