// Lowering of elementwise kg ops: one all-spatial block over the result shape.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

static Value cmpGreaterEqualZero(OpBuilder &rb, Location loc, Value x, Value zero) {
  return rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, x, zero);
}

// Conversion between kg element types following C semantics (ONNX Cast); `x` holds a value of
// kg type `from` in its storage type.
static Value emitCast(OpBuilder &rb, Location loc, Value x, Type from, Type to) {
  Type storage = storageType(to);
  if (from == to)
    return x;
  bool fromFloat = llvm::isa<FloatType>(from), toFloat = llvm::isa<FloatType>(to);
  if (fromFloat && toFloat)
    return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? rb.create<arith::ExtFOp>(loc, to, x).getResult()
               : rb.create<arith::TruncFOp>(loc, to, x).getResult();
  if (to.isInteger(1)) {
    if (fromFloat) {
      Value zero = rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(from, 0.0));
      return rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, zero);
    }
    Value zero = rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(storageType(from), 0));
    return rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zero);
  }
  // Bools and unsigned integers widen and convert as unsigned values.
  bool fromUnsigned = from.isInteger(1) || isUnsignedInt(from);
  if (fromFloat)
    return isUnsignedInt(to) ? rb.create<arith::FPToUIOp>(loc, storage, x).getResult()
                             : rb.create<arith::FPToSIOp>(loc, storage, x).getResult();
  if (toFloat)
    return fromUnsigned ? rb.create<arith::UIToFPOp>(loc, to, x).getResult()
                        : rb.create<arith::SIToFPOp>(loc, to, x).getResult();
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    return x;  // same bits, another signedness
  if (fromWidth < toWidth)
    return fromUnsigned ? rb.create<arith::ExtUIOp>(loc, storage, x).getResult()
                        : rb.create<arith::ExtSIOp>(loc, storage, x).getResult();
  return rb.create<arith::TruncIOp>(loc, storage, x);
}

// The scalar computation of one elementwise op on already-loaded operands.
static Value emitScalar(OpBuilder &rb, Location loc, Operation *op, ArrayRef<Value> x,
                        Type resultType) {
  Type storage = storageType(resultType);
  bool isUnsigned = isUnsignedInt(resultType);
  auto intConstant = [&](int64_t v) {
    return rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(storage, v)).getResult();
  };
  auto fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
  auto c = [&](double v) { return rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(resultType, v)).getResult(); };
  bool isFloat = llvm::isa<FloatType>(resultType);
  auto binary = [&](auto floatTag, auto intTag) -> Value {
    using F = decltype(floatTag);
    using I = decltype(intTag);
    if (isFloat)
      return rb.create<F>(loc, x[0], x[1], fm);
    return rb.create<I>(loc, x[0], x[1]);
  };
  if (isa<AddOp>(op)) return binary(arith::AddFOp(), arith::AddIOp());
  if (isa<SubOp>(op)) return binary(arith::SubFOp(), arith::SubIOp());
  if (isa<MulOp>(op)) return binary(arith::MulFOp(), arith::MulIOp());
  if (isa<DivOp>(op))
    return isUnsigned ? binary(arith::DivFOp(), arith::DivUIOp()) : binary(arith::DivFOp(), arith::DivSIOp());
  if (isa<PowOp>(op)) return rb.create<math::PowFOp>(loc, x[0], x[1], fm);
  if (isa<SqrtOp>(op)) return rb.create<math::SqrtOp>(loc, x[0], fm);
  if (isa<ErfOp>(op)) return rb.create<math::ErfOp>(loc, x[0], fm);
  if (isa<TanhOp>(op)) return rb.create<math::TanhOp>(loc, x[0], fm);
  if (isa<ExpOp>(op)) return rb.create<math::ExpOp>(loc, x[0], fm);
  if (isa<NegOp>(op)) return isFloat ? rb.create<arith::NegFOp>(loc, x[0], fm).getResult()
                                     : rb.create<arith::SubIOp>(loc, intConstant(0), x[0]).getResult();
  if (isa<SigmoidOp>(op)) {
    Value e = rb.create<math::ExpOp>(loc, rb.create<arith::NegFOp>(loc, x[0], fm), fm);
    return rb.create<arith::DivFOp>(loc, c(1.0), rb.create<arith::AddFOp>(loc, c(1.0), e, fm), fm);
  }
  if (isa<ReluOp>(op)) {
    if (!isFloat)
      return isUnsigned ? x[0] : rb.create<arith::MaxSIOp>(loc, x[0], intConstant(0)).getResult();
    return rb.create<arith::SelectOp>(loc, cmpGreaterEqualZero(rb, loc, x[0], c(0.0)), x[0], c(0.0));
  }
  if (auto leaky = dyn_cast<LeakyReluOp>(op)) {
    Value scaled = rb.create<arith::MulFOp>(loc, x[0], c(leaky.getAlpha().convertToDouble()), fm);
    return rb.create<arith::SelectOp>(loc, cmpGreaterEqualZero(rb, loc, x[0], c(0.0)), x[0], scaled);
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    Value lo = c(clip.getMin().convertToDouble()), hi = c(clip.getMax().convertToDouble());
    Value v = rb.create<arith::SelectOp>(loc, rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x[0], lo), lo, x[0]);
    return rb.create<arith::SelectOp>(loc, rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, v, hi), hi, v);
  }
  if (isa<HardSwishOp>(op)) {
    Value t = rb.create<arith::AddFOp>(loc, rb.create<arith::MulFOp>(loc, x[0], c(1.0 / 6.0), fm), c(0.5), fm);
    t = rb.create<arith::MaximumFOp>(loc, t, c(0.0));
    t = rb.create<arith::MinimumFOp>(loc, t, c(1.0));
    return rb.create<arith::MulFOp>(loc, x[0], t, fm);
  }
  if (auto cast = dyn_cast<CastOp>(op))
    return emitCast(rb, loc, x[0], cast.getInput().getType().getElementType(), resultType);
  if (isa<WhereOp>(op)) return rb.create<arith::SelectOp>(loc, x[0], x[1], x[2]);
  return {};
}

static LogicalResult lowerElementwise(KernelBuilder &kb, Operation *op, Value out) {
  auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
  Type elementType = type.getElementType();
  bool isFloat = llvm::isa<FloatType>(elementType);
  if (!isFloat && !llvm::isa<AddOp, SubOp, MulOp, DivOp, NegOp, ReluOp, CastOp, WhereOp>(op))
    return op->emitOpError("is only supported on floating-point tensors");
  std::string base = op->getName().stripDialect().str();
  Location loc = kb.loc;
  // The iteration space is the output buffer's: it may be a flattened view of the tensor.
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  kb.emitBlock(base, spatialAxes(outShape), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<Value> x;
    for (Value operand : op->getOperands())
      x.push_back(kb.loadBroadcast(rb, operand, iv));
    Value result = emitScalar(rb, loc, op, x, elementType);
    kb.store(rb, result, out, iv);
  });
  return success();
}

void populateElementwiseLowerings(LoweringRegistry &registry) {
  for (StringRef name :
       {AddOp::getOperationName(), SubOp::getOperationName(), MulOp::getOperationName(),
        DivOp::getOperationName(), PowOp::getOperationName(), SqrtOp::getOperationName(),
        ErfOp::getOperationName(), TanhOp::getOperationName(), SigmoidOp::getOperationName(),
        ReluOp::getOperationName(), ExpOp::getOperationName(), NegOp::getOperationName(),
        HardSwishOp::getOperationName(), LeakyReluOp::getOperationName(),
        ClipOp::getOperationName(), CastOp::getOperationName(), WhereOp::getOperationName()})
    registry[name] = lowerElementwise;
}

} // namespace kiln::lowering
