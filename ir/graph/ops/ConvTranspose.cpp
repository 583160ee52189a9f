// Transposed convolution: output shape inference and verification.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

LogicalResult ConvTransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = llvm::cast<RankedTensorType>(adaptor.getWeight().getType());
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return emitOptionalError(loc, "conv_transpose input ", formatShape(input.getShape()),
                             " and weight ", formatShape(weight.getShape()),
                             " must have the same rank >= 3");
  int64_t group = adaptor.getGroup();
  if (group <= 0)
    return emitOptionalError(loc, "conv_transpose group must be positive, got ", group);
  size_t spatial = input.getRank() - 2;
  ArrayRef<int64_t> strides = adaptor.getStrides(), pads = adaptor.getPads(),
                    dilations = adaptor.getDilations();
  if (strides.size() != spatial || dilations.size() != spatial || pads.size() != 2 * spatial)
    return emitOptionalError(loc, "conv_transpose expects ", spatial,
                             " stride and dilation entries and ", 2 * spatial, " pads");
  SmallVector<int64_t> shape = {input.getDimSize(0), weight.getDimSize(1) * group};
  for (size_t i = 0; i < spatial; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0 || weight.getDimSize(i + 2) <= 0)
      return emitOptionalError(loc, "conv_transpose has a non-positive stride, dilation or kernel");
    int64_t size = (input.getDimSize(i + 2) - 1) * strides[i] +
                   (weight.getDimSize(i + 2) - 1) * dilations[i] + 1 - pads[i] - pads[i + spatial];
    if (size <= 0)
      return emitOptionalError(loc, "conv_transpose pads leave no output along spatial dim ", i);
    shape.push_back(size);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  auto input = getInput().getType();
  auto weight = getWeight().getType();
  int64_t group = getGroup();
  if (input.getDimSize(1) != weight.getDimSize(0) || weight.getDimSize(0) % group)
    return emitOpError("input has ") << input.getDimSize(1) << " channels but the weight "
                                     << formatShape(weight.getShape()) << " expects "
                                     << weight.getDimSize(0) << ", divisible by group " << group;
  if (weight.getElementType() != input.getElementType())
    return emitOpError("input and weight element types differ");
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    getBias().getType().getDimSize(0) != getType().getDimSize(1)))
    return emitOpError("bias must have shape ") << getType().getDimSize(1);
  return success();
}

} // namespace kiln::graph
