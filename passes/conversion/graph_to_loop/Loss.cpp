// Lowering of NegativeLogLikelihoodLoss: a gather of each target's score, weighted, then
// the requested reduction.
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// Per target element [n, d...]: loss = -input[n, t, d...] * weight[t] and its weight, both 0
// where t == ignore_index. t is clamped into [0, C) so that a bad target cannot read outside
// the buffers.
struct WeightedLoss {
  Value loss, weight;
};

static WeightedLoss emitElementLoss(KernelBuilder &kb, OpBuilder &rb, NLLLossOp op,
                                    ValueRange targetIdx) {
  Location loc = kb.loc;
  auto inType = op.getInput().getType();
  Type et = inType.getElementType();
  Value t = rb.create<affine::AffineLoadOp>(loc, kb.buffer(op.getTarget()), targetIdx);
  Type targetType = op.getTarget().getType().getElementType();
  if (t.getType().getIntOrFloatBitWidth() < 64)
    t = isUnsignedInt(targetType) ? Value(rb.create<arith::ExtUIOp>(loc, rb.getI64Type(), t))
                                  : rb.create<arith::ExtSIOp>(loc, rb.getI64Type(), t);
  Value ignore = rb.create<arith::ConstantOp>(loc, rb.getI64IntegerAttr(op.getIgnoreIndex()));
  Value ignored = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, t, ignore);
  Value index = rb.create<arith::IndexCastOp>(loc, rb.getIndexType(), t);
  index = rb.create<arith::MaxSIOp>(loc, index, rb.create<arith::ConstantIndexOp>(loc, 0));
  index = rb.create<arith::MinSIOp>(
      loc, index, rb.create<arith::ConstantIndexOp>(loc, inType.getDimSize(1) - 1));
  SmallVector<Value> inIdx = {targetIdx.front(), index};
  llvm::append_range(inIdx, targetIdx.drop_front());
  Value score = rb.create<memref::LoadOp>(loc, kb.buffer(op.getInput()), inIdx);
  Value zero = kb.constantFloat(rb, et, 0);
  Value w = op.getWeight() ? Value(rb.create<memref::LoadOp>(loc, kb.buffer(op.getWeight()),
                                                              ValueRange{index}))
                           : kb.constantFloat(rb, et, 1);
  w = rb.create<arith::SelectOp>(loc, ignored, zero, w);
  Value loss = rb.create<arith::NegFOp>(loc, rb.create<arith::MulFOp>(loc, score, w));
  return {loss, w};
}

static LogicalResult lowerNLLLoss(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<NLLLossOp>(operation);
  auto targetShape = op.getTarget().getType().getShape();
  Type et = op.getType().getElementType();
  Location loc = kb.loc;
  StringRef reduction = op.getReduction();
  if (reduction == "none") {
    emitPointwise(kb, "nll_loss", targetShape, [&](OpBuilder &rb, ValueRange idx) {
      kb.store(rb, emitElementLoss(kb, rb, op, idx).loss, out, idx);
    });
    return success();
  }
  // Sum (and for the mean, the weight total) over every target element into 1-element
  // buffers, then the scalar result.
  bool mean = reduction == "mean";
  SmallVector<Axis> axes;
  for (auto [d, extent] : llvm::enumerate(targetShape))
    axes.push_back({"r" + std::to_string(d), extent, true});
  auto scalarType = bufferType({1}, et);
  Value sum = kb.allocate(scalarType), total = mean ? kb.allocate(scalarType) : Value();
  auto first = [&](OpBuilder &rb) { return SmallVector<Value>{rb.create<arith::ConstantIndexOp>(loc, 0)}; };
  kb.emitBlock(
      "nll_loss_sum", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        WeightedLoss l = emitElementLoss(kb, rb, op, iv);
        auto accumulate = [&](Value buf, Value v) {
          Value acc = rb.create<affine::AffineLoadOp>(loc, buf, first(rb));
          kb.store(rb, rb.create<arith::AddFOp>(loc, acc, v), buf, first(rb));
        };
        accumulate(sum, l.loss);
        if (mean)
          accumulate(total, l.weight);
      },
      [&](OpBuilder &rb, ValueRange) {
        kb.store(rb, kb.constantFloat(rb, et, 0), sum, first(rb));
        if (mean)
          kb.store(rb, kb.constantFloat(rb, et, 0), total, first(rb));
      });
  emitPointwise(kb, "nll_loss", {}, [&](OpBuilder &rb, ValueRange idx) {
    Value r = rb.create<affine::AffineLoadOp>(loc, sum, first(rb));
    if (mean)
      r = rb.create<arith::DivFOp>(loc, r, rb.create<affine::AffineLoadOp>(loc, total, first(rb)));
    kb.store(rb, r, out, idx);
  });
  return success();
}

void populateLossLowerings(LoweringRegistry &registry) {
  registry[NLLLossOp::getOperationName()] = lowerNLLLoss;
}

} // namespace kiln::lowering
