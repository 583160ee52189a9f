// Convolution, and the window attributes it shares with the pools (ops/Pool.cpp).
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Window.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

FailureOr<Window> readWindow(OpBinder &b, RankedTensorType input, ArrayRef<int64_t> kernel) {
  if (input.getRank() < 3)
    return b.emitError() << "expects an input of rank >= 3 (N, C, spatial...), got rank "
                         << input.getRank();
  size_t spatial = input.getRank() - 2;
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = b.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations = b.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  w.pads = b.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (w.kernel.size() != spatial || w.strides.size() != spatial || w.dilations.size() != spatial ||
      w.pads.size() != 2 * spatial)
    return b.emitError() << "expects " << spatial << " kernel, stride and dilation entries and "
                         << 2 * spatial << " pads for a rank-" << input.getRank() << " input";
  // Bounded so that no window arithmetic (here or in kg) can overflow.
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  auto outOfRange = [&](ArrayRef<int64_t> values, int64_t min) {
    return llvm::any_of(values, [&](int64_t v) { return v < min || v > kMax; });
  };
  if (outOfRange(w.kernel, 1) || outOfRange(w.strides, 1) || outOfRange(w.dilations, 1))
    return b.emitError() << "kernel, strides and dilations must be in [1, " << kMax << "]";
  if (outOfRange(w.pads, 0))
    return b.emitError() << "pads must be in [0, " << kMax << "]";

  std::string autoPad = b.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // Output = ceil(input / stride); the odd pad goes at the end (UPPER) or start (LOWER).
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      int64_t out = (in + w.strides[i] - 1) / w.strides[i];
      int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + span - in);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[i + spatial] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    return b.emitError() << "unknown auto_pad '" << autoPad << "'";
  }
  return w;
}

FailureOr<Value> buildConv(OpBinder &b, Value x, Value weight, Value bias) {
  auto weightType = b.typeOf(weight);
  if (weightType.getRank() != b.typeOf(x).getRank() || weightType.getRank() < 3)
    return b.emitError() << "expects input and weight of the same rank >= 3, got ranks "
                         << b.typeOf(x).getRank() << " and " << weightType.getRank();
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  if (auto declared = b.intsAttr("kernel_shape");
      declared && ArrayRef<int64_t>(*declared) != kernel)
    return b.emitError() << "kernel_shape does not match the weight's spatial dims";
  auto w = readWindow(b, b.typeOf(x), kernel);
  if (failed(w))
    return failure();
  OpBuilder &ob = b.builder();
  return b.create<kg::ConvOp>(x, weight, bias, ob.getDenseI64ArrayAttr(w->strides),
                              ob.getDenseI64ArrayAttr(w->pads),
                              ob.getDenseI64ArrayAttr(w->dilations),
                              ob.getI64IntegerAttr(b.intAttr("group", 1)), UnitAttr());
}

namespace {

LogicalResult convertConv(OpBinder &b) {
  auto x = b.requiredInput(0), weight = b.requiredInput(1);
  if (failed(x) || failed(weight))
    return failure();
  auto result = buildConv(b, *x, *weight, b.input(2));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateConvConverters(ConverterRegistry &r) {
  r.add("Conv", 1, convertConv);
}

} // namespace kiln::onnx_frontend
