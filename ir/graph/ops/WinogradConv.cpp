// Winograd convolution: output shape inference and verification.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"
#include "ir/graph/Winograd.h"

using namespace mlir;

namespace kiln::graph {

LogicalResult WinogradConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                               Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = llvm::cast<RankedTensorType>(adaptor.getWeight().getType());
  if (input.getRank() != 4 || weight.getRank() != 4)
    return emitOptionalError(loc, "winograd_conv takes an N x H x W x C input and an alpha x "
                                  "alpha x C x F weight, got ",
                             formatShape(input.getShape()), " and ",
                             formatShape(weight.getShape()));
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "winograd_conv expects 4 non-negative pads");
  SmallVector<int64_t> shape = {input.getDimSize(0)};
  for (int i = 0; i < 2; ++i) {
    int64_t size = input.getDimSize(1 + i) + pads[i] + pads[i + 2] - 2;
    if (size <= 0)
      return emitOptionalError(loc, "winograd_conv: the 3x3 window is larger than the padded "
                                    "input along spatial dim ", i);
    shape.push_back(size);
  }
  shape.push_back(weight.getDimSize(3));
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult WinogradConvOp::verify() {
  const WinogradMatrices *matrices = winogradMatrices(getTile());
  if (!matrices)
    return emitOpError("tile must be 2 or 4, got ") << getTile();
  ArrayRef<int64_t> weight = getWeight().getType().getShape();
  if (weight[0] != matrices->alpha || weight[1] != matrices->alpha)
    return emitOpError("F(") << getTile() << "x" << getTile() << ", 3x3) takes a "
                             << matrices->alpha << "x" << matrices->alpha
                             << " x C x F transformed weight, got " << formatShape(weight);
  if (getInput().getType().getDimSize(3) != weight[2])
    return emitOpError("input has ") << getInput().getType().getDimSize(3)
                                     << " channels but the weight " << formatShape(weight)
                                     << " expects " << weight[2];
  if (!getInput().getType().getElementType().isF32() ||
      getWeight().getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("input and weight must be f32");
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    getBias().getType().getDimSize(0) != weight[3]))
    return emitOpError("bias must have shape ") << weight[3];
  return success();
}

} // namespace kiln::graph
