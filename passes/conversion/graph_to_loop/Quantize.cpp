// Lowering of quantize_linear: one elementwise block, scale and zero point per tensor or
// per channel along the op's axis.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// A scalar or per-axis parameter at the element `iv`. A single-element parameter reads all
// zeros whatever its buffer's rank (a flattened task gives it rank 3).
static Value loadParam(KernelBuilder &kb, OpBuilder &rb, Value param, int64_t axis,
                       ValueRange iv) {
  auto type = llvm::cast<MemRefType>(kb.buffer(param).getType());
  SmallVector<AffineExpr> idx(type.getRank(), rb.getAffineConstantExpr(0));
  if (type.getNumElements() > 1)
    idx[0] = rb.getAffineDimExpr(axis);
  return kb.load(rb, kb.buffer(param), idx, iv);
}

// Converts a loaded integer or float to the float type `to`.
static Value toFloat(OpBuilder &rb, Location loc, Value v, Type kgType, FloatType to) {
  if (v.getType() == to)
    return v;
  if (auto from = llvm::dyn_cast<FloatType>(v.getType()))
    return from.getWidth() < to.getWidth() ? rb.create<arith::ExtFOp>(loc, to, v).getResult()
                                           : rb.create<arith::TruncFOp>(loc, to, v).getResult();
  if (isUnsignedInt(kgType))
    return rb.create<arith::UIToFPOp>(loc, to, v);
  return rb.create<arith::SIToFPOp>(loc, to, v);
}

static LogicalResult lowerQuantizeLinear(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<QuantizeLinearOp>(operation);
  Type inElement = op.getInput().getType().getElementType();
  Type resultElement = op.getType().getElementType();
  bool isUnsigned = isUnsignedInt(resultElement);
  // f32 arithmetic is exact enough for 8-bit results; f64 inputs keep their precision.
  FloatType compute = inElement.isF64() ? FloatType(Float64Type::get(op.getContext()))
                                        : FloatType(Float32Type::get(op.getContext()));
  double qmin = isUnsigned ? 0 : -128, qmax = isUnsigned ? 255 : 127;
  int64_t axis = op.getAxis();
  Location loc = kb.loc;
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  // A flattened task (N x C x pixels, see LowerGraphToLoop) reshapes per-axis parameters as
  // if they broadcast numpy-style: their buffers are then no longer 1-D.
  for (Value param : {op.getScale(), op.getZeroPoint()}) {
    auto type = param ? llvm::cast<MemRefType>(kb.buffer(param).getType()) : MemRefType();
    if (type && type.getNumElements() > 1 && type.getRank() != 1)
      return op.emitOpError("per-axis parameters cannot be lowered on a flattened buffer");
  }
  kb.emitBlock("quantize_linear", spatialAxes(outShape), [&](OpBuilder &rb, ValueRange iv) {
    auto c = [&](double v) {
      return rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(compute, v)).getResult();
    };
    Value x = toFloat(rb, loc, kb.loadBroadcast(rb, op.getInput(), iv), inElement, compute);
    Type scaleElement = op.getScale().getType().getElementType();
    Value scale = toFloat(rb, loc, loadParam(kb, rb, op.getScale(), axis, iv), scaleElement,
                          compute);
    Value v = rb.create<arith::DivFOp>(loc, x, scale);
    // Clamped well past the 8-bit range first, so the rounding below is exact; NaN maps to
    // the low end (maxnumf returns the non-NaN operand).
    v = rb.create<arith::MinNumFOp>(loc, rb.create<arith::MaxNumFOp>(loc, v, c(-1024)), c(1024));
    // Round half to even: adding and subtracting 1.5 * 2^mantissa leaves the nearest integer
    // under the default rounding mode (|v| < 2^(mantissa-1)). math.roundeven would become a
    // scalar libm call on this pipeline; these two ops vectorize. No fast-math flags, which
    // would let the pair fold away.
    double magic = 1.5 * std::ldexp(1.0, compute.getFPMantissaWidth() - 1);
    v = rb.create<arith::SubFOp>(loc, rb.create<arith::AddFOp>(loc, v, c(magic)), c(magic));
    if (Value zeroPoint = op.getZeroPoint())
      v = rb.create<arith::AddFOp>(
          loc, v, toFloat(rb, loc, loadParam(kb, rb, zeroPoint, axis, iv), resultElement, compute));
    v = rb.create<arith::MinNumFOp>(loc, rb.create<arith::MaxNumFOp>(loc, v, c(qmin)), c(qmax));
    Type storage = storageType(resultElement);
    Value q = isUnsigned ? rb.create<arith::FPToUIOp>(loc, storage, v).getResult()
                         : rb.create<arith::FPToSIOp>(loc, storage, v).getResult();
    kb.store(rb, q, out, iv);
  });
  return success();
}

void populateQuantizeLowerings(LoweringRegistry &registry) {
  registry[QuantizeLinearOp::getOperationName()] = lowerQuantizeLinear;
}

} // namespace kiln::lowering
