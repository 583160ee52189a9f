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
#include "ir/graph/GraphDialect.h"
#include "ir/graph/Winograd.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// sum_k coefficient(k) * x[k] over the nonzero coefficients; +-1 add or subtract.
static Value combine(OpBuilder &rb, Location loc, ArrayRef<Value> xs,
                     llvm::function_ref<double(int64_t)> coefficient) {
  auto fm = arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
  Value sum;
  for (auto [k, x] : llvm::enumerate(xs)) {
    double c = coefficient(k);
    if (c == 0)
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

// L x R^T for an r x k matrix L and a c x k matrix R given as coefficient functions, x being
// k x k values: the two-sided transform of a tile (B^T d B or A^T M A), row-major r x c.
static SmallVector<Value> transformTile(OpBuilder &rb, Location loc, ArrayRef<Value> x, int64_t k,
                                        int64_t rows, int64_t cols,
                                        llvm::function_ref<double(int64_t, int64_t)> left,
                                        llvm::function_ref<double(int64_t, int64_t)> right) {
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
} // namespace

static LogicalResult lowerWinogradConv(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<WinogradConvOp>(operation);
  const WinogradMatrices &w = *winogradMatrices(op.getTile());
  int64_t m = w.tile, alpha = w.alpha;
  auto inShape = op.getInput().getType().getShape();
  auto outShape = op.getType().getShape();
  int64_t batch = outShape[0], channels = inShape[3], filters = outShape[3];
  int64_t tilesY = (outShape[1] + m - 1) / m, tilesX = (outShape[2] + m - 1) / m;
  ArrayRef<int64_t> pads = op.getPads();
  // Padded to whole tiles: tile t reads rows [t * m, t * m + alpha) of the copy.
  SmallVector<int64_t> tilePads = {pads[0], pads[1], tilesY * m + 2 - inShape[1] - pads[0],
                                   tilesX * m + 2 - inShape[2] - pads[1]};
  Value padded = emitPad(kb, op.getInput(), tilePads, 0.0, /*firstSpatial=*/1);
  Location loc = kb.loc;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Type f32 = Float32Type::get(ctx);

  // 1. Input transform: axes n, ty, tx, c.
  Value transformedInput =
      kb.allocate(MemRefType::get({alpha, alpha, batch, tilesY, tilesX, channels}, f32));
  SmallVector<Axis> tileAxes = {{"n", batch}, {"ty", tilesY}, {"tx", tilesX}, {"c", channels}};
  kb.emitBlock("winograd_input", tileAxes, [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<Value> patch;
    for (int64_t a = 0; a < alpha; ++a)
      for (int64_t b = 0; b < alpha; ++b)
        patch.push_back(kb.load(rb, padded, {d(0), d(1) * m + a, d(2) * m + b, d(3)}, iv));
    SmallVector<Value> v = transformTile(
        rb, loc, patch, alpha, alpha, alpha, [&](int64_t r, int64_t a) { return w.bt(r, a); },
        [&](int64_t c, int64_t b) { return w.bt(c, b); });
    for (int64_t xi = 0; xi < alpha; ++xi)
      for (int64_t nu = 0; nu < alpha; ++nu)
        kb.store(rb, v[xi * alpha + nu], transformedInput,
                 {getAffineConstantExpr(xi, ctx), getAffineConstantExpr(nu, ctx), d(0), d(1),
                  d(2), d(3)},
                 iv);
  });

  // 2. The GEMMs: axes xi, nu, n, ty, tx, f, then the reduce axis rc.
  Value products =
      kb.allocate(MemRefType::get({alpha, alpha, batch, tilesY, tilesX, filters}, f32));
  SmallVector<Axis> gemmAxes = {{"xi", alpha},   {"nu", alpha},     {"n", batch},
                                {"ty", tilesY},  {"tx", tilesX},    {"f", filters},
                                {"rc", channels, true}};
  emitConvolutionBlock(kb, "winograd_gemm", gemmAxes, transformedInput,
                       {d(0), d(1), d(2), d(3), d(4), d(6)}, kb.buffer(op.getWeight()),
                       {d(0), d(1), d(6), d(5)}, Value(), products, /*channelDim=*/5);

  // 3. Output transform, one block per range of equally cut tiles: axes n, ty, tx, f.
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();
  auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
  for (const SmallVector<TileRange> &region :
       cartesianProduct<TileRange>({tileRanges(outShape[1], m), tileRanges(outShape[2], m)})) {
    const TileRange &ry = region[0], &rx = region[1];
    bool whole = ry.rows == m && rx.rows == m;
    SmallVector<Axis> axes = {{"n", batch}, {"ty", ry.count}, {"tx", rx.count}, {"f", filters}};
    AffineExpr ty = d(1) + ry.first, tx = d(2) + rx.first;
    kb.emitBlock(whole ? "winograd_output" : "winograd_output_edge", axes,
                 [&](OpBuilder &rb, ValueRange iv) {
                   SmallVector<Value> tile;
                   for (int64_t xi = 0; xi < alpha; ++xi)
                     for (int64_t nu = 0; nu < alpha; ++nu)
                       tile.push_back(kb.load(rb, products,
                                              {getAffineConstantExpr(xi, ctx),
                                               getAffineConstantExpr(nu, ctx), d(0), ty, tx,
                                               d(3)},
                                              iv));
                   auto at = [&](int64_t r, int64_t k) { return w.at(r, k); };
                   SmallVector<Value> y =
                       transformTile(rb, loc, tile, alpha, ry.rows, rx.rows, at, at);
                   Value b = bias ? kb.load(rb, bias, {d(3)}, iv) : Value();
                   for (int64_t i = 0; i < ry.rows; ++i)
                     for (int64_t j = 0; j < rx.rows; ++j) {
                       Value v = y[i * rx.rows + j];
                       if (b)
                         v = rb.create<arith::AddFOp>(loc, v, b, fm);
                       kb.store(rb, v, out, {d(0), ty * m + i, tx * m + j, d(3)}, iv);
                     }
                 });
  }
  return success();
}

void populateWinogradLowerings(LoweringRegistry &registry) {
  registry[WinogradConvOp::getOperationName()] = lowerWinogradConv;
}

} // namespace kiln::lowering
