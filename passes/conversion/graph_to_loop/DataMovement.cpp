// Lowering of transpose, slice, concat and gather to copy blocks.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

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

// out[pre, idx..., post] = data[pre, wrap(indices[idx...]), post]; the gathered index is
// clamped into range so a bad index can never read outside the buffer.
static LogicalResult lowerGather(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GatherOp>(operation);
  MLIRContext *ctx = op.getContext();
  auto dataShape = op.getData().getType().getShape();
  unsigned axis = op.getAxis(), indexRank = op.getIndices().getType().getRank();
  int64_t extent = dataShape[axis];
  Location loc = kb.loc;
  kb.emitBlock("gather", spatialAxes(op.getType().getShape()), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<AffineExpr> idxExprs;
    for (unsigned i = 0; i < indexRank; ++i)
      idxExprs.push_back(getAffineDimExpr(axis + i, ctx));
    Value raw = kb.load(rb, kb.buffer(op.getIndices()), idxExprs, iv);
    Value index = rb.create<arith::IndexCastOp>(loc, rb.getIndexType(), raw);
    Value size = rb.create<arith::ConstantIndexOp>(loc, extent);
    Value zero = rb.create<arith::ConstantIndexOp>(loc, 0);
    Value negative = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, index, zero);
    index = rb.create<arith::SelectOp>(loc, negative, rb.create<arith::AddIOp>(loc, index, size), index);
    index = rb.create<arith::MaxSIOp>(loc, index, zero);
    index = rb.create<arith::MinSIOp>(loc, index, rb.create<arith::ConstantIndexOp>(loc, extent - 1));
    SmallVector<Value> dataIdx;
    for (unsigned d = 0; d < axis; ++d)
      dataIdx.push_back(iv[d]);
    dataIdx.push_back(index);
    for (unsigned d = axis + 1; d < dataShape.size(); ++d)
      dataIdx.push_back(iv[d - 1 + indexRank]);
    Value v = rb.create<memref::LoadOp>(loc, kb.buffer(op.getData()), dataIdx);
    kb.store(rb, v, out, iv);
  });
  return success();
}

void populateDataMovementLowerings(LoweringRegistry &registry) {
  registry[TransposeOp::getOperationName()] = lowerTranspose;
  registry[SliceOp::getOperationName()] = lowerSlice;
  registry[ConcatOp::getOperationName()] = lowerConcat;
  registry[GatherOp::getOperationName()] = lowerGather;
}

} // namespace kiln::lowering
