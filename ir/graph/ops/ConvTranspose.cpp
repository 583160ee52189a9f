// Transposed convolution: output shape inference and verification.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

// The weight's shape in C x F/group x kernel... order; channels last it is kernel... x C x
// F/group.
static SmallVector<int64_t> weightChannelsFirst(ArrayRef<int64_t> shape, bool channelsLast) {
  if (!channelsLast || shape.size() < 2)
    return SmallVector<int64_t>(shape);
  SmallVector<int64_t> cfk(shape.take_back(2));
  llvm::append_range(cfk, shape.drop_back(2));
  return cfk;
}

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto inputType = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  auto weightType = llvm::cast<RankedTensorType>(adaptor.getWeight().getType());
  if (inputType.getRank() < 3 || weightType.getRank() != inputType.getRank())
    return emitOptionalError(loc, "conv_transpose input ", formatShape(inputType.getShape()),
                             " and weight ", formatShape(weightType.getShape()),
                             " must have the same rank >= 3");
  bool channelsLast = bool(adaptor.getChannelsLast());
  SmallVector<int64_t> input = channelsFirstShape(inputType.getShape(), channelsLast);
  SmallVector<int64_t> weight = weightChannelsFirst(weightType.getShape(), channelsLast);
  int64_t group = adaptor.getGroup();
  if (group <= 0)
    return emitOptionalError(loc, "conv_transpose group must be positive, got ", group);
  size_t spatial = input.size() - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return emitOptionalError(loc, "conv_transpose expects ", spatial,
                             " stride and dilation entries and ", 2 * spatial, " pads");
  SmallVector<int64_t> shape = {input[0], weight[1] * group};
  for (size_t i = 0; i < spatial; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0 || weight[i + 2] <= 0)
      return emitOptionalError(loc, "conv_transpose has a non-positive stride, dilation or kernel");
    int64_t size = (input[i + 2] - 1) * strides[i] + (weight[i + 2] - 1) * dilations[i] + 1 -
                   pads[i] - pads[i + spatial];
    if (size <= 0)
      return emitOptionalError(loc, "conv_transpose pads leave no output along spatial dim ", i);
    shape.push_back(size);
  }
  if (channelsLast)
    std::rotate(shape.begin() + 1, shape.begin() + 2, shape.end());
  results.push_back(RankedTensorType::get(shape, inputType.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  SmallVector<int64_t> input =
      channelsFirstShape(getInput().getType().getShape(), getChannelsLast());
  SmallVector<int64_t> weight =
      weightChannelsFirst(getWeight().getType().getShape(), getChannelsLast());
  int64_t group = getGroup();
  if (input[1] != weight[0] || weight[0] % group)
    return emitOpError("input has ") << input[1] << " channels but the weight "
                                     << formatShape(getWeight().getType().getShape())
                                     << " expects " << weight[0] << ", divisible by group "
                                     << group;
  if (getWeight().getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("input and weight element types differ");
  int64_t outChannels = weight[1] * group;
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    getBias().getType().getDimSize(0) != outChannels))
    return emitOpError("bias must have shape ") << outChannels;
  return success();
}

} // namespace kiln::graph
