// Convolution and pooling: sliding-window shape inference and verification.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

#include <algorithm>

using namespace mlir;

namespace kiln::graph {

// Checks the per-spatial-dim attributes and computes the output spatial extents.
static LogicalResult inferWindow(std::optional<Location> loc, ArrayRef<int64_t> inputShape,
                                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                 ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations,
                                 bool ceilMode, SmallVectorImpl<int64_t> &out) {
  size_t spatial = inputShape.size() - 2;
  if (kernel.size() != spatial || strides.size() != spatial || dilations.size() != spatial ||
      pads.size() != 2 * spatial)
    return emitOptionalError(loc, "expects ", spatial,
                             " kernel/stride/dilation entries and ", 2 * spatial, " pads");
  for (size_t i = 0; i < spatial; ++i) {
    if (strides[i] <= 0 || dilations[i] <= 0 || kernel[i] <= 0 || pads[i] < 0 ||
        pads[i + spatial] < 0)
      return emitOptionalError(loc, "has a non-positive stride, dilation or kernel, or a negative pad");
    int64_t size = windowOutputSize(inputShape[i + 2], kernel[i], strides[i], pads[i],
                                    pads[i + spatial], dilations[i], ceilMode);
    if (size <= 0)
      return emitOptionalError(loc, "window larger than the padded input along spatial dim ", i);
    out.push_back(size);
  }
  return success();
}

// The channel dim of a conv's input and result: 1 in ONNX's layout, last with channels_last.
static int64_t channelDim(int64_t rank, bool channelsLast) { return channelsLast ? rank - 1 : 1; }

// A weight's shape in F x C/group x kernel... order; channels last it is kernel... x C/group x F.
static SmallVector<int64_t> weightChannelsFirst(ArrayRef<int64_t> shape, bool channelsLast) {
  if (!channelsLast)
    return SmallVector<int64_t>(shape);
  SmallVector<int64_t> fck = {shape.back(), shape[shape.size() - 2]};
  llvm::append_range(fck, shape.drop_back(2));
  return fck;
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  auto weight = llvm::cast<RankedTensorType>(adaptor.getWeight().getType());
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return emitOptionalError(loc, "conv input ", formatShape(input.getShape()), " and weight ",
                             formatShape(weight.getShape()), " must have the same rank >= 3");
  bool channelsLast = bool(adaptor.getChannelsLast());
  SmallVector<int64_t> weightShape = weightChannelsFirst(weight.getShape(), channelsLast);
  SmallVector<int64_t> shape = {input.getDimSize(0), weightShape[0]};
  if (failed(inferWindow(loc, channelsFirstShape(input.getShape(), channelsLast),
                         ArrayRef<int64_t>(weightShape).drop_front(2), adaptor.getStrides(),
                         adaptor.getPads(), adaptor.getDilations(), /*ceilMode=*/false, shape)))
    return failure();
  if (channelsLast)
    std::rotate(shape.begin() + 1, shape.begin() + 2, shape.end());
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvOp::verify() {
  auto input = getInput().getType();
  SmallVector<int64_t> weight = weightChannelsFirst(getWeight().getType().getShape(),
                                                    getChannelsLast());
  int64_t group = getGroup();
  int64_t channels = input.getDimSize(channelDim(input.getRank(), getChannelsLast()));
  if (group <= 0 || channels % group || weight[0] % group)
    return emitOpError("group ") << group << " does not divide the channels";
  if (channels != weight[1] * group)
    return emitOpError("input has ") << channels << " channels but the weight expects "
                                     << weight[1] * group;
  if (getBias() && (getBias().getType().getRank() != 1 ||
                    getBias().getType().getDimSize(0) != weight[0]))
    return emitOpError("bias must have shape ") << weight[0];
  return success();
}

template <typename Adaptor>
static LogicalResult inferPool(std::optional<Location> loc, Adaptor adaptor, bool channelsLast,
                               SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 3)
    return emitOptionalError(loc, "pooling input must have rank >= 3");
  SmallVector<int64_t> nchw = channelsFirstShape(input.getShape(), channelsLast);
  SmallVector<int64_t> shape = {nchw[0], nchw[1]};
  if (failed(inferWindow(loc, nchw, adaptor.getKernelShape(), adaptor.getStrides(),
                         adaptor.getPads(), adaptor.getDilations(), adaptor.getCeilMode(), shape)))
    return failure();
  if (channelsLast)
    std::rotate(shape.begin() + 1, shape.begin() + 2, shape.end());
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                          Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor, bool(adaptor.getChannelsLast()), results);
}

LogicalResult MaxPoolIndicesOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (failed(inferPool(loc, adaptor, /*channelsLast=*/false, results)))
    return failure();
  results.back() = llvm::cast<RankedTensorType>(results.back()).clone(IntegerType::get(ctx, 64));
  return success();
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor, bool(adaptor.getChannelsLast()), results);
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                    Adaptor adaptor,
                                                    SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  if (input.getRank() < 3)
    return emitOptionalError(loc, "global pooling input must have rank >= 3");
  SmallVector<int64_t> shape(input.getShape());
  for (size_t i = 2; i < shape.size(); ++i)
    shape[i] = 1;
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

} // namespace kiln::graph
