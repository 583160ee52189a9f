// Lowering of the ops that read at run-time indices: gather, gather_elements, gather_nd and
// reverse_sequence. Each is one all-spatial block over the result whose data load is a
// memref.load at the computed position (opaque to the access analysis, as it must be).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/Indexing.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

Value wrapIndex(OpBuilder &rb, Location loc, Value raw, int64_t extent, bool clamp) {
  Value index = rb.create<arith::IndexCastOp>(loc, rb.getIndexType(), raw);
  Value size = rb.create<arith::ConstantIndexOp>(loc, extent);
  Value zero = rb.create<arith::ConstantIndexOp>(loc, 0);
  Value negative = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, index, zero);
  index = rb.create<arith::SelectOp>(loc, negative, rb.create<arith::AddIOp>(loc, index, size),
                                     index);
  if (!clamp)
    return index;
  index = rb.create<arith::MaxSIOp>(loc, index, zero);
  return rb.create<arith::MinSIOp>(loc, index,
                                   rb.create<arith::ConstantIndexOp>(loc, std::max<int64_t>(extent - 1, 0)));
}

static SmallVector<AffineExpr> dimExprs(MLIRContext *ctx, unsigned first, unsigned count) {
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < count; ++i)
    exprs.push_back(getAffineDimExpr(first + i, ctx));
  return exprs;
}

// out[pre, idx..., post] = data[pre, wrap(indices[idx...]), post].
static LogicalResult lowerGather(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GatherOp>(operation);
  if (op.getType().getNumElements() == 0)
    return success();
  auto dataShape = op.getData().getType().getShape();
  unsigned axis = op.getAxis(), indexRank = op.getIndices().getType().getRank();
  Location loc = kb.loc;
  kb.emitBlock("gather", spatialAxes(op.getType().getShape()), [&](OpBuilder &rb, ValueRange iv) {
    Value raw = kb.load(rb, kb.buffer(op.getIndices()),
                        dimExprs(op.getContext(), axis, indexRank), iv);
    SmallVector<Value> dataIdx(iv.take_front(axis));
    dataIdx.push_back(wrapIndex(rb, loc, raw, dataShape[axis]));
    llvm::append_range(dataIdx, iv.drop_front(axis + indexRank));
    kb.store(rb, rb.create<memref::LoadOp>(loc, kb.buffer(op.getData()), dataIdx), out, iv);
  });
  return success();
}

// out[p] = data[p with p[axis] = wrap(indices[p])].
static LogicalResult lowerGatherElements(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GatherElementsOp>(operation);
  if (op.getType().getNumElements() == 0)
    return success();
  unsigned axis = op.getAxis(), rank = op.getType().getRank();
  int64_t extent = op.getData().getType().getDimSize(axis);
  Location loc = kb.loc;
  kb.emitBlock("gather_elements", spatialAxes(op.getType().getShape()),
               [&](OpBuilder &rb, ValueRange iv) {
                 Value raw = kb.load(rb, kb.buffer(op.getIndices()),
                                     dimExprs(op.getContext(), 0, rank), iv);
                 SmallVector<Value> dataIdx(iv);
                 dataIdx[axis] = wrapIndex(rb, loc, raw, extent);
                 kb.store(rb, rb.create<memref::LoadOp>(loc, kb.buffer(op.getData()), dataIdx),
                          out, iv);
               });
  return success();
}

// out[b..., t...] = data[b[:batch], wrap(indices[b..., 0]), ..., t...]: the result's leading
// dims walk the index tuples, the trailing ones the slice each tuple selects.
static LogicalResult lowerGatherND(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GatherNDOp>(operation);
  if (op.getType().getNumElements() == 0)
    return success();
  auto dataShape = op.getData().getType().getShape();
  auto indexShape = op.getIndices().getType().getShape();
  unsigned batch = op.getBatchDims(), tuples = indexShape.size() - 1;
  int64_t depth = indexShape.back();
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  kb.emitBlock("gather_nd", spatialAxes(op.getType().getShape()), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<Value> dataIdx(iv.take_front(batch));
    for (int64_t j = 0; j < depth; ++j) {
      SmallVector<AffineExpr> at = dimExprs(ctx, 0, tuples);
      at.push_back(getAffineConstantExpr(j, ctx));
      Value raw = kb.load(rb, kb.buffer(op.getIndices()), at, iv);
      dataIdx.push_back(wrapIndex(rb, loc, raw, dataShape[batch + j]));
    }
    llvm::append_range(dataIdx, iv.drop_front(tuples));
    kb.store(rb, rb.create<memref::LoadOp>(loc, kb.buffer(op.getData()), dataIdx), out, iv);
  });
  return success();
}

// out[b, t] = x[b, t < len ? len - 1 - t : t] with len = clamp(seq_lens[b], 0, T).
static LogicalResult lowerReverseSequence(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ReverseSequenceOp>(operation);
  if (op.getType().getNumElements() == 0)
    return success();
  unsigned batchAxis = op.getBatchAxis(), timeAxis = op.getTimeAxis();
  int64_t steps = op.getType().getDimSize(timeAxis);
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  kb.emitBlock("reverse_sequence", spatialAxes(op.getType().getShape()),
               [&](OpBuilder &rb, ValueRange iv) {
                 Value raw = kb.load(rb, kb.buffer(op.getSeqLens()),
                                     {getAffineDimExpr(batchAxis, ctx)}, iv);
                 Value len = rb.create<arith::IndexCastOp>(loc, rb.getIndexType(), raw);
                 len = rb.create<arith::MaxSIOp>(loc, len,
                                                 rb.create<arith::ConstantIndexOp>(loc, 0));
                 len = rb.create<arith::MinSIOp>(loc, len,
                                                 rb.create<arith::ConstantIndexOp>(loc, steps));
                 Value t = iv[timeAxis];
                 Value inside =
                     rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, t, len);
                 Value reversed = rb.create<arith::SubIOp>(
                     loc, rb.create<arith::SubIOp>(loc, len, rb.create<arith::ConstantIndexOp>(loc, 1)),
                     t);
                 SmallVector<Value> src(iv);
                 src[timeAxis] = rb.create<arith::SelectOp>(loc, inside, reversed, t);
                 kb.store(rb, rb.create<memref::LoadOp>(loc, kb.buffer(op.getInput()), src), out,
                          iv);
               });
  return success();
}

void populateGatherLowerings(LoweringRegistry &registry) {
  registry[GatherOp::getOperationName()] = lowerGather;
  registry[GatherElementsOp::getOperationName()] = lowerGatherElements;
  registry[GatherNDOp::getOperationName()] = lowerGatherND;
  registry[ReverseSequenceOp::getOperationName()] = lowerReverseSequence;
}

} // namespace kiln::lowering
