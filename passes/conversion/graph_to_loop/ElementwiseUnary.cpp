// Scalar code of unary elementwise kg ops: math functions and activations.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/ElementwiseScalar.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// The math function of a float-only unary op; null for other ops.
static Value emitMathFunction(OpBuilder &rb, Location loc, Operation *op, Value x) {
  auto fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
  if (isa<SqrtOp>(op)) return rb.create<math::SqrtOp>(loc, x, fm);
  if (isa<ErfOp>(op)) return rb.create<math::ErfOp>(loc, x, fm);
  if (isa<TanhOp>(op)) return rb.create<math::TanhOp>(loc, x, fm);
  if (isa<ExpOp>(op)) return rb.create<math::ExpOp>(loc, x, fm);
  if (isa<LogOp>(op)) return rb.create<math::LogOp>(loc, x, fm);
  if (isa<CeilOp>(op)) return rb.create<math::CeilOp>(loc, x, fm);
  if (isa<FloorOp>(op)) return rb.create<math::FloorOp>(loc, x, fm);
  if (isa<RoundOp>(op)) return rb.create<math::RoundEvenOp>(loc, x, fm);
  if (isa<SinOp>(op)) return rb.create<math::SinOp>(loc, x, fm);
  if (isa<CosOp>(op)) return rb.create<math::CosOp>(loc, x, fm);
  if (isa<TanOp>(op)) return rb.create<math::TanOp>(loc, x, fm);
  if (isa<AsinOp, AcosOp, AtanOp>(op)) {
    // MLIR's float32 polynomials for these are off by up to 4e-2 near |x| = 1 (asin) or do not
    // lower (atan's copysign): compute them in float64, which goes to libm.
    Type f64 = rb.getF64Type(), type = x.getType();
    Value wide = type == f64 ? x : rb.create<arith::ExtFOp>(loc, f64, x).getResult();
    Value v = isa<AsinOp>(op)   ? rb.create<math::AsinOp>(loc, wide, fm).getResult()
              : isa<AcosOp>(op) ? rb.create<math::AcosOp>(loc, wide, fm).getResult()
                                : rb.create<math::AtanOp>(loc, wide, fm).getResult();
    return type == f64 ? v : rb.create<arith::TruncFOp>(loc, type, v).getResult();
  }
  if (isa<SinhOp>(op)) return rb.create<math::SinhOp>(loc, x, fm);
  if (isa<CoshOp>(op)) return rb.create<math::CoshOp>(loc, x, fm);
  if (isa<AsinhOp>(op)) return rb.create<math::AsinhOp>(loc, x, fm);
  if (isa<AcoshOp>(op)) return rb.create<math::AcoshOp>(loc, x, fm);
  if (isa<AtanhOp>(op)) return rb.create<math::AtanhOp>(loc, x, fm);
  return {};
}

Value emitUnaryScalar(OpBuilder &rb, Location loc, Operation *op, Value x, Type type) {
  if (Value v = emitMathFunction(rb, loc, op, x))
    return v;
  auto fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
  bool isFloat = llvm::isa<FloatType>(type), isUnsigned = isUnsignedInt(type);
  auto c = [&](double v) { return scalarConstant(rb, loc, type, v); };
  auto select = [&](Value cond, Value a, Value b) {
    return rb.create<arith::SelectOp>(loc, cond, a, b).getResult();
  };
  auto cmp = [&](arith::CmpFPredicate f, arith::CmpIPredicate i, Value a, Value b) -> Value {
    if (isFloat)
      return rb.create<arith::CmpFOp>(loc, f, a, b);
    return rb.create<arith::CmpIOp>(loc, i, a, b);
  };
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  if (isa<NegOp>(op))
    return isFloat ? rb.create<arith::NegFOp>(loc, x, fm).getResult()
                   : rb.create<arith::SubIOp>(loc, c(0), x).getResult();
  if (isa<AbsOp>(op)) {
    if (isUnsigned)
      return x;
    return isFloat ? rb.create<math::AbsFOp>(loc, x, fm).getResult()
                   : rb.create<math::AbsIOp>(loc, x).getResult();
  }
  if (isa<SignOp>(op)) {
    // Zero (and NaN, for floats) map to themselves.
    Value positive = select(cmp(FP::OGT, IP::ugt, x, c(0)), c(1), x);
    if (isUnsigned)
      return positive;
    return select(cmp(FP::OLT, IP::slt, x, c(0)), c(-1), positive);
  }
  if (isa<NotOp>(op))
    return rb.create<arith::XOrIOp>(loc, x, rb.create<arith::ConstantIntOp>(loc, 1, 1));
  if (isa<SigmoidOp>(op)) {
    Value e = rb.create<math::ExpOp>(loc, rb.create<arith::NegFOp>(loc, x, fm), fm);
    return rb.create<arith::DivFOp>(loc, c(1.0), rb.create<arith::AddFOp>(loc, c(1.0), e, fm), fm);
  }
  if (isa<ReluOp>(op)) {
    if (isUnsigned)
      return x;
    return select(cmp(FP::OGE, IP::sge, x, c(0)), x, c(0));
  }
  if (auto leaky = dyn_cast<LeakyReluOp>(op)) {
    Value scaled = rb.create<arith::MulFOp>(loc, x, c(leaky.getAlpha().convertToDouble()), fm);
    return select(cmp(FP::OGE, IP::sge, x, c(0)), x, scaled);
  }
  if (auto clip = dyn_cast<ClipOp>(op)) {
    Value lo = c(clip.getMin().convertToDouble()), hi = c(clip.getMax().convertToDouble());
    Value v = select(cmp(FP::OLT, IP::slt, x, lo), lo, x);
    return select(cmp(FP::OGT, IP::sgt, v, hi), hi, v);
  }
  if (isa<HardSwishOp>(op)) {
    Value t = rb.create<arith::AddFOp>(loc, rb.create<arith::MulFOp>(loc, x, c(1.0 / 6.0), fm), c(0.5), fm);
    t = rb.create<arith::MaximumFOp>(loc, t, c(0.0));
    t = rb.create<arith::MinimumFOp>(loc, t, c(1.0));
    return rb.create<arith::MulFOp>(loc, x, t, fm);
  }
  return {};
}

} // namespace kiln::lowering
