// Lowering of channels-last convolutions (kg.conv {channels_last}: N x spatial... x C).
//
// The output channel is the innermost output dim, so the schedule's vector lanes run along
// output channels: the weight is read as one vector per tap (laid out in panels at compile
// time), the input is one scalar broadcast to every lane, and no lane is wasted on a short
// image row (7x7 in ResNet's last stage) or strided by the convolution's stride.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// The input channel a (f, rc) pair reads: rc alone without groups, so the index visibly
// ignores f (the input is then lane-invariant, a broadcast). The weight is kernel... x Cg x F.
static AffineExpr inputChannel(ConvOp op, AffineExpr f, AffineExpr rc) {
  auto weightShape = op.getWeight().getType().getShape();
  if (op.getGroup() == 1)
    return rc;
  int64_t outPerGroup = weightShape.back() / op.getGroup();
  return f.floorDiv(outPerGroup) * weightShape[weightShape.size() - 2] + rc;
}

// A 1x1 unpadded stride-1 convolution on flattened N x P x C buffers (see LowerGraphToLoop):
// out[n, p, f] = bias[f] + sum_c in[n, p, group(f) * Cg + c] * w[0, 0, c, f].
static LogicalResult lowerPointwise(KernelBuilder &kb, ConvOp op, Value out) {
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  auto weightShape = op.getWeight().getType().getShape();
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<Axis> axes = {{"n", outShape[0]}, {"p", outShape[1]}, {"f", outShape[2]},
                            {"rc", weightShape[2], true}};
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  SmallVector<AffineExpr> inputIdx = {d(0), d(1), inputChannel(op, d(2), d(3))};
  SmallVector<AffineExpr> weightIdx = {zero, zero, d(3), d(2)};
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();
  emitConvolutionBlock(kb, "conv", axes, kb.buffer(op.getInput()), inputIdx,
                       kb.buffer(op.getWeight()), weightIdx, bias, out, /*channelDim=*/2);
  return success();
}

LogicalResult lowerChannelsLastConv(KernelBuilder &kb, ConvOp op, Value out) {
  auto outType = op.getType();
  int64_t rank = outType.getRank();
  if (llvm::cast<MemRefType>(out.getType()).getRank() != rank)
    return lowerPointwise(kb, op, out);
  auto weightShape = op.getWeight().getType().getShape();
  size_t spatial = rank - 2;
  Value padded = emitPad(kb, op.getInput(), op.getPads(), 0.0, /*firstSpatial=*/1);

  // Axes n, the output's spatial dims, f; then the reduce axes rc and the kernel taps.
  SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i), outType.getDimSize(i + 1)});
  axes.push_back({"f", outType.getDimSize(rank - 1)});
  axes.push_back({"rc", weightShape[spatial], true});
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i, "r"), weightShape[i], true});

  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned f = spatial + 1, rc = spatial + 2;
  SmallVector<AffineExpr> inputIdx = {d(0)};
  for (size_t i = 0; i < spatial; ++i)
    inputIdx.push_back(d(1 + i) * op.getStrides()[i] + d(rc + 1 + i) * op.getDilations()[i]);
  inputIdx.push_back(inputChannel(op, d(f), d(rc)));
  SmallVector<AffineExpr> weightIdx;
  for (size_t i = 0; i < spatial; ++i)
    weightIdx.push_back(d(rc + 1 + i));
  weightIdx.append({d(rc), d(f)});
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();
  emitConvolutionBlock(kb, "conv", axes, padded, inputIdx, kb.buffer(op.getWeight()), weightIdx,
                       bias, out, /*channelDim=*/rank - 1);
  return success();
}

} // namespace kiln::lowering
