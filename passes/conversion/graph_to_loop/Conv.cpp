// Lowering of convolution and pooling (NCHW, any number of spatial dims).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

#include <limits>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

static const char *const kSpatialNames[] = {"y", "x", "z", "w"};

static std::string spatialName(size_t i, const char *prefix = "") {
  return std::string(prefix) + (i < 4 ? kSpatialNames[i] : ("s" + std::to_string(i)));
}

// Copies the input into a padded buffer: blocks fill the border with the pad value, another
// copies the input into the interior. All are plain affine nests that vectorize, where a
// single block with a bounds test per element would not.
static Value emitPad(KernelBuilder &kb, Value input, ArrayRef<int64_t> pads, double padValue) {
  auto type = llvm::cast<MemRefType>(kb.buffer(input).getType());
  size_t spatial = type.getRank() - 2;
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return kb.buffer(input);
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < spatial; ++i)
    shape[i + 2] += pads[i] + pads[i + spatial];
  Value padded = kb.allocate(MemRefType::get(shape, type.getElementType()));
  // Only the border needs the pad value: per spatial dim, the slabs before and after the
  // interior (corners are written by more than one slab, with the same value).
  for (size_t d = 2; d < shape.size(); ++d) {
    for (bool atEnd : {false, true}) {
      int64_t width = atEnd ? pads[d - 2 + spatial] : pads[d - 2];
      if (width == 0)
        continue;
      int64_t offset = atEnd ? shape[d] - width : 0;
      SmallVector<int64_t> slab(shape);
      slab[d] = width;
      kb.emitBlock("pad_fill", spatialAxes(slab), [&](OpBuilder &rb, ValueRange iv) {
        SmallVector<AffineExpr> at;
        for (size_t k = 0; k < shape.size(); ++k)
          at.push_back(rb.getAffineDimExpr(k) + (k == d ? offset : 0));
        kb.store(rb, kb.constantFloat(rb, type.getElementType(), padValue), padded, at, iv);
      });
    }
  }
  kb.emitBlock("pad_copy", spatialAxes(type.getShape()), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<AffineExpr> readExprs, writeExprs;
    for (size_t d = 0; d < shape.size(); ++d) {
      AffineExpr e = rb.getAffineDimExpr(d);
      readExprs.push_back(e);
      writeExprs.push_back(d < 2 ? e : e + pads[d - 2]);
    }
    Value v = kb.load(rb, kb.buffer(input), readExprs, iv);
    kb.store(rb, v, padded, writeExprs, iv);
  });
  return padded;
}

// For a strided convolution: the padded input split by phase, P[n, c, a..., q...] =
// padded[n, c, q * stride + a], so that each tap reads a unit-stride row of one phase (the
// window's x * stride + r becomes phase r mod stride, row x + r floordiv stride) and the
// output's spatial loops vectorize with contiguous loads.
static Value emitPhaseSplitPad(KernelBuilder &kb, Value input, ArrayRef<int64_t> pads,
                               ArrayRef<int64_t> strides) {
  auto type = llvm::cast<MemRefType>(kb.buffer(input).getType());
  size_t spatial = type.getRank() - 2;
  SmallVector<int64_t> shape = {type.getDimSize(0), type.getDimSize(1)};
  for (size_t i = 0; i < spatial; ++i)
    shape.push_back(strides[i]);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t padded = type.getDimSize(i + 2) + pads[i] + pads[i + spatial];
    int64_t rows = (padded + strides[i] - 1) / strides[i];
    // Whole 16-lane rows let the fill vectorize; the extra columns are never read.
    if (i + 1 == spatial)
      rows = (rows + 15) / 16 * 16;
    shape.push_back(rows);
  }
  Value split = kb.allocate(MemRefType::get(shape, type.getElementType()));
  kb.emitBlock("pad_fill", spatialAxes(shape), [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, kb.constantFloat(rb, type.getElementType(), 0.0), split, iv);
  });
  // One copy block per phase, over the rows of that phase that hold input (not padding):
  // stores are contiguous and loads stride by `stride`, so both vectorize.
  int64_t numPhases = 1;
  for (size_t i = 0; i < spatial; ++i)
    numPhases *= strides[i];
  for (int64_t phase = 0; phase < numPhases; ++phase) {
    SmallVector<int64_t> a(spatial), first(spatial), count(spatial);
    bool empty = false;
    for (int64_t i = spatial - 1, rest = phase; i >= 0; --i) {
      a[i] = rest % strides[i];
      rest /= strides[i];
      int64_t p = pads[i], st = strides[i], size = type.getDimSize(i + 2);
      first[i] = std::max<int64_t>(0, (p - a[i] + st - 1) / st);
      int64_t last = (size - 1 + p - a[i]) >= 0 ? (size - 1 + p - a[i]) / st : -1;
      count[i] = last - first[i] + 1;
      empty |= count[i] <= 0;
    }
    if (empty)
      continue;
    SmallVector<int64_t> box = {type.getDimSize(0), type.getDimSize(1)};
    box.append(count.begin(), count.end());
    kb.emitBlock("phase_copy", spatialAxes(box), [&](OpBuilder &rb, ValueRange iv) {
      SmallVector<AffineExpr> readExprs = {rb.getAffineDimExpr(0), rb.getAffineDimExpr(1)};
      SmallVector<AffineExpr> writeExprs = readExprs;
      for (size_t i = 0; i < spatial; ++i)
        writeExprs.push_back(rb.getAffineConstantExpr(a[i]));
      for (size_t i = 0; i < spatial; ++i) {
        AffineExpr q = rb.getAffineDimExpr(i + 2) + first[i];
        writeExprs.push_back(q);
        readExprs.push_back(q * strides[i] + (a[i] - pads[i]));
      }
      kb.store(rb, kb.load(rb, kb.buffer(input), readExprs, iv), split, writeExprs, iv);
    });
  }
  return split;
}

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
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value prod = rb.create<arith::MulFOp>(loc, kb.load(rb, input, inIdx, iv),
                                              kb.load(rb, weight, wIdx, iv), fm);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, rb.create<arith::AddFOp>(loc, acc, prod, fm), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = bias ? kb.load(rb, bias, {d(1)}, iv) : kb.constantFloat(rb, elementType, 0);
        kb.store(rb, init, out, outIdx, iv);
      });
  return success();
}

static LogicalResult lowerConv(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ConvOp>(operation);
  if (llvm::cast<MemRefType>(out.getType()).getRank() != op.getType().getRank())
    return lowerPointwiseConv(kb, op, out);
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  if (!llvm::isa<FloatType>(elementType))
    return op.emitOpError("is only supported on floating-point tensors");
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

  // Axes: n, f, spatial..., rc, r<spatial>...
  SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}, {"f", outType.getDimSize(1)}};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialName(i), outType.getDimSize(i + 2)});
  axes.push_back({"rc", weightShape[1], true});
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialName(i, "r"), weightShape[i + 2], true});

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
  SmallVector<AffineExpr> outIdx;
  for (size_t i = 0; i < 2 + spatial; ++i)
    outIdx.push_back(d(i));
  Location loc = kb.loc;

  kb.emitBlock(
      "conv", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, padded, inputIdx, iv);
        Value w = kb.load(rb, weight, weightIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        Value prod = rb.create<arith::MulFOp>(loc, x, w, fm);
        kb.store(rb, rb.create<arith::AddFOp>(loc, acc, prod, fm), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = bias ? kb.load(rb, bias, {d(1)}, iv) : kb.constantFloat(rb, elementType, 0);
        kb.store(rb, init, out, outIdx, iv);
      });
  return success();
}

template <typename PoolOp>
static LogicalResult lowerPool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<PoolOp>(operation);
  constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
  auto outType = llvm::cast<RankedTensorType>(op.getType());
  Type elementType = outType.getElementType();
  auto inType = llvm::cast<RankedTensorType>(op.getInput().getType());
  size_t spatial = outType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  // Pads past the input (ceil mode) read the pad value too: extend the end pads to cover.
  SmallVector<int64_t> fullPads(pads);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t needed = (outType.getDimSize(i + 2) - 1) * op.getStrides()[i] +
                     (kernel[i] - 1) * op.getDilations()[i] + 1;
    int64_t have = inType.getDimSize(i + 2) + pads[i] + pads[i + spatial];
    if (needed > have)
      fullPads[i + spatial] += needed - have;
  }
  double lowest = -std::numeric_limits<double>::infinity();
  Value padded = emitPad(kb, op.getInput(), fullPads, isMax ? lowest : 0.0);

  SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}, {"c", outType.getDimSize(1)}};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialName(i), outType.getDimSize(i + 2)});
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialName(i, "r"), kernel[i], true});
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inputIdx = {d(0), d(1)}, outIdx = {d(0), d(1)};
  for (size_t i = 0; i < spatial; ++i) {
    inputIdx.push_back(d(2 + i) * op.getStrides()[i] + d(2 + spatial + i) * op.getDilations()[i]);
    outIdx.push_back(d(2 + i));
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
          r = rb.create<arith::MaximumFOp>(loc, acc, x);
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
              int64_t begin = pads[i], size = inType.getDimSize(i + 2);
              Value valid = rb.create<arith::ConstantIndexOp>(loc, 0);
              Value one = rb.create<arith::ConstantIndexOp>(loc, 1);
              for (int64_t t = 0; t < k; ++t) {
                auto pos = rb.create<affine::AffineApplyOp>(
                    loc, AffineMap::get(1, 0, d(0) * s + t * dl), ValueRange{iv[2 + i]});
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
        kb.store(rb, kb.constantFloat(rb, elementType, isMax ? lowest : 0.0), out, outIdx, iv);
      });
  return success();
}

static LogicalResult lowerGlobalAveragePool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GlobalAveragePoolOp>(operation);
  auto inType = op.getInput().getType();
  Type elementType = inType.getElementType();
  SmallVector<Axis> axes = {{"n", inType.getDimSize(0)}, {"c", inType.getDimSize(1)}};
  int64_t count = 1;
  for (int64_t i = 2; i < inType.getRank(); ++i) {
    axes.push_back({spatialName(i - 2, "r"), inType.getDimSize(i), true});
    count *= inType.getDimSize(i);
  }
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> outIdx = {getAffineDimExpr(0, ctx), getAffineDimExpr(1, ctx)};
  for (int64_t i = 2; i < inType.getRank(); ++i)
    outIdx.push_back(getAffineConstantExpr(0, ctx));
  Location loc = kb.loc;
  kb.emitBlock(
      "global_avg_pool", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, kb.buffer(op.getInput()),
                          llvm::to_vector(llvm::map_range(llvm::seq<unsigned>(0, iv.size()),
                                                          [&](unsigned i) { return getAffineDimExpr(i, ctx); })),
                          iv);
        Value scaled = rb.create<arith::MulFOp>(loc, x, kb.constantFloat(rb, elementType, 1.0 / count), fm);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, rb.create<arith::AddFOp>(loc, acc, scaled, fm), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, elementType, 0.0), out, outIdx, iv);
      });
  return success();
}

void populateConvLowerings(LoweringRegistry &registry) {
  registry[ConvOp::getOperationName()] = lowerConv;
  registry[MaxPoolOp::getOperationName()] = lowerPool<MaxPoolOp>;
  registry[AveragePoolOp::getOperationName()] = lowerPool<AveragePoolOp>;
  registry[GlobalAveragePoolOp::getOperationName()] = lowerGlobalAveragePool;
}

} // namespace kiln::lowering
