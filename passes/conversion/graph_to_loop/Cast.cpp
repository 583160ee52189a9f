// Lowering of kg.cast's scalar conversion between any two kg element types.
#include "passes/conversion/graph_to_loop/ElementwiseScalar.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

using namespace mlir;

namespace kiln::lowering {

// float32 -> bfloat16 keeps the upper 16 bits (truncation toward zero), as onnx 1.12's
// reference Cast does (it shifts the float32 bits right by 16) and test_cast_FLOAT_to_BFLOAT16
// expects; other floats go through float32 first.
static Value truncateToBF16(OpBuilder &rb, Location loc, Value x) {
  Type f32 = rb.getF32Type(), i32 = rb.getI32Type(), i16 = rb.getIntegerType(16);
  if (x.getType() != f32)
    x = x.getType().getIntOrFloatBitWidth() < 32 ? rb.create<arith::ExtFOp>(loc, f32, x).getResult()
                                                 : rb.create<arith::TruncFOp>(loc, f32, x).getResult();
  Value bits = rb.create<arith::BitcastOp>(loc, i32, x);
  Value sixteen = rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(i32, 16));
  Value upper = rb.create<arith::TruncIOp>(loc, i16, rb.create<arith::ShRUIOp>(loc, bits, sixteen));
  return rb.create<arith::BitcastOp>(loc, rb.getBF16Type(), upper);
}

Value emitCast(OpBuilder &rb, Location loc, Value x, Type from, Type to) {
  Type storage = storageType(to);
  if (from == to)
    return x;
  bool fromFloat = llvm::isa<FloatType>(from), toFloat = llvm::isa<FloatType>(to);
  if (fromFloat && to.isBF16())
    return truncateToBF16(rb, loc, x);
  if (fromFloat && toFloat) {
    // f16 <-> bf16 have one width: go through f32 (exact widening, one rounding).
    if (from.getIntOrFloatBitWidth() == to.getIntOrFloatBitWidth())
      x = rb.create<arith::ExtFOp>(loc, rb.getF32Type(), x);
    return x.getType().getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
               ? rb.create<arith::ExtFOp>(loc, to, x).getResult()
               : rb.create<arith::TruncFOp>(loc, to, x).getResult();
  }
  if (to.isInteger(1)) {
    if (fromFloat) {
      Value zero = rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(from, 0.0));
      return rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, zero);
    }
    Value zero = rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(storageType(from), 0));
    return rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zero);
  }
  // Bools and unsigned integers widen and convert as unsigned values.
  bool fromUnsigned = isUnsignedInt(from);
  if (fromFloat) {
    // fptosi/fptoui of f16/bf16 are not lowered on every target: go through f32.
    if (from.getIntOrFloatBitWidth() < 32)
      x = rb.create<arith::ExtFOp>(loc, rb.getF32Type(), x);
    return isUnsignedInt(to) ? rb.create<arith::FPToUIOp>(loc, storage, x).getResult()
                             : rb.create<arith::FPToSIOp>(loc, storage, x).getResult();
  }
  if (toFloat) {
    if (to.isBF16()) // ints -> f32 -> bf16 by truncation, like float32 -> bfloat16
      return truncateToBF16(rb, loc, emitCast(rb, loc, x, from, rb.getF32Type()));
    return fromUnsigned ? rb.create<arith::UIToFPOp>(loc, to, x).getResult()
                        : rb.create<arith::SIToFPOp>(loc, to, x).getResult();
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth == toWidth)
    return x; // same bits, another signedness
  if (fromWidth < toWidth)
    return fromUnsigned ? rb.create<arith::ExtUIOp>(loc, storage, x).getResult()
                        : rb.create<arith::ExtSIOp>(loc, storage, x).getResult();
  return rb.create<arith::TruncIOp>(loc, storage, x);
}

Value scalarConstant(OpBuilder &rb, Location loc, Type type, double value) {
  if (auto floatType = llvm::dyn_cast<FloatType>(type))
    return rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(floatType, value));
  return rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(storageType(type), int64_t(value)));
}

} // namespace kiln::lowering
