// Lowering of Softmax, LogSoftmax and Hardmax along one axis.
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

namespace {
// The iter space of a row statistic along `axis`: the other dims, then the axis innermost
// (a reduction) so each row's statistic is a contiguous reduction. `all` indexes the input,
// `row` a statistic with the axis kept as size 1.
struct RowSpace {
  SmallVector<Axis> reduce, spatial;
  SmallVector<AffineExpr> all, row;
  MemRefType statType;
};

RowSpace rowSpace(RankedTensorType type, unsigned axis) {
  RowSpace s;
  MLIRContext *ctx = type.getContext();
  unsigned rank = type.getRank();
  for (unsigned d = 0; d < rank; ++d)
    if (d != axis)
      s.reduce.push_back({"i" + std::to_string(d), type.getDimSize(d)});
  s.reduce.push_back({"i" + std::to_string(axis), type.getDimSize(axis), true});
  s.spatial = s.reduce;
  s.spatial.back().reduce = false;
  s.all.resize(rank);
  s.row.resize(rank);
  for (unsigned d = 0, pos = 0; d < rank; ++d) {
    unsigned iterVar = d == axis ? rank - 1 : pos++;
    s.all[d] = getAffineDimExpr(iterVar, ctx);
    s.row[d] = d == axis ? getAffineConstantExpr(0, ctx) : s.all[d];
  }
  SmallVector<int64_t> statShape(type.getShape());
  statShape[axis] = 1;
  s.statType = bufferType(statShape, type.getElementType());
  return s;
}
} // namespace

// Softmax: max, exp(x - max), sum, divide. LogSoftmax: max, sum of exp(x - max), then
// x - max - log(sum).
template <bool isLog>
static LogicalResult lowerSoftmax(KernelBuilder &kb, Operation *operation, Value out) {
  auto type = llvm::cast<RankedTensorType>(operation->getResult(0).getType());
  unsigned axis = operation->getAttrOfType<IntegerAttr>("axis").getInt();
  Value input = kb.buffer(operation->getOperand(0));
  Type et = type.getElementType();
  MLIRContext *ctx = type.getContext();
  Location loc = kb.loc;
  RowSpace s = rowSpace(type, axis);
  auto &all = s.all, &row = s.row;
  std::string base = isLog ? "log_softmax" : "softmax";
  Value max = kb.allocate(s.statType), sum = kb.allocate(s.statType);
  double lowest = -std::numeric_limits<double>::infinity();
  kb.emitBlock(base + "_max", s.reduce, [&](OpBuilder &rb, ValueRange iv) {
    Value m = rb.create<arith::MaximumFOp>(loc, kb.load(rb, max, row, iv), kb.load(rb, input, all, iv));
    kb.store(rb, m, max, row, iv);
  }, [&](OpBuilder &rb, ValueRange iv) { kb.store(rb, kb.constantFloat(rb, et, lowest), max, row, iv); });
  auto shiftedExp = [&](OpBuilder &rb, ValueRange iv) -> Value {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value d = rb.create<arith::SubFOp>(loc, kb.load(rb, input, all, iv), kb.load(rb, max, row, iv), fm);
    return rb.create<math::ExpOp>(loc, d, fm);
  };
  Value exps;
  if (!isLog) {
    exps = kb.allocate(bufferType(type.getShape(), et));
    kb.emitBlock(base + "_exp", s.spatial, [&](OpBuilder &rb, ValueRange iv) {
      kb.store(rb, shiftedExp(rb, iv), exps, all, iv);
    });
  }
  kb.emitBlock(base + "_sum", s.reduce, [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value e = isLog ? shiftedExp(rb, iv) : kb.load(rb, exps, all, iv);
    kb.store(rb, rb.create<arith::AddFOp>(loc, kb.load(rb, sum, row, iv), e, fm), sum, row, iv);
  }, [&](OpBuilder &rb, ValueRange iv) { kb.store(rb, kb.constantFloat(rb, et, 0), sum, row, iv); });
  // Once per row: 1 / sum, or max + log(sum); then one multiply or subtract per element.
  SmallVector<Axis> rowAxes = s.spatial;
  rowAxes.back().extent = 1;
  Value perRow = kb.allocate(s.statType);
  kb.emitBlock(base + (isLog ? "_lse" : "_recip"), rowAxes, [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value total = kb.load(rb, sum, row, iv);
    Value r = isLog ? Value(rb.create<arith::AddFOp>(loc, kb.load(rb, max, row, iv),
                                                     rb.create<math::LogOp>(loc, total, fm), fm))
                    : Value(rb.create<arith::DivFOp>(loc, kb.constantFloat(rb, et, 1.0), total,
                                                     fm));
    kb.store(rb, r, perRow, row, iv);
  });
  kb.emitBlock(base + (isLog ? "_out" : "_div"), s.spatial, [&](OpBuilder &rb, ValueRange iv) {
    auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
    Value scale = kb.load(rb, perRow, row, iv);
    Value r = isLog ? Value(rb.create<arith::SubFOp>(loc, kb.load(rb, input, all, iv), scale, fm))
                    : Value(rb.create<arith::MulFOp>(loc, kb.load(rb, exps, all, iv), scale, fm));
    kb.store(rb, r, out, all, iv);
  });
  return success();
}

// The index of each row's first maximum, then 1 there and 0 elsewhere.
static LogicalResult lowerHardmax(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<HardmaxOp>(operation);
  auto type = op.getType();
  unsigned axis = op.getAxis();
  RowSpace s = rowSpace(type, axis);
  Value index = kb.allocate(MemRefType::get(s.statType.getShape(), kb.b.getI64Type()));
  emitArgReduction(kb, "hardmax_argmax", op.getInput(), axis, /*keepdims=*/true, /*isMax=*/true,
                   /*last=*/false, index);
  Location loc = kb.loc;
  Type et = type.getElementType();
  kb.emitBlock("hardmax", s.spatial, [&](OpBuilder &rb, ValueRange iv) {
    Value here = rb.create<arith::IndexCastOp>(loc, rb.getI64Type(), iv.back());
    Value hit = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, here,
                                         kb.load(rb, index, s.row, iv));
    Value r = rb.create<arith::SelectOp>(loc, hit, kb.constantFloat(rb, et, 1),
                                         kb.constantFloat(rb, et, 0));
    kb.store(rb, r, out, s.all, iv);
  });
  return success();
}

void populateSoftmaxLowerings(LoweringRegistry &registry) {
  registry[SoftmaxOp::getOperationName()] = lowerSoftmax<false>;
  registry[LogSoftmaxOp::getOperationName()] = lowerSoftmax<true>;
  registry[HardmaxOp::getOperationName()] = lowerHardmax;
}

} // namespace kiln::lowering
