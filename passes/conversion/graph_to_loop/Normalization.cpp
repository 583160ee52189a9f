// Lowering of batch/layer normalization into reduction and elementwise blocks.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

static SmallVector<AffineExpr> identity(MLIRContext *ctx, unsigned n) {
  SmallVector<AffineExpr> e;
  for (unsigned i = 0; i < n; ++i)
    e.push_back(getAffineDimExpr(i, ctx));
  return e;
}

// Index of a per-row statistic: the leading `keep` dims of the iter space, rest 0.
static SmallVector<AffineExpr> rowIndex(MLIRContext *ctx, unsigned rank, unsigned keep) {
  SmallVector<AffineExpr> e;
  for (unsigned i = 0; i < rank; ++i)
    e.push_back(i < keep ? getAffineDimExpr(i, ctx) : getAffineConstantExpr(0, ctx));
  return e;
}

static LogicalResult lowerBatchNorm(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<BatchNormOp>(operation);
  auto type = op.getType();
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  double eps = op.getEpsilon().convertToDouble();
  kb.emitBlock("batch_norm", spatialAxes(type.getShape()), [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    SmallVector<AffineExpr> c = {getAffineDimExpr(1, ctx)};
    auto param = [&](Value v) { return kb.load(rb, kb.buffer(v), c, iv); };
    Value x = kb.load(rb, kb.buffer(op.getInput()), identity(ctx, iv.size()), iv);
    Value var = rb.create<arith::AddFOp>(loc, param(op.getVariance()),
                                         kb.constantFloat(rb, x.getType(), eps), fm);
    Value inv = rb.create<arith::DivFOp>(loc, kb.constantFloat(rb, x.getType(), 1.0), rb.create<math::SqrtOp>(loc, var, fm), fm);
    Value centered = rb.create<arith::SubFOp>(loc, x, param(op.getMean()), fm);
    Value scaled = rb.create<arith::MulFOp>(loc, rb.create<arith::MulFOp>(loc, centered, inv, fm),
                                            param(op.getScale()), fm);
    kb.store(rb, rb.create<arith::AddFOp>(loc, scaled, param(op.getBias()), fm), out, iv);
  });
  return success();
}

// Mean and variance over dims [axis, rank) into [rows..., 1...] buffers, then normalize.
static LogicalResult lowerLayerNorm(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<LayerNormOp>(operation);
  auto type = op.getType();
  Type et = type.getElementType();
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  unsigned rank = type.getRank(), axis = op.getAxis();
  int64_t count = 1;
  SmallVector<int64_t> statShape(type.getShape());
  SmallVector<Axis> reduceAxes;
  for (unsigned d = 0; d < rank; ++d) {
    bool reduced = d >= axis;
    reduceAxes.push_back({"i" + std::to_string(d), type.getDimSize(d), reduced});
    if (reduced) {
      count *= type.getDimSize(d);
      statShape[d] = 1;
    }
  }
  auto statType = MemRefType::get(statShape, et);
  Value mean = kb.allocate(statType), var = kb.allocate(statType);
  Value input = kb.buffer(op.getInput());
  auto all = identity(ctx, rank), row = rowIndex(ctx, rank, axis);
  auto inv = [&](OpBuilder &rb) { return kb.constantFloat(rb, et, 1.0 / count); };
  auto zero = [&](Value buf) {
    return [&, buf](OpBuilder &rb, ValueRange iv) { kb.store(rb, kb.constantFloat(rb, et, 0), buf, row, iv); };
  };
  kb.emitBlock("ln_mean", reduceAxes, [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value x = rb.create<arith::MulFOp>(loc, kb.load(rb, input, all, iv), inv(rb), fm);
    kb.store(rb, rb.create<arith::AddFOp>(loc, kb.load(rb, mean, row, iv), x, fm), mean, row, iv);
  }, zero(mean));
  kb.emitBlock("ln_var", reduceAxes, [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value c = rb.create<arith::SubFOp>(loc, kb.load(rb, input, all, iv), kb.load(rb, mean, row, iv), fm);
    Value sq = rb.create<arith::MulFOp>(loc, rb.create<arith::MulFOp>(loc, c, c, fm), inv(rb), fm);
    kb.store(rb, rb.create<arith::AddFOp>(loc, kb.load(rb, var, row, iv), sq, fm), var, row, iv);
  }, zero(var));
  // 1 / sqrt(var + eps) once per row, so that normalizing is a multiply per element.
  double eps = op.getEpsilon().convertToDouble();
  Value rstd = kb.allocate(statType);
  kb.emitBlock("ln_rstd", spatialAxes(statShape), [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value v = rb.create<arith::AddFOp>(loc, kb.load(rb, var, row, iv),
                                       kb.constantFloat(rb, et, eps), fm);
    Value one = kb.constantFloat(rb, et, 1.0);
    kb.store(rb, rb.create<arith::DivFOp>(loc, one, rb.create<math::SqrtOp>(loc, v, fm), fm), rstd,
             row, iv);
  });
  kb.emitBlock("ln_norm", spatialAxes(type.getShape()), [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value c = rb.create<arith::SubFOp>(loc, kb.load(rb, input, all, iv), kb.load(rb, mean, row, iv), fm);
    Value r = rb.create<arith::MulFOp>(loc, c, kb.load(rb, rstd, row, iv), fm);
    r = rb.create<arith::MulFOp>(loc, r, kb.loadBroadcast(rb, op.getScale(), iv), fm);
    if (op.getBias())
      r = rb.create<arith::AddFOp>(loc, r, kb.loadBroadcast(rb, op.getBias(), iv), fm);
    kb.store(rb, r, out, iv);
  });
  return success();
}

void populateNormalizationLowerings(LoweringRegistry &registry) {
  registry[BatchNormOp::getOperationName()] = lowerBatchNorm;
  registry[LayerNormOp::getOperationName()] = lowerLayerNorm;
  populateSoftmaxLowerings(registry);
}

} // namespace kiln::lowering
