// Lowering of the ops along one axis: ArgMax/ArgMin and CumSum.
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// Iter space: the other dims in order, `axis` innermost as a reduction. `all` indexes the
// input, `row` the per-row result (axis kept as 0 or dropped).
struct AxisIterSpace {
  SmallVector<Axis> axes;
  SmallVector<AffineExpr> all, row;
};

static AxisIterSpace axisIterSpace(MLIRContext *ctx, ArrayRef<int64_t> shape, int64_t axis,
                                   bool keepdims) {
  AxisIterSpace s;
  unsigned rank = shape.size();
  for (unsigned d = 0, pos = 0; d < rank; ++d) {
    unsigned iterVar = d == axis ? rank - 1 : pos++;
    s.all.push_back(getAffineDimExpr(iterVar, ctx));
    if (d != axis)
      s.row.push_back(s.all.back());
    else if (keepdims)
      s.row.push_back(getAffineConstantExpr(0, ctx));
    if (d != axis)
      s.axes.push_back({"i" + std::to_string(d), shape[d]});
  }
  s.axes.push_back({"r" + std::to_string(axis), shape[axis], true});
  return s;
}

// A running best value and its index: the first element of each row seeds both, then a
// strictly better element (or, with `last`, an equal one too) replaces them.
void emitArgReduction(KernelBuilder &kb, StringRef name, Value input, int64_t axis,
                      bool keepdims, bool isMax, bool last, Value out) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  Type et = type.getElementType();
  MLIRContext *ctx = type.getContext();
  Location loc = kb.loc;
  AxisIterSpace s = axisIterSpace(ctx, type.getShape(), axis, keepdims);
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  Value best = kb.allocate(bufferType(outShape, et));
  Value in = kb.buffer(input);
  kb.emitBlock(
      name, s.axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, in, s.all, iv), b = kb.load(rb, best, s.row, iv);
        Value better;
        if (llvm::isa<FloatType>(et)) {
          auto pred = isMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                            : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT);
          better = rb.create<arith::CmpFOp>(loc, pred, x, b);
          // NaN ranks above everything, as in numpy: the first NaN wins (the last one with
          // select_last_index).
          Value xNan = rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
          Value nanWins = xNan;
          if (!last) {
            Value bNan = rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, b, b);
            Value bOrdered = rb.create<arith::XOrIOp>(
                loc, bNan, rb.create<arith::ConstantOp>(loc, rb.getBoolAttr(true)));
            nanWins = rb.create<arith::AndIOp>(loc, xNan, bOrdered);
          }
          better = rb.create<arith::OrIOp>(loc, better, nanWins);
        } else {
          bool u = isUnsignedInt(et);
          auto pred = isMax ? (last ? (u ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge)
                                    : (u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt))
                            : (last ? (u ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle)
                                    : (u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt));
          better = rb.create<arith::CmpIOp>(loc, pred, x, b);
        }
        Value index = rb.create<arith::IndexCastOp>(loc, rb.getI64Type(), iv.back());
        kb.store(rb, rb.create<arith::SelectOp>(loc, better, x, b), best, s.row, iv);
        Value prev = kb.load(rb, out, s.row, iv);
        kb.store(rb, rb.create<arith::SelectOp>(loc, better, index, prev), out, s.row, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.load(rb, in, s.all, iv), best, s.row, iv);
        kb.store(rb, rb.create<arith::ConstantOp>(loc, rb.getI64IntegerAttr(0)), out, s.row, iv);
      });
}

template <typename ArgOp>
static LogicalResult lowerArgReduce(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ArgOp>(operation);
  emitArgReduction(kb, op->getName().stripDialect(), op.getInput(), op.getAxis(),
                   op.getKeepdims(), std::is_same_v<ArgOp, ArgMaxOp>, op.getSelectLastIndex(),
                   out);
  return success();
}

// out[..i..] = sum of x[..j..] over the j before i (or after, reversed), i itself included
// unless exclusive: a reduction over the whole axis that masks the other elements, so every
// output element is independent of the others.
static LogicalResult lowerCumSum(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<CumSumOp>(operation);
  auto type = op.getType();
  Type et = type.getElementType();
  if (!llvm::isa<FloatType>(et) && !et.isIntOrIndex())
    return op.emitOpError("is not supported on ") << et << " tensors";
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  unsigned rank = type.getRank(), axis = op.getAxis();
  SmallVector<Axis> axes = spatialAxes(type.getShape());
  axes.push_back({"j", type.getDimSize(axis), true});
  SmallVector<AffineExpr> outIdx, inIdx;
  for (unsigned d = 0; d < rank; ++d) {
    outIdx.push_back(getAffineDimExpr(d, ctx));
    inIdx.push_back(d == axis ? getAffineDimExpr(rank, ctx) : outIdx.back());
  }
  auto pred = op.getReverse() ? (op.getExclusive() ? arith::CmpIPredicate::sgt
                                                   : arith::CmpIPredicate::sge)
                              : (op.getExclusive() ? arith::CmpIPredicate::slt
                                                   : arith::CmpIPredicate::sle);
  kb.emitBlock(
      "cumsum", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, kb.buffer(op.getInput()), inIdx, iv);
        Value taken = rb.create<arith::CmpIOp>(loc, pred, iv[rank], iv[axis]);
        x = rb.create<arith::SelectOp>(loc, taken, x, kb.constantFloat(rb, et, 0));
        Value acc = kb.load(rb, out, outIdx, iv);
        Value sum = llvm::isa<FloatType>(et) ? Value(rb.create<arith::AddFOp>(loc, acc, x))
                                             : rb.create<arith::AddIOp>(loc, acc, x);
        kb.store(rb, sum, out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, et, 0), out, outIdx, iv);
      });
  return success();
}

void populateAxisScanLowerings(LoweringRegistry &registry) {
  registry[ArgMaxOp::getOperationName()] = lowerArgReduce<ArgMaxOp>;
  registry[ArgMinOp::getOperationName()] = lowerArgReduce<ArgMinOp>;
  registry[CumSumOp::getOperationName()] = lowerCumSum;
}

} // namespace kiln::lowering
