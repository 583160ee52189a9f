// Lowering of max (values and indices), average and global average pooling (NCHW, any
// number of spatial dims).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/Reduction.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// The lowest value of a kg element type as a pad value: -inf, or the integer minimum.
static double lowestPadValue(Type et) {
  if (llvm::isa<FloatType>(et))
    return -std::numeric_limits<double>::infinity();
  return isUnsignedInt(et) ? 0.0 : -std::ldexp(1.0, et.getIntOrFloatBitWidth() - 1);
}

// Where a pool's spatial dims start: after N and C, or channels last right after N.
template <typename PoolOp>
static size_t firstSpatialDim(PoolOp op) {
  if constexpr (std::is_same_v<PoolOp, MaxPoolIndicesOp>)
    return 2;
  else
    return op.getChannelsLast() ? 1 : 2;
}

// The input padded with `padValue` so that every window tap of the output is in bounds: the
// pads past the input (ceil mode) are added to the end pads.
template <typename PoolOp>
static Value padForWindows(KernelBuilder &kb, PoolOp op, double padValue) {
  auto outType = llvm::cast<RankedTensorType>(op.getType());
  auto inType = llvm::cast<RankedTensorType>(op.getInput().getType());
  size_t spatial = outType.getRank() - 2, first = firstSpatialDim(op);
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  SmallVector<int64_t> fullPads(pads);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t needed = (outType.getDimSize(i + first) - 1) * op.getStrides()[i] +
                     (kernel[i] - 1) * op.getDilations()[i] + 1;
    int64_t have = inType.getDimSize(i + first) + pads[i] + pads[i + spatial];
    if (needed > have)
      fullPads[i + spatial] += needed - have;
  }
  return emitPad(kb, op.getInput(), fullPads, padValue, first);
}

template <typename PoolOp>
static LogicalResult lowerPool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<PoolOp>(operation);
  constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
  auto outType = llvm::cast<RankedTensorType>(op.getType());
  Type elementType = outType.getElementType();
  if (!isMax && !llvm::isa<FloatType>(elementType))
    return op.emitOpError("is only supported on floating-point tensors, got ") << elementType;
  auto inType = llvm::cast<RankedTensorType>(op.getInput().getType());
  size_t spatial = outType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  Value padded = padForWindows(kb, op, isMax ? lowestPadValue(elementType) : 0.0);

  // Axes in the buffers' own order (n, c, spatial... or channels last n, spatial..., c), then
  // the window taps: the innermost spatial axis is the one contiguous in memory.
  bool last = op.getChannelsLast();
  size_t first = last ? 1 : 2, channel = last ? spatial + 1 : 1;
  SmallVector<Axis> axes(spatial + 2);
  axes[0] = {"n", outType.getDimSize(0)};
  axes[channel] = {"c", outType.getDimSize(channel)};
  for (size_t i = 0; i < spatial; ++i)
    axes[first + i] = {spatialAxisName(i), outType.getDimSize(first + i)};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i, "r"), kernel[i], true});
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inputIdx, outIdx;
  for (size_t k = 0; k < spatial + 2; ++k) {
    bool isSpatial = k >= first && k < first + spatial;
    size_t i = k - first;
    AffineExpr tap = isSpatial ? d(spatial + 2 + i) * op.getDilations()[i] : AffineExpr();
    inputIdx.push_back(isSpatial ? d(k) * op.getStrides()[i] + tap : d(k));
    outIdx.push_back(d(k));
  }
  // Average: each element is scaled by 1/count, count being the window size, or the number
  // of taps inside the unpadded input when count_include_pad is false.
  Location loc = kb.loc;
  kb.emitBlock(
      isMax ? "max_pool" : "avg_pool", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, padded, inputIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        Value r;
        if constexpr (isMax) {
          r = emitMax(kb, rb, elementType, acc, x);
        } else {
          Value count;
          if (op.getCountIncludePad()) {
            int64_t n = 1;
            for (int64_t k : kernel)
              n *= k;
            count = kb.constantFloat(rb, elementType, double(n));
          } else {
            // Valid taps along dim i: those with pad_begin <= y*s + r*d < pad_begin + size.
            Value total = rb.create<arith::ConstantIndexOp>(loc, 1);
            for (size_t i = 0; i < spatial; ++i) {
              int64_t s = op.getStrides()[i], dl = op.getDilations()[i], k = kernel[i];
              int64_t begin = pads[i], size = inType.getDimSize(i + first);
              Value valid = rb.create<arith::ConstantIndexOp>(loc, 0);
              Value one = rb.create<arith::ConstantIndexOp>(loc, 1);
              for (int64_t t = 0; t < k; ++t) {
                auto pos = rb.create<affine::AffineApplyOp>(
                    loc, AffineMap::get(1, 0, d(0) * s + t * dl), ValueRange{iv[first + i]});
                Value lo = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, pos,
                                                    rb.create<arith::ConstantIndexOp>(loc, begin));
                Value hi = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, pos,
                                                    rb.create<arith::ConstantIndexOp>(loc, begin + size));
                Value in = rb.create<arith::AndIOp>(loc, lo, hi);
                valid = rb.create<arith::AddIOp>(loc, valid, rb.create<arith::SelectOp>(
                    loc, in, one, rb.create<arith::ConstantIndexOp>(loc, 0)));
              }
              total = rb.create<arith::MulIOp>(loc, total, valid);
            }
            Value asInt = rb.create<arith::IndexCastOp>(loc, rb.getI64Type(), total);
            count = rb.create<arith::SIToFPOp>(loc, elementType, asInt);
          }
          r = rb.create<arith::AddFOp>(loc, acc, rb.create<arith::DivFOp>(loc, x, count, fm), fm);
        }
        kb.store(rb, r, out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = isMax ? emitExtreme(kb, rb, elementType, /*highest=*/false)
                           : kb.constantFloat(rb, elementType, 0.0);
        kb.store(rb, init, out, outIdx, iv);
      });
  return success();
}

// The window's first maximum as a flat index into the unpadded input: a running best value
// and its index, as in an arg reduction. Padded taps hold the lowest value and never win.
static LogicalResult lowerMaxPoolIndices(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<MaxPoolIndicesOp>(operation);
  auto inType = op.getInput().getType();
  Type et = inType.getElementType();
  auto outShape = op.getType().getShape();
  size_t spatial = outShape.size() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  Value padded = padForWindows(kb, op, lowestPadValue(et));
  Value best = kb.allocate(bufferType(outShape, et));
  SmallVector<Axis> axes = {{"n", outShape[0]}, {"c", outShape[1]}};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i), outShape[i + 2]});
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i, "r"), kernel[i], true});
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> paddedIdx = {d(0), d(1)}, outIdx = {d(0), d(1)}, position;
  for (size_t i = 0; i < spatial; ++i) {
    paddedIdx.push_back(d(2 + i) * op.getStrides()[i] + d(2 + spatial + i) * op.getDilations()[i]);
    outIdx.push_back(d(2 + i));
    position.push_back(paddedIdx.back() - pads[i]);
  }
  // Flat index: image (n, c) first, then the spatial position row- or column-major.
  AffineExpr flat = d(0) * inType.getDimSize(1) + d(1);
  int64_t imageSize = 1;
  for (size_t i = 0; i < spatial; ++i)
    imageSize *= inType.getDimSize(i + 2);
  flat = flat * imageSize;
  int64_t stride = 1;
  for (size_t k = 0; k < spatial; ++k) {
    size_t i = op.getColumnMajor() ? k : spatial - 1 - k;
    flat = flat + position[i] * stride;
    stride *= inType.getDimSize(i + 2);
  }
  auto flatMap = AffineMap::get(axes.size(), 0, flat);
  Location loc = kb.loc;
  kb.emitBlock(
      "max_pool_indices", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, padded, paddedIdx, iv), b = kb.load(rb, best, outIdx, iv);
        Value better = llvm::isa<FloatType>(et)
                           ? Value(rb.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, b))
                           : rb.create<arith::CmpIOp>(loc, isUnsignedInt(et) ? arith::CmpIPredicate::ugt
                                                                          : arith::CmpIPredicate::sgt,
                                                      x, b);
        Value index = rb.create<arith::IndexCastOp>(
            loc, rb.getI64Type(), rb.create<affine::AffineApplyOp>(loc, flatMap, iv));
        kb.store(rb, rb.create<arith::SelectOp>(loc, better, x, b), best, outIdx, iv);
        Value prev = kb.load(rb, out, outIdx, iv);
        kb.store(rb, rb.create<arith::SelectOp>(loc, better, index, prev), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, emitExtreme(kb, rb, et, /*highest=*/false), best, outIdx, iv);
        kb.store(rb, rb.create<arith::ConstantOp>(loc, rb.getI64IntegerAttr(0)), out, outIdx, iv);
      });
  return success();
}

// The mean over all spatial dims, kept as size-1 dims: a ReduceMean.
static LogicalResult lowerGlobalAveragePool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GlobalAveragePoolOp>(operation);
  auto spatial = llvm::to_vector(llvm::seq<int64_t>(2, op.getInput().getType().getRank()));
  return emitReduction(kb, "global_avg_pool", op.getInput(), spatial, /*keepdims=*/true,
                       /*mean=*/true, out);
}

void populatePoolLowerings(LoweringRegistry &registry) {
  registry[MaxPoolOp::getOperationName()] = lowerPool<MaxPoolOp>;
  registry[AveragePoolOp::getOperationName()] = lowerPool<AveragePoolOp>;
  registry[MaxPoolIndicesOp::getOperationName()] = lowerMaxPoolIndices;
  registry[GlobalAveragePoolOp::getOperationName()] = lowerGlobalAveragePool;
}

} // namespace kiln::lowering
