// ConvTranspose: output_padding, output_shape and auto_pad resolved to kg.conv_transpose pads.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

int64_t floorDiv2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

LogicalResult convertConvTranspose(OpBinder &b) {
  auto x = b.requiredInput(0), weight = b.requiredInput(1);
  if (failed(x) || failed(weight))
    return failure();
  auto inType = b.typeOf(*x), weightType = b.typeOf(*weight);
  if (inType.getRank() < 3 || weightType.getRank() != inType.getRank())
    return b.emitError() << "expects input and weight of the same rank >= 3, got ranks "
                         << inType.getRank() << " and " << weightType.getRank();
  size_t spatial = inType.getRank() - 2;
  ArrayRef<int64_t> kernel = weightType.getShape().drop_front(2);
  if (auto declared = b.intsAttr("kernel_shape");
      declared && ArrayRef<int64_t>(*declared) != kernel)
    return b.emitError() << "kernel_shape does not match the weight's spatial dims";
  auto strides = b.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto dilations = b.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = b.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  auto outputPadding = b.intsAttr("output_padding").value_or(SmallVector<int64_t>(spatial, 0));
  auto outputShape = b.intsAttr("output_shape");
  // output_shape may list N and C too.
  if (outputShape && outputShape->size() == spatial + 2)
    outputShape->erase(outputShape->begin(), outputShape->begin() + 2);
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial ||
      outputPadding.size() != spatial || (outputShape && outputShape->size() != spatial))
    return b.emitError() << "expects " << spatial << " stride, dilation, output_padding and "
                         << "output_shape entries and " << 2 * spatial << " pads";
  // Bounded so that the window arithmetic here and in kg cannot overflow.
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  auto inRange = [&](ArrayRef<int64_t> values, int64_t min) {
    return llvm::all_of(values, [&](int64_t v) { return v >= min && v <= kMax; });
  };
  if (!inRange(strides, 1) || !inRange(dilations, 1) || !inRange(pads, 0) ||
      !inRange(outputPadding, 0) || (outputShape && !inRange(*outputShape, 1)))
    return b.emitError() << "strides and dilations must be in [1, " << kMax
                         << "], pads and output_padding in [0, " << kMax << "]";

  std::string autoPad = b.stringAttr("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return b.emitError() << "unknown auto_pad '" << autoPad << "'";
  if (autoPad == "VALID")
    pads.assign(2 * spatial, 0);
  // With an output_shape (or SAME_*, whose output is input * stride) the total padding follows
  // from it, split as in the ONNX reference: the larger half (floor division) at the end for
  // SAME_UPPER, at the start otherwise, so that a negative total extends the end.
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inType.getDimSize(i + 2);
      int64_t out = outputShape ? (*outputShape)[i] : in * strides[i];
      int64_t total = strides[i] * (in - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] +
                      1 - out;
      int64_t half = floorDiv2(total);
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? half : total - half;
      pads[i + spatial] = upper ? total - half : half;
    }
  }
  // output_padding adds rows at the end: a smaller end pad, possibly negative.
  for (size_t i = 0; i < spatial; ++i)
    pads[i + spatial] -= outputPadding[i];

  OpBuilder &ob = b.builder();
  auto result = b.create<kg::ConvTransposeOp>(
      *x, *weight, b.input(2), ob.getDenseI64ArrayAttr(strides), ob.getDenseI64ArrayAttr(pads),
      ob.getDenseI64ArrayAttr(dilations), ob.getI64IntegerAttr(b.intAttr("group", 1)),
      UnitAttr());
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateConvTransposeConverters(ConverterRegistry &r) {
  // ConvTranspose-11 only changed the documentation of output_shape and auto_pad.
  r.add("ConvTranspose", 1, convertConvTranspose);
}

} // namespace kiln::onnx_frontend
