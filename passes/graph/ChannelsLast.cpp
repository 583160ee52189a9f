// Convolutions in channels-last layout, with the layout changes moved to where they cancel.
//
// Every convolution or transposed convolution with a constant f32 weight becomes transpose ->
// conv {channels_last} -> transpose back. The transposes back then sink through the
// elementwise ops and max/average pools that follow (activations, residual adds, ResNet's stem
// pool) and meet the next convolution's transpose, where the pair composes to the identity: a
// chain of them keeps channels last from its first convolution to its last, paying one
// transpose at each end (a concat or a graph output; a global average pool becomes a mean
// over H and W).
#include "ir/graph/ConstantData.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace kiln::graph {
#define GEN_PASS_DEF_CHANNELSLAST
#include "passes/graph/Passes.h.inc"

namespace {

// Fewer output channels than half an AVX-512 vector would idle most lanes of a
// channel-vectorized kernel; such a convolution keeps ONNX's layout.
constexpr int64_t kMinOutputChannels = 8;

// [0, 2, ..., rank-1, 1]: N x C x spatial... to N x spatial... x C.
SmallVector<int64_t> toChannelsLast(int64_t rank) {
  SmallVector<int64_t> perm = {0};
  for (int64_t d = 2; d < rank; ++d)
    perm.push_back(d);
  perm.push_back(1);
  return perm;
}

SmallVector<int64_t> inverse(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inv(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inv[perm[i]] = i;
  return inv;
}

// A constant f32 weight A x B x kernel... re-laid out as kernel... x B x A (`swap`) or
// kernel... x A x B, or null when the weight is not such a constant.
Value channelsLastWeight(Value weight, bool swap, PatternRewriter &rewriter) {
  auto constant = weight.getDefiningOp<ConstantOp>();
  auto type = llvm::cast<RankedTensorType>(weight.getType());
  if (!constant || !type.getElementType().isF32())
    return {};
  std::optional<std::vector<double>> values = readAsDouble(constant.getValue());
  if (!values)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rows = shape[0], cols = shape[1];
  int64_t taps = type.getNumElements() / (rows * cols);
  std::vector<float> laidOut(values->size());
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t b = 0; b < cols; ++b)
      for (int64_t t = 0; t < taps; ++t)
        laidOut[swap ? (t * cols + b) * rows + a : (t * rows + a) * cols + b] =
            float((*values)[(a * cols + b) * taps + t]);
  SmallVector<int64_t> newShape(shape.drop_front(2));
  if (swap)
    newShape.append({cols, rows});
  else
    newShape.append({rows, cols});
  return rewriter.create<ConstantOp>(
      weight.getLoc(), makeResourceF32(type.clone(newShape), laidOut, "channels_last_weight"));
}

// Whether a convolution is rewritten: enough output channels to fill the lanes, and a
// constant f32 weight, whose new layout is then free at run time.
template <typename ConvLike>
bool convertible(ConvLike conv) {
  auto weight = conv.getWeight().template getDefiningOp<ConstantOp>();
  return !conv.getChannelsLast() && conv.getType().getDimSize(1) >= kMinOutputChannels &&
         weight && conv.getWeight().getType().getElementType().isF32();
}

// conv(x) = transpose back(conv {channels_last}(transpose(x))), the weight F x C/group x
// kernel... (ConvOp) or C x F/group x kernel... (ConvTransposeOp) re-laid out with the output
// channels innermost.
template <typename ConvLike>
struct ConvToChannelsLast : OpRewritePattern<ConvLike> {
  using OpRewritePattern<ConvLike>::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvLike conv, PatternRewriter &rewriter) const override {
    if (!convertible(conv))
      return failure();
    RankedTensorType type = conv.getType();
    Value weight = channelsLastWeight(conv.getWeight(), std::is_same_v<ConvLike, ConvOp>,
                                      rewriter);
    if (!weight)
      return failure();
    SmallVector<int64_t> perm = toChannelsLast(type.getRank());
    Location loc = conv.getLoc();
    Value input = rewriter.create<TransposeOp>(loc, conv.getInput(), perm);
    auto lastConv = rewriter.create<ConvLike>(
        loc, input, weight, conv.getBias(), conv.getStridesAttr(), conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr(), rewriter.getUnitAttr());
    rewriter.replaceOpWithNewOp<TransposeOp>(conv, lastConv.getResult(), inverse(perm));
    return success();
  }
};

// transpose(transpose(x, p), q) = transpose(x, p o q); the identity then folds away.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp outer, PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> perm;
    for (int64_t p : outer.getPerm())
      perm.push_back(inner.getPerm()[p]);
    rewriter.replaceOpWithNewOp<TransposeOp>(outer, inner.getInput(), perm);
    return success();
  }
};

// e(transpose(a, p), transpose(b, p), c) = transpose(e(a, b, c'), p), where constant operands
// c (broadcast against the result) are transposed the other way and fold.
struct SinkTransposeThroughElementwise : RewritePattern {
  SinkTransposeThroughElementwise(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isElementwise(op) || op->getNumResults() != 1)
      return failure();
    auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    std::optional<SmallVector<int64_t>> perm;
    for (Value operand : op->getOperands()) {
      auto transpose = operand.getDefiningOp<TransposeOp>();
      if (!transpose)
        continue;
      if (transpose.getType().getShape() != type.getShape())
        return failure(); // broadcast along the transposed operand: keep the op as it is
      if (perm && ArrayRef<int64_t>(*perm) != transpose.getPerm())
        return failure();
      perm = SmallVector<int64_t>(transpose.getPerm());
    }
    if (!perm)
      return failure();
    SmallVector<int64_t> back = inverse(*perm);
    SmallVector<Value> operands;
    for (Value operand : op->getOperands()) {
      if (auto transpose = operand.getDefiningOp<TransposeOp>()) {
        operands.push_back(transpose.getInput());
        continue;
      }
      // Anything else must be a constant: transposing it costs nothing at run time.
      if (!operand.getDefiningOp<ConstantOp>())
        return failure();
      auto constType = llvm::cast<RankedTensorType>(operand.getType());
      Value c = operand;
      if (constType.getRank() < type.getRank()) {
        SmallVector<int64_t> shape(type.getRank() - constType.getRank(), 1);
        llvm::append_range(shape, constType.getShape());
        c = rewriter.create<ReshapeOp>(op->getLoc(), constType.clone(shape), c);
      }
      operands.push_back(rewriter.create<TransposeOp>(op->getLoc(), c, back));
    }
    SmallVector<int64_t> shape;
    for (int64_t d : back)
      shape.push_back(type.getDimSize(d));
    OperationState state(op->getLoc(), op->getName(), operands, {type.clone(shape)},
                         op->getAttrs());
    Operation *moved = rewriter.create(state);
    rewriter.replaceOpWithNewOp<TransposeOp>(op, moved->getResult(0), *perm);
    return success();
  }
};

// pool(transpose back(x)) = transpose back(pool {channels_last}(x)): max and average pooling
// between convolutions (ResNet's stem pool) take channels last too.
template <typename PoolOp>
struct PoolToChannelsLast : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp pool, PatternRewriter &rewriter) const override {
    auto transpose = pool.getInput().template getDefiningOp<TransposeOp>();
    int64_t rank = pool.getType().getRank();
    if (pool.getChannelsLast() || !transpose ||
        transpose.getPerm() != ArrayRef<int64_t>(inverse(toChannelsLast(rank))))
      return failure();
    SmallVector<NamedAttribute> attrs(pool->getAttrs());
    attrs.push_back(rewriter.getNamedAttr("channels_last", rewriter.getUnitAttr()));
    auto moved = rewriter.create<PoolOp>(pool.getLoc(), ValueRange{transpose.getInput()}, attrs);
    rewriter.replaceOpWithNewOp<TransposeOp>(pool, moved->getResult(0), transpose.getPerm());
    return success();
  }
};

// global_avg_pool(transpose back(x)) = reshape(reduce_mean(x) over the spatial dims): the
// mean runs along channel vectors, and moving the size-1 dims is a reshape, not a transpose.
struct GlobalPoolToChannelsLast : OpRewritePattern<GlobalAveragePoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GlobalAveragePoolOp pool,
                                PatternRewriter &rewriter) const override {
    auto transpose = pool.getInput().getDefiningOp<TransposeOp>();
    int64_t rank = pool.getType().getRank();
    if (!transpose || transpose.getPerm() != ArrayRef<int64_t>(inverse(toChannelsLast(rank))))
      return failure();
    SmallVector<int64_t> spatial;
    for (int64_t d = 1; d + 1 < rank; ++d)
      spatial.push_back(d);
    Value mean = rewriter.create<ReduceMeanOp>(pool.getLoc(), transpose.getInput(),
                                               rewriter.getDenseI64ArrayAttr(spatial),
                                               rewriter.getBoolAttr(true));
    rewriter.replaceOpWithNewOp<ReshapeOp>(pool, pool.getType(), mean);
    return success();
  }
};

struct ChannelsLastPass : impl::ChannelsLastBase<ChannelsLastPass> {
  using Base::Base;
  void runOnOperation() override {
    // Without a convolution to convert, the graph's own transposes stay where they are.
    bool any = false;
    getOperation().walk([&](Operation *op) {
      if (auto conv = llvm::dyn_cast<ConvOp>(op))
        any |= convertible(conv);
      else if (auto convTranspose = llvm::dyn_cast<ConvTransposeOp>(op))
        any |= convertible(convTranspose);
    });
    if (!any)
      return;
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToChannelsLast<ConvOp>, ConvToChannelsLast<ConvTransposeOp>,
                 ComposeTransposes, SinkTransposeThroughElementwise, PoolToChannelsLast<MaxPoolOp>,
                 PoolToChannelsLast<AveragePoolOp>, GlobalPoolToChannelsLast>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln::graph
