// Padded copies of a convolution or pooling input: plain affine nests that vectorize.
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

using namespace mlir;

namespace kiln::lowering {

// Copies the input into a padded buffer: blocks fill the border with the pad value, another
// copies the input into the interior. All are plain affine nests that vectorize, where a
// single block with a bounds test per element would not.
Value emitPad(KernelBuilder &kb, Value input, ArrayRef<int64_t> pads, double padValue,
              size_t firstSpatial) {
  auto type = llvm::cast<MemRefType>(kb.buffer(input).getType());
  size_t spatial = type.getRank() - 2;
  if (llvm::all_of(pads, [](int64_t p) { return p == 0; }))
    return kb.buffer(input);
  // The pad before spatial dim `d` of the buffer (0 for batch and channels), or after it.
  auto padOf = [&](size_t d, bool atEnd) -> int64_t {
    if (d < firstSpatial || d >= firstSpatial + spatial)
      return 0;
    return pads[d - firstSpatial + (atEnd ? spatial : 0)];
  };
  SmallVector<int64_t> shape(type.getShape());
  for (size_t d = 0; d < shape.size(); ++d)
    shape[d] += padOf(d, false) + padOf(d, true);
  Value padded = kb.allocate(MemRefType::get(shape, type.getElementType()));
  // Only the border needs the pad value: per spatial dim, the slabs before and after the
  // interior (corners are written by more than one slab, with the same value).
  for (size_t d = 0; d < shape.size(); ++d) {
    for (bool atEnd : {false, true}) {
      int64_t width = padOf(d, atEnd);
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
      writeExprs.push_back(e + padOf(d, false));
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
Value emitPhaseSplitPad(KernelBuilder &kb, Value input, ArrayRef<int64_t> pads,
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

} // namespace kiln::lowering
