// Lowering of convolution (NCHW, any number of spatial dims; 1x1 on flattened pixels).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

LogicalResult lowerChannelsLastConv(KernelBuilder &kb, ConvOp op, Value out); // ConvChannelsLast.cpp

// A 1x1 unpadded stride-1 convolution on flattened N x C x P buffers (see LowerGraphToLoop):
// out[n, f, p] = bias[f] + sum_c in[n, group(f) * Cg + c, p] * w[f, c, 0, 0].
static LogicalResult lowerPointwiseConv(KernelBuilder &kb, ConvOp op, Value out) {
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  auto weightShape = op.getWeight().getType().getShape();
  int64_t outPerGroup = weightShape[0] / op.getGroup();
  Value input = kb.buffer(op.getInput()), weight = kb.buffer(op.getWeight());
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();
  Type elementType = op.getType().getElementType();
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<Axis> axes = {{"n", outShape[0]}, {"f", outShape[1]}, {"p", outShape[2]},
                            {"rc", weightShape[1], true}};
  // Without groups the input channel is just rc: the index then visibly ignores f.
  AffineExpr channel = op.getGroup() == 1 ? d(3) : d(1).floorDiv(outPerGroup) * weightShape[1] + d(3);
  SmallVector<AffineExpr> inIdx = {d(0), channel, d(2)};
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  SmallVector<AffineExpr> wIdx = {d(1), d(3), zero, zero};
  SmallVector<AffineExpr> outIdx = {d(0), d(1), d(2)};
  Location loc = kb.loc;
  kb.emitBlock(
      "conv", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value acc = kb.load(rb, out, outIdx, iv);
        Value sum = emitMulAdd(rb, loc, acc, kb.load(rb, input, inIdx, iv),
                               kb.load(rb, weight, wIdx, iv));
        kb.store(rb, sum, out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = bias ? kb.load(rb, bias, {d(1)}, iv) : kb.constantFloat(rb, elementType, 0);
        kb.store(rb, init, out, outIdx, iv);
      });
  return success();
}

static LogicalResult lowerConv(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ConvOp>(operation);
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  if (!isMulAddType(elementType))
    return op.emitOpError("is not supported on element type ") << elementType;
  if (op.getChannelsLast())
    return lowerChannelsLastConv(kb, op, out);
  if (llvm::cast<MemRefType>(out.getType()).getRank() != op.getType().getRank())
    return lowerPointwiseConv(kb, op, out);
  auto weightShape = op.getWeight().getType().getShape();
  size_t spatial = outType.getRank() - 2;
  int64_t group = op.getGroup(), outPerGroup = weightShape[0] / group;
  // Depthwise convolutions do too little work per input element to repay the phase copy.
  bool depthwise = group > 1 && weightShape[1] == 1;
  bool strided = !depthwise && llvm::any_of(op.getStrides(), [](int64_t st) { return st > 1; });
  Value padded = strided ? emitPhaseSplitPad(kb, op.getInput(), op.getPads(), op.getStrides())
                         : emitPad(kb, op.getInput(), op.getPads(), 0.0);
  Value weight = kb.buffer(op.getWeight());
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();

  SmallVector<Axis> axes = convolutionAxes(outType, weightShape[1], weightShape.drop_front(2));

  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned rc = 2 + spatial;
  // Without groups the input channel is just rc: the index then visibly ignores f.
  AffineExpr channel = group == 1 ? d(rc) : d(1).floorDiv(outPerGroup) * weightShape[1] + d(rc);
  SmallVector<AffineExpr> inputIdx = {d(0), channel};
  for (size_t i = 0; strided && i < spatial; ++i)
    inputIdx.push_back((d(rc + 1 + i) * op.getDilations()[i]) % op.getStrides()[i]);
  for (size_t i = 0; i < spatial; ++i) {
    AffineExpr tap = d(rc + 1 + i) * op.getDilations()[i];
    inputIdx.push_back(strided ? d(2 + i) + tap.floorDiv(op.getStrides()[i])
                               : d(2 + i) * op.getStrides()[i] + tap);
  }
  SmallVector<AffineExpr> weightIdx = {d(1), d(rc)};
  for (size_t i = 0; i < spatial; ++i)
    weightIdx.push_back(d(rc + 1 + i));
  emitConvolutionBlock(kb, "conv", axes, padded, inputIdx, weight, weightIdx, bias, out);
  return success();
}

SmallVector<Axis> convolutionAxes(RankedTensorType outType, int64_t channelsPerGroup,
                                  ArrayRef<int64_t> kernel) {
  SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}, {"f", outType.getDimSize(1)}};
  for (size_t i = 0; i < kernel.size(); ++i)
    axes.push_back({spatialAxisName(i), outType.getDimSize(i + 2)});
  axes.push_back({"rc", channelsPerGroup, true});
  for (size_t i = 0; i < kernel.size(); ++i)
    axes.push_back({spatialAxisName(i, "r"), kernel[i], true});
  return axes;
}

// bias[channel], or 0 of out's element type without a bias.
static Value biasOrZero(KernelBuilder &kb, OpBuilder &rb, Value bias, Value out,
                        AffineExpr channel, ValueRange iv) {
  if (bias)
    return kb.load(rb, bias, {channel}, iv);
  return kb.constantFloat(rb, llvm::cast<MemRefType>(out.getType()).getElementType(), 0);
}

void emitConvolutionBlock(KernelBuilder &kb, StringRef name, ArrayRef<Axis> axes, Value input,
                          ArrayRef<AffineExpr> inputIdx, Value weight,
                          ArrayRef<AffineExpr> weightIdx, Value bias, Value out,
                          unsigned channelDim, ArrayRef<AffineExpr> outIndex) {
  MLIRContext *ctx = kb.b.getContext();
  auto outType = llvm::cast<MemRefType>(out.getType());
  SmallVector<AffineExpr> outIdx(outIndex);
  for (int64_t i = 0; outIndex.empty() && i < outType.getRank(); ++i)
    outIdx.push_back(getAffineDimExpr(i, ctx));
  Location loc = kb.loc;
  kb.emitBlock(
      name, axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, input, inputIdx, iv);
        Value w = kb.load(rb, weight, weightIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, emitMulAdd(rb, loc, acc, x, w), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, biasOrZero(kb, rb, bias, out, outIdx[channelDim], iv), out, outIdx, iv);
      });
}

void emitBiasBlock(KernelBuilder &kb, StringRef name, ArrayRef<Axis> axes, Value bias, Value out,
                   ArrayRef<AffineExpr> outIdx, unsigned channelDim) {
  kb.emitBlock(name, axes, [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, biasOrZero(kb, rb, bias, out, outIdx[channelDim], iv), out, outIdx, iv);
  });
}

void populateConvLowerings(LoweringRegistry &registry) {
  registry[ConvOp::getOperationName()] = lowerConv;
}

} // namespace kiln::lowering
