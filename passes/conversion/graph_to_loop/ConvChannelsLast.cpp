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


bool readsInputByRegions(ConvOp op) {
  auto weightShape = op.getWeight().getType().getShape();
  bool padded = llvm::any_of(op.getPads(), [](int64_t p) { return p != 0; });
  // A 1x1 convolution has no padding to read around (and lowers on flattened pixels).
  bool pointwise = llvm::all_of(weightShape.drop_back(2), [](int64_t k) { return k == 1; }) &&
                   !padded;
  return op.getChannelsLast() && !pointwise && padded &&
         weightShape[weightShape.size() - 2] == 1;
}

// Channels last, a convolution reads a padded copy of its input, or, when the copy would cost
// as much as the convolution (a depthwise one: one multiply-add per tap and input element),
// reads the input itself: the output is split into regions whose windows cover the same taps
// inside the input (the interior reads all of them, each border fewer), one block each. With
// an epilogue, each region's block writes a scratch buffer, and a block right after it
// applies the epilogue to that region into `out`.
LogicalResult lowerConvByRegions(KernelBuilder &kb, ConvOp op, ArrayRef<Operation *> epilogue,
                                 Value out) {
  auto outType = op.getType();
  int64_t rank = outType.getRank();
  if (llvm::cast<MemRefType>(out.getType()).getRank() != rank)
    return lowerPointwise(kb, op, out);
  auto inShape = op.getInput().getType().getShape();
  auto weightShape = op.getWeight().getType().getShape();
  size_t spatial = rank - 2;
  bool implicitPadding = readsInputByRegions(op);
  Operation *unsupported = nullptr;
  // With an epilogue, a region's block writes a scratch buffer of the region's shape (whole,
  // at its iter vars: the shape the schedule can move a consumer under its tiles), and a block
  // right after it applies the epilogue into `out`.
  auto regionTarget = [&](ArrayRef<Axis> axes, SmallVector<AffineExpr> &outIdx) -> Value {
    if (epilogue.empty())
      return out;
    SmallVector<int64_t> shape;
    outIdx.clear();
    for (const Axis &a : axes)
      if (!a.reduce) {
        outIdx.push_back(getAffineDimExpr(shape.size(), op.getContext()));
        shape.push_back(a.extent);
      }
    return kb.allocate(MemRefType::get(shape, outType.getElementType()));
  };
  auto emitRegionEpilogue = [&](StringRef name, ArrayRef<Axis> axes, Value scratch,
                                ArrayRef<AffineExpr> scratchIdx, ArrayRef<AffineExpr> outIdx) {
    if (epilogue.empty())
      return;
    SmallVector<Axis> spatialAxes(llvm::make_filter_range(axes, [](const Axis &a) {
      return !a.reduce;
    }));
    kb.emitBlock((name + "_epilogue").str(), spatialAxes, [&](OpBuilder &rb, ValueRange iv) {
      Value v = kb.load(rb, scratch, scratchIdx, iv);
      if (Value y = applyEpilogue(kb, rb, epilogue, op.getResult(), v, outIdx, iv, unsupported))
        kb.store(rb, y, out, outIdx, iv);
    });
  };
  Value input = implicitPadding ? kb.buffer(op.getInput())
                                : emitPad(kb, op.getInput(), op.getPads(), 0.0, /*firstSpatial=*/1);
  // Padded explicitly, one range per dim covers every output and every tap of the copy.
  SmallVector<SmallVector<WindowRange>> perDim;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t outSize = outType.getDimSize(i + 1);
    if (implicitPadding)
      perDim.push_back(windowRanges(outSize, inShape[i + 1], weightShape[i], op.getStrides()[i],
                                    op.getDilations()[i], op.getPads()[i]));
    else
      perDim.push_back({{0, outSize, 0, weightShape[i]}});
  }

  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned f = spatial + 1, rc = spatial + 2;
  Value weight = kb.buffer(op.getWeight());
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();
  for (const SmallVector<WindowRange> &region : cartesianProduct<WindowRange>(perDim)) {
    // Axes n, the region's output positions, f; then the reduce axes rc and the taps.
    SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}};
    SmallVector<AffineExpr> outIdx = {d(0)}, inputIdx = {d(0)}, weightIdx;
    bool interior = true, tapless = false;
    for (size_t i = 0; i < spatial; ++i) {
      axes.push_back({spatialAxisName(i), region[i].count});
      outIdx.push_back(d(1 + i) + region[i].first);
      interior &= region[i].tapBegin == 0 && region[i].tapEnd == weightShape[i];
      tapless |= region[i].tapEnd == region[i].tapBegin;
    }
    axes.push_back({"f", outType.getDimSize(rank - 1)});
    outIdx.push_back(d(f));
    std::string name = interior ? "conv" : "conv_border";
    if (tapless) { // every tap of these outputs reads padding: the bias alone
      SmallVector<AffineExpr> targetIdx(outIdx);
      Value target = regionTarget(axes, targetIdx);
      emitBiasBlock(kb, name, axes, bias, target, targetIdx, /*channelDim=*/rank - 1);
      emitRegionEpilogue(name, axes, target, targetIdx, outIdx);
      continue;
    }
    axes.push_back({"rc", weightShape[spatial], true});
    for (size_t i = 0; i < spatial; ++i) {
      const WindowRange &r = region[i];
      axes.push_back({spatialAxisName(i, "r"), r.tapEnd - r.tapBegin, true});
      int64_t stride = op.getStrides()[i], dilation = op.getDilations()[i];
      int64_t shift = implicitPadding ? -op.getPads()[i] : 0; // the copy is already padded
      inputIdx.push_back(d(1 + i) * stride + d(rc + 1 + i) * dilation +
                         (r.first * stride + r.tapBegin * dilation + shift));
      weightIdx.push_back(d(rc + 1 + i) + r.tapBegin);
    }
    inputIdx.push_back(inputChannel(op, d(f), d(rc)));
    weightIdx.append({d(rc), d(f)});
    SmallVector<AffineExpr> targetIdx(outIdx);
    Value target = regionTarget(axes, targetIdx);
    emitConvolutionBlock(kb, name, axes, input, inputIdx, weight, weightIdx, bias, target,
                         /*channelDim=*/rank - 1, targetIdx);
    emitRegionEpilogue(name, axes, target, targetIdx, outIdx);
  }
  if (unsupported)
    return unsupported->emitOpError("has no f32 lowering");
  return success();
}

LogicalResult lowerChannelsLastConv(KernelBuilder &kb, ConvOp op, Value out) {
  return lowerConvByRegions(kb, op, {}, out);
}

} // namespace kiln::lowering
