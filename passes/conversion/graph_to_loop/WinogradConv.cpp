// Lowering of kg.winograd_conv: F(m x m, 3 x 3) in three stages (ir/graph/Winograd.h).
//
//   V[xi, nu, n, ty, tx, c] = (B^T d B)[xi, nu], d the (m + 2)^2 patch of tile (ty, tx)
//   M[xi, nu, n, ty, tx, f] = sum_c V[xi, nu, n, ty, tx, c] * U[xi, nu, c, f]
//   out[n, ty * m + i, tx * m + j, f] = (A^T M A)[i, j] + bias[f]
//
// The middle stage is (m + 2)^2 independent GEMMs, a reduction block the schedules tile like a
// 1x1 convolution (lanes along f, the constant U laid out in panels). The transforms compute a
// whole tile per (n, ty, tx, channel): the block body holds the sparse matrix products as
// straight-line adds and multiplies by the nonzero coefficients, and stores every element of
// the tile, so its loops run over tiles and channels alone (vectorized along the channel).
// The input transform reads the input unpadded: tiles whose patch crosses the border get
// their own blocks, which leave out the rows and columns in the padding (as the depthwise
// convolution does, ConvChannelsLast.cpp). The output transform applies the task's
// elementwise epilogue before its one store of each output.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/Winograd.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// sum_k coefficient(k) * x[k] over the nonzero coefficients, a null x[k] standing for 0;
// +-1 add or subtract.
static Value combine(OpBuilder &rb, Location loc, ArrayRef<Value> xs,
                     llvm::function_ref<double(int64_t)> coefficient) {
  auto fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
  Value sum;
  for (auto [k, x] : llvm::enumerate(xs)) {
    double c = coefficient(k);
    if (c == 0 || !x)
      continue;
    if (c == 1 || c == -1) {
      if (!sum)
        sum = c == 1 ? x : rb.create<arith::NegFOp>(loc, x, fm).getResult();
      else if (c == 1)
        sum = rb.create<arith::AddFOp>(loc, sum, x, fm);
      else
        sum = rb.create<arith::SubFOp>(loc, sum, x, fm);
      continue;
    }
    Value scale = rb.create<arith::ConstantOp>(loc, rb.getF32FloatAttr(float(c)));
    Value term = rb.create<arith::MulFOp>(loc, x, scale, fm);
    sum = sum ? rb.create<arith::AddFOp>(loc, sum, term, fm).getResult() : term;
  }
  if (!sum)
    sum = rb.create<arith::ConstantOp>(loc, rb.getF32FloatAttr(0.0f));
  return sum;
}

using Coefficients = llvm::function_ref<double(int64_t, int64_t)>;

// L x R^T for an r x k matrix L and a c x k matrix R given as coefficient functions, x being
// k x k values: the two-sided transform of a tile (B^T d B or A^T M A), row-major r x c.
static SmallVector<Value> transformTile(OpBuilder &rb, Location loc, ArrayRef<Value> x, int64_t k,
                                        int64_t rows, int64_t cols, Coefficients left,
                                        Coefficients right) {
  SmallVector<Value> half; // (L x)[r][b], rows x k
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < k; ++b) {
      SmallVector<Value> column;
      for (int64_t a = 0; a < k; ++a)
        column.push_back(x[a * k + b]);
      half.push_back(combine(rb, loc, column, [&](int64_t a) { return left(r, a); }));
    }
  SmallVector<Value> result;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      result.push_back(combine(rb, loc, ArrayRef<Value>(half).slice(r * k, k),
                               [&](int64_t b) { return right(c, b); }));
  return result;
}

namespace {
// Output tiles [first, first + count) along one dim, each with `rows` rows inside the output:
// the whole tile, or the part of the last one the output ends in.
struct TileRange {
  int64_t first, count, rows;
};

SmallVector<TileRange> tileRanges(int64_t outSize, int64_t tile) {
  SmallVector<TileRange> ranges;
  if (outSize / tile > 0)
    ranges.push_back({0, outSize / tile, tile});
  if (outSize % tile)
    ranges.push_back({outSize / tile, 1, outSize % tile});
  return ranges;
}

// The stages' shared facts: the matrices, the tile counts and the affine dims d0...
struct Stages {
  KernelBuilder &kb;
  mutable WinogradConvOp op; // MLIR op handles are not const-correct
  const WinogradMatrices &w;
  int64_t batch, channels, filters, tilesY, tilesX;

  AffineExpr d(unsigned i) const { return getAffineDimExpr(i, op.getContext()); }
  AffineExpr c(int64_t v) const { return getAffineConstantExpr(v, op.getContext()); }
};
} // namespace

// V[xi, nu, n, ty, tx, c] = (B^T d B)[xi, nu] for the input patch d of each tile, read from the
// unpadded input: one block per range of tiles whose patches cross the border alike, patch
// elements in the padding left out of the sums.
static Value emitInputTransform(const Stages &s) {
  KernelBuilder &kb = s.kb;
  int64_t m = s.w.tile, alpha = s.w.alpha;
  Value input = kb.buffer(s.op.getInput());
  auto inShape = s.op.getInput().getType().getShape();
  ArrayRef<int64_t> pads = s.op.getPads();
  Value transformed = kb.allocate(MemRefType::get(
      {alpha, alpha, s.batch, s.tilesY, s.tilesX, s.channels}, Float32Type::get(s.op.getContext())));
  SmallVector<SmallVector<WindowRange>> perDim = {
      windowRanges(s.tilesY, inShape[1], alpha, m, 1, pads[0]),
      windowRanges(s.tilesX, inShape[2], alpha, m, 1, pads[1])};
  for (const SmallVector<WindowRange> &region : cartesianProduct<WindowRange>(perDim)) {
    const WindowRange &ry = region[0], &rx = region[1];
    bool interior = ry.tapBegin == 0 && ry.tapEnd == alpha && rx.tapBegin == 0 && rx.tapEnd == alpha;
    SmallVector<Axis> axes = {
        {"n", s.batch}, {"ty", ry.count}, {"tx", rx.count}, {"c", s.channels}};
    AffineExpr ty = s.d(1) + ry.first, tx = s.d(2) + rx.first;
    kb.emitBlock(interior ? "winograd_input" : "winograd_input_edge", axes,
                 [&](OpBuilder &rb, ValueRange iv) {
                   SmallVector<Value> patch(alpha * alpha);
                   for (int64_t a = ry.tapBegin; a < ry.tapEnd; ++a)
                     for (int64_t b = rx.tapBegin; b < rx.tapEnd; ++b)
                       patch[a * alpha + b] =
                           kb.load(rb, input,
                                   {s.d(0), ty * m + (a - pads[0]), tx * m + (b - pads[1]), s.d(3)},
                                   iv);
                   auto bt = [&](int64_t r, int64_t k) { return s.w.bt(r, k); };
                   SmallVector<Value> v = transformTile(rb, kb.loc, patch, alpha, alpha, alpha, bt, bt);
                   for (int64_t xi = 0; xi < alpha; ++xi)
                     for (int64_t nu = 0; nu < alpha; ++nu)
                       kb.store(rb, v[xi * alpha + nu], transformed,
                                {s.c(xi), s.c(nu), s.d(0), ty, tx, s.d(3)}, iv);
                 });
  }
  return transformed;
}

// M[xi, nu, n, ty, tx, f] = sum_rc V[xi, nu, n, ty, tx, rc] * U[xi, nu, rc, f].
static Value emitProducts(const Stages &s, Value transformedInput) {
  int64_t alpha = s.w.alpha;
  Value products = s.kb.allocate(MemRefType::get(
      {alpha, alpha, s.batch, s.tilesY, s.tilesX, s.filters}, Float32Type::get(s.op.getContext())));
  SmallVector<Axis> axes = {{"xi", alpha},    {"nu", alpha},     {"n", s.batch},
                            {"ty", s.tilesY}, {"tx", s.tilesX},  {"f", s.filters},
                            {"rc", s.channels, true}};
  emitConvolutionBlock(s.kb, "winograd_gemm", axes, transformedInput,
                       {s.d(0), s.d(1), s.d(2), s.d(3), s.d(4), s.d(6)},
                       s.kb.buffer(s.op.getWeight()), {s.d(0), s.d(1), s.d(6), s.d(5)}, Value(),
                       products, /*channelDim=*/5);
  return products;
}

// out[n, ty * m + i, tx * m + j, f] = epilogue((A^T M A)[i, j] + bias[f]), one block per range
// of tiles cut alike by the output's end. Returns the epilogue op with no f32 form, if any.
static Operation *emitOutputTransform(const Stages &s, Value products,
                                      ArrayRef<Operation *> epilogue, Value out) {
  KernelBuilder &kb = s.kb;
  int64_t m = s.w.tile, alpha = s.w.alpha;
  auto outShape = s.op.getType().getShape();
  Value bias = s.op.getBias() ? kb.buffer(s.op.getBias()) : Value();
  auto fm = arith::FastMathFlagsAttr::get(s.op.getContext(), kFastMath);
  Operation *unsupported = nullptr;
  for (const SmallVector<TileRange> &region :
       cartesianProduct<TileRange>({tileRanges(outShape[1], m), tileRanges(outShape[2], m)})) {
    const TileRange &ry = region[0], &rx = region[1];
    SmallVector<Axis> axes = {{"n", s.batch}, {"ty", ry.count}, {"tx", rx.count}, {"f", s.filters}};
    AffineExpr ty = s.d(1) + ry.first, tx = s.d(2) + rx.first;
    bool whole = ry.rows == m && rx.rows == m;
    kb.emitBlock(whole ? "winograd_output" : "winograd_output_edge", axes,
                 [&](OpBuilder &rb, ValueRange iv) {
      SmallVector<Value> tile;
      for (int64_t xi = 0; xi < alpha; ++xi)
        for (int64_t nu = 0; nu < alpha; ++nu)
          tile.push_back(kb.load(rb, products, {s.c(xi), s.c(nu), s.d(0), ty, tx, s.d(3)}, iv));
      auto at = [&](int64_t r, int64_t k) { return s.w.at(r, k); };
      SmallVector<Value> y = transformTile(rb, kb.loc, tile, alpha, ry.rows, rx.rows, at, at);
      Value b = bias ? kb.load(rb, bias, {s.d(3)}, iv) : Value();
      for (int64_t i = 0; i < ry.rows; ++i)
        for (int64_t j = 0; j < rx.rows; ++j) {
          Value v = y[i * rx.rows + j];
          if (b)
            v = rb.create<arith::AddFOp>(kb.loc, v, b, fm);
          SmallVector<AffineExpr> index = {s.d(0), ty * m + i, tx * m + j, s.d(3)};
          v = applyEpilogue(kb, rb, epilogue, s.op.getResult(), v, index, iv, unsupported);
          if (!v)
            return;
          kb.store(rb, v, out, index, iv);
        }
    });
  }
  return unsupported;
}

LogicalResult lowerWinogradConv(KernelBuilder &kb, Operation *winogradConv,
                                ArrayRef<Operation *> epilogue, Value out) {
  auto op = llvm::cast<WinogradConvOp>(winogradConv);
  const WinogradMatrices &w = *winogradMatrices(op.getTile());
  auto outShape = op.getType().getShape();
  Stages s{kb,
           op,
           w,
           outShape[0],
           op.getInput().getType().getDimSize(3),
           outShape[3],
           (outShape[1] + w.tile - 1) / w.tile,
           (outShape[2] + w.tile - 1) / w.tile};
  Value products = emitProducts(s, emitInputTransform(s));
  if (Operation *unsupported = emitOutputTransform(s, products, epilogue, out))
    return unsupported->emitOpError("has no f32 lowering");
  return success();
}

} // namespace kiln::lowering
