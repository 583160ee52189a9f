// Lowering of the reductions over a set of axes (ReduceSum ... ReduceLogSumExp).
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

Value emitExtreme(KernelBuilder &kb, OpBuilder &rb, Type et, bool highest) {
  if (llvm::isa<FloatType>(et))
    return kb.constantFloat(rb, et, highest ? INFINITY : -INFINITY);
  unsigned width = et.getIntOrFloatBitWidth();
  APInt v = isUnsignedInt(et) ? (highest ? APInt::getMaxValue(width) : APInt::getZero(width))
                              : (highest ? APInt::getSignedMaxValue(width)
                                         : APInt::getSignedMinValue(width));
  return rb.create<arith::ConstantOp>(kb.loc, rb.getIntegerAttr(storageType(et), v));
}

Value emitMax(KernelBuilder &kb, OpBuilder &rb, Type et, Value a, Value b) {
  if (llvm::isa<FloatType>(et))
    return rb.create<arith::MaximumFOp>(kb.loc, a, b);
  if (isUnsignedInt(et))
    return rb.create<arith::MaxUIOp>(kb.loc, a, b);
  return rb.create<arith::MaxSIOp>(kb.loc, a, b);
}

Value emitMin(KernelBuilder &kb, OpBuilder &rb, Type et, Value a, Value b) {
  if (llvm::isa<FloatType>(et))
    return rb.create<arith::MinimumFOp>(kb.loc, a, b);
  if (isUnsignedInt(et))
    return rb.create<arith::MinUIOp>(kb.loc, a, b);
  return rb.create<arith::MinSIOp>(kb.loc, a, b);
}

void emitPointwise(KernelBuilder &kb, StringRef name, ArrayRef<int64_t> shape,
                   const std::function<void(OpBuilder &, ValueRange)> &body) {
  if (!shape.empty()) {
    kb.emitBlock(name, spatialAxes(shape), body);
    return;
  }
  kb.emitBlock(name, {{"i", 1}}, [&](OpBuilder &rb, ValueRange iv) { body(rb, iv.drop_front()); });
}

LogicalResult emitReductionOfKind(KernelBuilder &kb, StringRef name, Value input,
                                  ArrayRef<int64_t> axes, bool keepdims, ReduceKind kind,
                                  Value out) {
  auto inType = llvm::cast<RankedTensorType>(input.getType());
  Type et = inType.getElementType();
  bool isFloat = llvm::isa<FloatType>(et);
  bool needsFloat = kind == ReduceKind::L2 || kind == ReduceKind::LogSum ||
                    kind == ReduceKind::LogSumExp;
  if (!isFloat && (needsFloat || !et.isIntOrIndex()))
    return emitError(kb.loc) << name << " is not supported on " << et << " tensors";
  MLIRContext *ctx = inType.getContext();
  Location loc = kb.loc;
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
  auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
  auto add = [&](OpBuilder &rb, Value a, Value b) -> Value {
    if (isFloat)
      return rb.create<arith::AddFOp>(loc, a, b, fm);
    return rb.create<arith::AddIOp>(loc, a, b);
  };
  auto mul = [&](OpBuilder &rb, Value a, Value b) -> Value {
    if (isFloat)
      return rb.create<arith::MulFOp>(loc, a, b, fm);
    return rb.create<arith::MulIOp>(loc, a, b);
  };
  // |x|; math.absi has no lowering to LLVM here, so integers select between x and -x.
  auto emitAbs = [&](OpBuilder &rb, Value x) -> Value {
    if (isFloat)
      return rb.create<math::AbsFOp>(loc, x);
    if (isUnsignedInt(et))
      return x;
    Value zero = kb.constantFloat(rb, et, 0);
    Value negative = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, zero);
    return rb.create<arith::SelectOp>(loc, negative, rb.create<arith::SubIOp>(loc, zero, x), x);
  };
  // LogSumExp: the max of each output element first, kept in a buffer shaped like `out`.
  Value max;
  if (kind == ReduceKind::LogSumExp) {
    max = kb.allocate(llvm::cast<MemRefType>(out.getType()));
    if (failed(emitReductionOfKind(kb, (name + "_max").str(), input, axes, keepdims,
                                   ReduceKind::Max, max)))
      return failure();
  }
  kb.emitBlock(
      name, iterAxes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, kb.buffer(input), inIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        Value r;
        switch (kind) {
        case ReduceKind::Max:
          r = emitMax(kb, rb, et, acc, x);
          break;
        case ReduceKind::Min:
          r = emitMin(kb, rb, et, acc, x);
          break;
        case ReduceKind::Prod:
          r = mul(rb, acc, x);
          break;
        case ReduceKind::L1:
          x = emitAbs(rb, x);
          r = add(rb, acc, x);
          break;
        case ReduceKind::L2:
        case ReduceKind::SumSquare:
          r = add(rb, acc, mul(rb, x, x));
          break;
        case ReduceKind::LogSumExp: {
          Value shifted = rb.create<arith::SubFOp>(loc, x, kb.load(rb, max, outIdx, iv), fm);
          r = add(rb, acc, rb.create<math::ExpOp>(loc, shifted, fm));
          break;
        }
        case ReduceKind::Mean:
          if (isFloat)
            x = mul(rb, x, kb.constantFloat(rb, et, 1.0 / count));
          r = add(rb, acc, x);
          break;
        case ReduceKind::Sum:
        case ReduceKind::LogSum:
          r = add(rb, acc, x);
          break;
        }
        kb.store(rb, r, out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = kind == ReduceKind::Max   ? emitExtreme(kb, rb, et, false)
                     : kind == ReduceKind::Min ? emitExtreme(kb, rb, et, true)
                                               : kb.constantFloat(rb, et, kind == ReduceKind::Prod);
        kb.store(rb, init, out, outIdx, iv);
      });
  bool intMean = kind == ReduceKind::Mean && !isFloat;
  if (kind != ReduceKind::L2 && kind != ReduceKind::LogSum && kind != ReduceKind::LogSumExp &&
      !intMean)
    return success();
  // Finish each output element in place.
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  emitPointwise(kb, (name + "_finish").str(), outShape, [&](OpBuilder &rb, ValueRange idx) {
    Value v = rb.create<affine::AffineLoadOp>(loc, out, idx);
    if (kind == ReduceKind::L2)
      v = rb.create<math::SqrtOp>(loc, v, fm);
    else if (kind == ReduceKind::LogSum)
      v = rb.create<math::LogOp>(loc, v, fm);
    else if (kind == ReduceKind::LogSumExp)
      v = rb.create<arith::AddFOp>(loc, rb.create<math::LogOp>(loc, v, fm),
                                   rb.create<affine::AffineLoadOp>(loc, max, idx), fm);
    else if (isUnsignedInt(et))
      v = rb.create<arith::DivUIOp>(loc, v, kb.constantFloat(rb, et, double(count)));
    else
      v = rb.create<arith::DivSIOp>(loc, v, kb.constantFloat(rb, et, double(count)));
    kb.store(rb, v, out, idx);
  });
  return success();
}

LogicalResult emitReduction(KernelBuilder &kb, StringRef name, Value input,
                            ArrayRef<int64_t> axes, bool keepdims, bool mean, Value out) {
  return emitReductionOfKind(kb, name, input, axes, keepdims,
                             mean ? ReduceKind::Mean : ReduceKind::Sum, out);
}

template <typename ReduceOp, ReduceKind kind>
static LogicalResult lowerReduce(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ReduceOp>(operation);
  return emitReductionOfKind(kb, op->getName().stripDialect(), op.getInput(), op.getAxes(),
                             op.getKeepdims(), kind, out);
}

void populateReduceLowerings(LoweringRegistry &registry) {
  populateAxisScanLowerings(registry);
  populateLossLowerings(registry);
  registry[ReduceSumOp::getOperationName()] = lowerReduce<ReduceSumOp, ReduceKind::Sum>;
  registry[ReduceMeanOp::getOperationName()] = lowerReduce<ReduceMeanOp, ReduceKind::Mean>;
  registry[ReduceMaxOp::getOperationName()] = lowerReduce<ReduceMaxOp, ReduceKind::Max>;
  registry[ReduceMinOp::getOperationName()] = lowerReduce<ReduceMinOp, ReduceKind::Min>;
  registry[ReduceProdOp::getOperationName()] = lowerReduce<ReduceProdOp, ReduceKind::Prod>;
  registry[ReduceL1Op::getOperationName()] = lowerReduce<ReduceL1Op, ReduceKind::L1>;
  registry[ReduceL2Op::getOperationName()] = lowerReduce<ReduceL2Op, ReduceKind::L2>;
  registry[ReduceLogSumOp::getOperationName()] = lowerReduce<ReduceLogSumOp, ReduceKind::LogSum>;
  registry[ReduceLogSumExpOp::getOperationName()] =
      lowerReduce<ReduceLogSumExpOp, ReduceKind::LogSumExp>;
  registry[ReduceSumSquareOp::getOperationName()] =
      lowerReduce<ReduceSumSquareOp, ReduceKind::SumSquare>;
}

} // namespace kiln::lowering
