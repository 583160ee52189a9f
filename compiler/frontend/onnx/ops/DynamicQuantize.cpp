// DynamicQuantizeLinear: uint8 quantization with a scale and zero point computed from the
// input's range at run time, composed from whole-tensor reductions and kg.quantize_linear.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Reductions.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Follows the ONNX definition step by step (its function body computes the same):
//   min = min(reduce_min(x), 0), max = max(reduce_max(x), 0)   (the range includes 0)
//   scale = (max - min) / 255
//   zero_point = uint8(round_half_even(clip(0 - min / scale, 0, 255)))
//   y = saturate(round_half_even(x / scale) + zero_point)
LogicalResult convertDynamicQuantizeLinear(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  if (!type.getElementType().isF32())
    return b.emitError() << "x must be float32, got " << type.getElementType();
  Type f32 = type.getElementType();
  Value zero = b.scalar(f32, 0.0);
  SmallVector<int64_t> all = dimsFrom(*x, 0);

  auto low = reduce<kg::ReduceMinOp>(b, *x, all, /*keepdims=*/false);
  auto high = reduce<kg::ReduceMaxOp>(b, *x, all, /*keepdims=*/false);
  if (failed(low) || failed(high))
    return failure();
  auto min = b.create<kg::MinOp>(*low, zero);
  auto max = b.create<kg::MaxOp>(*high, zero);
  if (failed(min) || failed(max))
    return failure();
  auto range = b.create<kg::SubOp>(*max, *min);
  auto scale = failed(range) ? range : b.create<kg::DivOp>(*range, b.scalar(f32, 255.0));
  if (failed(scale))
    return failure();

  auto minScaled = b.create<kg::DivOp>(*min, *scale);
  auto initial = failed(minScaled) ? minScaled : b.create<kg::SubOp>(zero, *minScaled);
  if (failed(initial))
    return failure();
  auto clipped = b.create<kg::ClipOp>(*initial, b.builder().getF32FloatAttr(0.0f),
                                      b.builder().getF32FloatAttr(255.0f));
  auto rounded = failed(clipped) ? clipped : b.create<kg::RoundOp>(*clipped);
  if (failed(rounded))
    return failure();
  Type u8 = IntegerType::get(b.context(), 8, IntegerType::Unsigned);
  auto zeroPoint = b.createTyped<kg::CastOp>(b.typeOf(*rounded).clone(u8), *rounded);
  if (failed(zeroPoint))
    return failure();

  auto y = b.createTyped<kg::QuantizeLinearOp>(type.clone(u8), *x, *scale, *zeroPoint,
                                               b.builder().getI64IntegerAttr(0));
  if (failed(y))
    return failure();
  return b.setResults({*y, *scale, *zeroPoint});
}

} // namespace

void populateDynamicQuantizeConverters(ConverterRegistry &r) {
  r.add("DynamicQuantizeLinear", 11, convertDynamicQuantizeLinear);
}

} // namespace kiln::onnx_frontend
