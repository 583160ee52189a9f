// Quantization: QuantizeLinear, DequantizeLinear and the integer products (MatMulInteger,
// ConvInteger, QLinearMatMul, QLinearConv). Products run on i32: operands are widened and
// their zero points subtracted, the matmul or conv accumulates in i32, and the QLinear ops
// requantize with kg.quantize_linear (round half to even, saturation).
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Window.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

FailureOr<Value> castTo(OpBinder &b, Value v, Type elementType) {
  if (b.typeOf(v).getElementType() == elementType)
    return v;
  return b.createTyped<kg::CastOp>(b.typeOf(v).clone(elementType), v);
}

// A scale or zero point that is 1-D along `axis` of a rank-`rank` tensor, reshaped to
// broadcast there ([n, 1, ..., 1]); scalars are returned as they are.
FailureOr<Value> alongAxis(OpBinder &b, Value param, int64_t rank, int64_t axis) {
  auto type = b.typeOf(param);
  if (type.getRank() == 0 || type.getNumElements() == 1)
    return param;
  if (type.getRank() != 1)
    return b.emitError() << "expects a scalar or 1-D scale and zero point, got shape rank "
                         << type.getRank();
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getDimSize(0);
  return b.reshape(param, shape);
}

// i32(x) - i32(zeroPoint), the zero point broadcast along `axis` (null: no zero point).
FailureOr<Value> widenAndShift(OpBinder &b, Value x, Value zeroPoint, int64_t axis) {
  Type i32 = b.builder().getI32Type();
  auto wide = castTo(b, x, i32);
  if (failed(wide) || !zeroPoint)
    return wide;
  auto zp = alongAxis(b, zeroPoint, b.typeOf(x).getRank(), axis);
  if (failed(zp))
    return failure();
  auto wideZp = castTo(b, *zp, i32);
  if (failed(wideZp))
    return failure();
  return b.create<kg::SubOp>(*wide, *wideZp);
}

LogicalResult checkEightBit(OpBinder &b, Value v, StringRef what) {
  auto type = llvm::dyn_cast<IntegerType>(b.typeOf(v).getElementType());
  if (!type || type.getWidth() != 8)
    return b.emitError() << what << " must be int8 or uint8, got " << b.typeOf(v).getElementType();
  return success();
}

// The quantization axis: attribute `axis` (default 1) from opset 13, per-tensor before. It
// only matters, and is only checked, for a per-axis (1-D, more than one element) scale.
FailureOr<int64_t> quantAxis(OpBinder &b, Value x, Value scale) {
  int64_t rank = b.typeOf(x).getRank();
  if (rank == 0 || b.typeOf(scale).getNumElements() == 1)
    return 0;
  return b.normalizeAxis(b.opset() >= 13 ? b.intAttr("axis", 1) : 1, rank);
}

// saturate(round(x / scale) + zeroPoint) into the zero point's type (uint8 without one).
FailureOr<Value> quantize(OpBinder &b, Value x, Value scale, Value zeroPoint, int64_t axis) {
  Type resultElement = zeroPoint ? b.typeOf(zeroPoint).getElementType()
                                 : IntegerType::get(b.context(), 8, IntegerType::Unsigned);
  return b.createTyped<kg::QuantizeLinearOp>(b.typeOf(x).clone(resultElement), x, scale,
                                             zeroPoint, b.builder().getI64IntegerAttr(axis));
}

LogicalResult convertQuantizeLinear(OpBinder &b) {
  auto x = b.requiredInput(0), scale = b.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  auto axis = quantAxis(b, *x, *scale);
  if (failed(axis))
    return failure();
  auto result = quantize(b, *x, *scale, b.input(2), *axis);
  return failed(result) ? failure() : b.setResults({*result});
}

// (float(x) - float(zeroPoint)) * scale, as the ONNX reference computes it.
LogicalResult convertDequantizeLinear(OpBinder &b) {
  auto x = b.requiredInput(0), scale = b.requiredInput(1);
  if (failed(x) || failed(scale))
    return failure();
  auto axis = quantAxis(b, *x, *scale);
  if (failed(axis))
    return failure();
  int64_t rank = b.typeOf(*x).getRank();
  Type floatType = b.typeOf(*scale).getElementType();
  if (!llvm::isa<FloatType>(floatType))
    return b.emitError() << "x_scale must be floating-point, got " << floatType;
  auto value = castTo(b, *x, floatType);
  if (failed(value))
    return failure();
  if (Value zeroPoint = b.input(2)) {
    auto zp = alongAxis(b, zeroPoint, rank, *axis);
    auto zpFloat = failed(zp) ? zp : castTo(b, *zp, floatType);
    value = failed(zpFloat) ? zpFloat : b.create<kg::SubOp>(*value, *zpFloat);
    if (failed(value))
      return failure();
  }
  auto axisScale = alongAxis(b, *scale, rank, *axis);
  if (failed(axisScale))
    return failure();
  auto result = b.create<kg::MulOp>(*value, *axisScale);
  return failed(result) ? failure() : b.setResults({*result});
}

// The i32 product of two 8-bit matrices with zero points: per-row for A, per-column for B.
FailureOr<Value> integerMatMul(OpBinder &b, Value a, Value aZero, Value bm, Value bZero) {
  if (failed(checkEightBit(b, a, "A")) || failed(checkEightBit(b, bm, "B")))
    return failure();
  int64_t aRank = b.typeOf(a).getRank(), bRank = b.typeOf(bm).getRank();
  auto lhs = widenAndShift(b, a, aZero, std::max<int64_t>(aRank - 2, 0));
  auto rhs = widenAndShift(b, bm, bZero, bRank - 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  return b.create<kg::MatMulOp>(*lhs, *rhs);
}

LogicalResult convertMatMulInteger(OpBinder &b) {
  auto a = b.requiredInput(0), bm = b.requiredInput(1);
  if (failed(a) || failed(bm))
    return failure();
  auto result = integerMatMul(b, *a, b.input(2), *bm, b.input(3));
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertConvInteger(OpBinder &b) {
  auto x = b.requiredInput(0), w = b.requiredInput(1);
  if (failed(x) || failed(w) || failed(checkEightBit(b, *x, "x")) ||
      failed(checkEightBit(b, *w, "w")))
    return failure();
  // Padding is then zero in the shifted domain, i.e. the zero point in the quantized one.
  auto input = widenAndShift(b, *x, b.input(2), 1);
  auto weight = widenAndShift(b, *w, b.input(3), 0);
  if (failed(input) || failed(weight))
    return failure();
  auto result = buildConv(b, *input, *weight, Value());
  return failed(result) ? failure() : b.setResults({*result});
}

// Requantizes an i32 accumulator: round(acc * (scaleA * scaleB / scaleY)) + zeroY,
// saturated. The multiplier is applied first so the division by 1 in quantize is exact.
FailureOr<Value> requantize(OpBinder &b, Value acc, Value scaleA, Value scaleB, Value scaleY,
                            Value zeroY) {
  Type f32 = b.builder().getF32Type();
  for (Value s : {scaleA, scaleB, scaleY})
    if (b.typeOf(s).getElementType() != f32)
      return b.emitError() << "scales must be float32, got " << b.typeOf(s).getElementType();
  if (b.typeOf(scaleY).getNumElements() != 1)
    return b.emitError() << "y_scale must be a scalar";
  auto product = b.create<kg::MulOp>(scaleA, scaleB);
  auto multiplier = failed(product) ? product : b.create<kg::DivOp>(*product, scaleY);
  auto accFloat = castTo(b, acc, f32);
  if (failed(multiplier) || failed(accFloat))
    return failure();
  auto scaled = b.create<kg::MulOp>(*accFloat, *multiplier);
  if (failed(scaled))
    return failure();
  if (b.typeOf(*scaled).getShape() != b.typeOf(acc).getShape())
    return b.emitError() << "scales do not broadcast to the product's shape";
  return quantize(b, *scaled, b.scalar(f32, 1.0), zeroY, 0);
}

LogicalResult convertQLinearMatMul(OpBinder &b) {
  SmallVector<Value> in;
  for (unsigned i : {0, 1, 3, 4, 6})
    if (auto v = b.requiredInput(i); succeeded(v))
      in.push_back(*v);
    else
      return failure();
  Value a = in[0], aScale = in[1], bm = in[2], bScale = in[3], yScale = in[4];
  auto acc = integerMatMul(b, a, b.input(2), bm, b.input(5));
  if (failed(acc))
    return failure();
  int64_t aRank = b.typeOf(a).getRank(), bRank = b.typeOf(bm).getRank();
  auto rowScale = alongAxis(b, aScale, aRank, std::max<int64_t>(aRank - 2, 0));
  auto colScale = alongAxis(b, bScale, bRank, bRank - 1);
  if (failed(rowScale) || failed(colScale))
    return failure();
  auto result = requantize(b, *acc, *rowScale, *colScale, yScale, b.input(7));
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertQLinearConv(OpBinder &b) {
  SmallVector<Value> in;
  for (unsigned i : {0, 1, 3, 4, 6})
    if (auto v = b.requiredInput(i); succeeded(v))
      in.push_back(*v);
    else
      return failure();
  Value x = in[0], xScale = in[1], w = in[2], wScale = in[3], yScale = in[4];
  if (failed(checkEightBit(b, x, "x")) || failed(checkEightBit(b, w, "w")))
    return failure();
  auto input = widenAndShift(b, x, b.input(2), 1);
  auto weight = widenAndShift(b, w, b.input(5), 0);
  if (failed(input) || failed(weight))
    return failure();
  Value bias = b.input(8);
  if (bias && !b.typeOf(bias).getElementType().isInteger(32))
    return b.emitError() << "B must be int32, got " << b.typeOf(bias).getElementType();
  auto acc = buildConv(b, *input, *weight, bias);
  if (failed(acc))
    return failure();
  // The weight scale is per output channel: dim 1 of the result.
  auto channelScale = alongAxis(b, wScale, b.typeOf(*acc).getRank(), 1);
  if (failed(channelScale))
    return failure();
  auto result = requantize(b, *acc, xScale, *channelScale, yScale, b.input(7));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateQuantizeConverters(ConverterRegistry &r) {
  // QuantizeLinear/DequantizeLinear-13 added per-axis scales (`axis`).
  r.add("QuantizeLinear", 10, convertQuantizeLinear);
  r.add("DequantizeLinear", 10, convertDequantizeLinear);
  r.add("MatMulInteger", 10, convertMatMulInteger);
  r.add("ConvInteger", 10, convertConvInteger);
  r.add("QLinearMatMul", 10, convertQLinearMatMul);
  r.add("QLinearConv", 10, convertQLinearConv);
}

} // namespace kiln::onnx_frontend
