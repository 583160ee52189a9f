// Scalar code of binary elementwise kg ops, signed, unsigned or float by the kg operand type.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/ElementwiseScalar.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

namespace {

struct Emitter {
  OpBuilder &rb;
  Location loc;
  Type type; // kg element type of the operands
  bool isFloat = llvm::isa<FloatType>(type);
  bool isUnsigned = isUnsignedInt(type);
  arith::FastMathFlagsAttr fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);

  Value constant(double v) { return scalarConstant(rb, loc, type, v); }
  Value cmpi(arith::CmpIPredicate p, Value a, Value b) { return rb.create<arith::CmpIOp>(loc, p, a, b); }
  Value cmpf(arith::CmpFPredicate p, Value a, Value b) { return rb.create<arith::CmpFOp>(loc, p, a, b); }
  Value select(Value c, Value a, Value b) { return rb.create<arith::SelectOp>(loc, c, a, b); }
  Value isNegative(Value a) {
    return isFloat ? cmpf(arith::CmpFPredicate::OLT, a, constant(0))
                   : cmpi(arith::CmpIPredicate::slt, a, constant(0));
  }

  // Integer division without the traps: x / 0 and x % 0 give 0, as the folders do, and
  // INT_MIN / -1 wraps (INT_MIN, remainder 0) instead of raising SIGFPE.
  Value intDivide(Value a, Value b, bool remainder) {
    Value byZero = cmpi(arith::CmpIPredicate::eq, b, constant(0));
    Value byMinusOne = isUnsigned ? Value() : cmpi(arith::CmpIPredicate::eq, b, constant(-1));
    Value unsafe = byMinusOne ? rb.create<arith::OrIOp>(loc, byZero, byMinusOne).getResult() : byZero;
    Value divisor = select(unsafe, constant(1), b);
    Value result =
        remainder ? (isUnsigned ? rb.create<arith::RemUIOp>(loc, a, divisor).getResult()
                                : rb.create<arith::RemSIOp>(loc, a, divisor).getResult())
                  : (isUnsigned ? rb.create<arith::DivUIOp>(loc, a, divisor).getResult()
                                : rb.create<arith::DivSIOp>(loc, a, divisor).getResult());
    if (byMinusOne && !remainder)
      result = select(byMinusOne, rb.create<arith::SubIOp>(loc, constant(0), a), result);
    return select(byZero, constant(0), result);
  }

  // Python's %: the remainder takes the divisor's sign.
  Value pythonMod(Value a, Value b) {
    if (isUnsigned)
      return intDivide(a, b, /*remainder=*/true);
    Value r = isFloat ? rb.create<arith::RemFOp>(loc, a, b).getResult()
                      : intDivide(a, b, /*remainder=*/true);
    Value nonZero = isFloat ? cmpf(arith::CmpFPredicate::UNE, r, constant(0))
                            : cmpi(arith::CmpIPredicate::ne, r, constant(0));
    Value signsDiffer = rb.create<arith::XOrIOp>(loc, isNegative(r), isNegative(b));
    Value fix = rb.create<arith::AndIOp>(loc, nonZero, signsDiffer);
    Value sum = isFloat ? rb.create<arith::AddFOp>(loc, r, b).getResult()
                        : rb.create<arith::AddIOp>(loc, r, b).getResult();
    return select(fix, sum, r);
  }

  // Shifts by the bit width or more give 0 (as numpy), not LLVM's poison.
  template <typename ShiftOp> Value shift(Value a, Value b) {
    Value width = constant(type.getIntOrFloatBitWidth());
    Value tooFar = cmpi(arith::CmpIPredicate::uge, b, width);
    return select(tooFar, constant(0), rb.create<ShiftOp>(loc, a, b));
  }

  Value compare(arith::CmpFPredicate f, arith::CmpIPredicate s, arith::CmpIPredicate u, Value a,
                Value b) {
    return isFloat ? cmpf(f, a, b) : cmpi(isUnsigned ? u : s, a, b);
  }

  // Integer power by square-and-multiply over every bit of the exponent (numpy's wrapping
  // semantics); a negative exponent gives trunc(1 / base^|e|): 0 unless |base| is 1, whose
  // powers the bit loop already gets right.
  Value integerPow(Value base, Value exponent) {
    unsigned width = type.getIntOrFloatBitWidth();
    Value result = constant(1), square = base, e = exponent, one = constant(1);
    for (unsigned bit = 0; bit < width; ++bit) {
      Value odd = cmpi(arith::CmpIPredicate::ne, rb.create<arith::AndIOp>(loc, e, one), constant(0));
      result = select(odd, rb.create<arith::MulIOp>(loc, result, square), result);
      square = rb.create<arith::MulIOp>(loc, square, square);
      e = rb.create<arith::ShRUIOp>(loc, e, one);
    }
    if (isUnsigned)
      return result;
    Value unit = rb.create<arith::OrIOp>(loc, cmpi(arith::CmpIPredicate::eq, base, one),
                                         cmpi(arith::CmpIPredicate::eq, base, constant(-1)));
    Value notUnit = rb.create<arith::XOrIOp>(loc, unit, rb.create<arith::ConstantIntOp>(loc, 1, 1));
    Value toZero = rb.create<arith::AndIOp>(loc, isNegative(exponent), notUnit);
    return select(toZero, constant(0), result);
  }

  Value pow(Value base, Value exponent, Type exponentType) {
    if (isFloat) {
      exponent = emitCast(rb, loc, exponent, exponentType, type);
      return rb.create<math::PowFOp>(loc, base, exponent, fm);
    }
    if (!llvm::isa<FloatType>(exponentType))
      return integerPow(base, emitCast(rb, loc, exponent, exponentType, type));
    // An integer base with a float exponent: numpy computes in float64, then ONNX casts back.
    Type f64 = rb.getF64Type();
    Value result = rb.create<math::PowFOp>(loc, emitCast(rb, loc, base, type, f64),
                                           emitCast(rb, loc, exponent, exponentType, f64), fm);
    return emitCast(rb, loc, result, f64, type);
  }
};

} // namespace

Value emitBinaryScalar(OpBuilder &rb, Location loc, Operation *op, Value a, Value b,
                       Type operandType, Type exponentType) {
  Emitter e{rb, loc, operandType};
  bool f = e.isFloat, u = e.isUnsigned;
  auto fm = e.fm;
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  if (isa<AddOp>(op))
    return f ? rb.create<arith::AddFOp>(loc, a, b, fm).getResult() : rb.create<arith::AddIOp>(loc, a, b).getResult();
  if (isa<SubOp>(op))
    return f ? rb.create<arith::SubFOp>(loc, a, b, fm).getResult() : rb.create<arith::SubIOp>(loc, a, b).getResult();
  if (isa<MulOp>(op))
    return f ? rb.create<arith::MulFOp>(loc, a, b, fm).getResult() : rb.create<arith::MulIOp>(loc, a, b).getResult();
  if (isa<DivOp>(op))
    return f ? rb.create<arith::DivFOp>(loc, a, b, fm).getResult()
             : e.intDivide(a, b, /*remainder=*/false);
  if (isa<MaxOp>(op))
    return f ? rb.create<arith::MaximumFOp>(loc, a, b).getResult()
           : u ? rb.create<arith::MaxUIOp>(loc, a, b).getResult()
               : rb.create<arith::MaxSIOp>(loc, a, b).getResult();
  if (isa<MinOp>(op))
    return f ? rb.create<arith::MinimumFOp>(loc, a, b).getResult()
           : u ? rb.create<arith::MinUIOp>(loc, a, b).getResult()
               : rb.create<arith::MinSIOp>(loc, a, b).getResult();
  if (isa<ModOp>(op))
    return e.pythonMod(a, b);
  if (isa<FModOp>(op))
    return f ? rb.create<arith::RemFOp>(loc, a, b).getResult() : e.intDivide(a, b, /*remainder=*/true);
  if (isa<AndOp>(op)) return rb.create<arith::AndIOp>(loc, a, b);
  if (isa<OrOp>(op)) return rb.create<arith::OrIOp>(loc, a, b);
  if (isa<XorOp>(op)) return rb.create<arith::XOrIOp>(loc, a, b);
  if (isa<ShiftLeftOp>(op)) return e.shift<arith::ShLIOp>(a, b);
  if (isa<ShiftRightOp>(op)) return e.shift<arith::ShRUIOp>(a, b);
  if (isa<EqualOp>(op)) return e.compare(FP::OEQ, IP::eq, IP::eq, a, b);
  if (isa<GreaterOp>(op)) return e.compare(FP::OGT, IP::sgt, IP::ugt, a, b);
  if (isa<GreaterEqualOp>(op)) return e.compare(FP::OGE, IP::sge, IP::uge, a, b);
  if (isa<LessOp>(op)) return e.compare(FP::OLT, IP::slt, IP::ult, a, b);
  if (isa<LessEqualOp>(op)) return e.compare(FP::OLE, IP::sle, IP::ule, a, b);
  if (isa<PowOp>(op)) return e.pow(a, b, exponentType);
  return {};
}

} // namespace kiln::lowering
