// How a block touches its buffers: bytes, footprints per loop level, cache lines, strides, reuse.
//
// Every access index is composed with the block's bindings into an affine function of the
// enclosing loop variables. The footprint of the innermost k loops is the bounding box of
// the indices with the outer loops held at 0 (exprRange), which is exact for the
// rectangular tiles schedules make and a fair bound for the rest.
#include "autotuner/features/BlockAnalysis.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace kiln::autotuner::detail {
namespace {

constexpr double kLineBytes = 64;
// Stride given to an access whose index is not affine (a gather): treated as scattered.
constexpr double kUnknownStride = 64;

struct Access {
  AffineMap map; // over loop positions; null when not affine
  bool write;
  bool init;
};

struct Buffer {
  Value value;
  llvm::SmallVector<int64_t> shape, rowStrides;
  double elemBytes = 4;
  llvm::SmallVector<Access, 4> accesses;
  llvm::SmallVector<double> elems, lines; // footprint of the innermost k loops, k = 0..n
  BufferStats stats;
};


int64_t offsetAt(const Buffer &b, AffineMap map, ArrayRef<int64_t> point) {
  int64_t offset = 0;
  for (unsigned d = 0; d < map.getNumResults(); ++d)
    offset += loop::evaluateAffineExpr(map.getResult(d), point) * b.rowStrides[d];
  return offset;
}

bool dependsOnLoop(AffineMap map, unsigned loop) {
  return llvm::any_of(map.getResults(), [&](AffineExpr e) { return e.isFunctionOfDim(loop); });
}

// Elements between consecutive iterations of `loop`: the unit step from 0, or the mean step
// over the loop when that one is 0 (a floordiv that moves every few iterations).
double strideAlong(const Buffer &b, AffineMap map, unsigned loop, int64_t extent) {
  if (!dependsOnLoop(map, loop))
    return 0;
  llvm::SmallVector<int64_t, 8> point(map.getNumDims(), 0);
  int64_t base = offsetAt(b, map, point);
  point[loop] = 1;
  int64_t step = std::llabs(offsetAt(b, map, point) - base);
  if (step != 0 || extent <= 1)
    return double(step);
  point[loop] = extent - 1;
  double mean = std::fabs(double(offsetAt(b, map, point) - base)) / double(extent - 1);
  return std::max(1.0, std::ceil(mean));
}

// Footprint (elements, cache lines) of `b` over the innermost k loops.
std::pair<double, double> footprint(const Buffer &b, ArrayRef<int64_t> extents) {
  double elems = 1, run = 1, outer = 1;
  bool contiguous = true;
  for (int d = int(b.shape.size()) - 1; d >= 0; --d) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const Access &a : b.accesses) {
      int64_t alo = 0, ahi = b.shape[d] - 1;
      if (a.map)
        std::tie(alo, ahi) = loop::exprRange(a.map.getResult(d), extents);
      lo = std::min(lo, alo);
      hi = std::max(hi, ahi);
    }
    lo = std::max<int64_t>(lo, 0);
    hi = std::min<int64_t>(hi, b.shape[d] - 1);
    double range = hi >= lo ? double(hi - lo + 1) : 0;
    elems *= range;
    // Trailing dims covered whole stay one contiguous run with the next dim's range.
    if (contiguous)
      run *= range;
    else
      outer *= range;
    if (range < double(b.shape[d]))
      contiguous = false;
  }
  double lines = outer * std::ceil(run * b.elemBytes / kLineBytes);
  return {elems, lines};
}

Buffer &bufferOf(llvm::SmallVectorImpl<Buffer> &buffers, Value value) {
  for (Buffer &b : buffers)
    if (b.value == value)
      return b;
  Buffer &b = buffers.emplace_back();
  b.value = value;
  auto type = cast<MemRefType>(value.getType());
  for (int64_t size : type.getShape())
    b.shape.push_back(ShapedType::isDynamic(size) ? 1 : std::max<int64_t>(size, 1));
  b.rowStrides.assign(b.shape.size(), 1);
  for (int d = int(b.shape.size()) - 2; d >= 0; --d)
    b.rowStrides[d] = b.rowStrides[d + 1] * b.shape[d + 1];
  Type elem = type.getElementType();
  b.elemBytes = elem.isIntOrFloat() ? std::max(1u, elem.getIntOrFloatBitWidth() / 8) : 8;
  b.stats.present = true;
  b.stats.local = value.getDefiningOp() != nullptr;
  b.stats.elemBytes = b.elemBytes;
  return b;
}

} // namespace

std::pair<double, double> analyzeBuffers(loop::BlockOp block, const Nest &nest,
                                         BlockStats &stats) {
  unsigned n = nest.loops.size();
  llvm::SmallVector<Buffer, 6> buffers;
  Value output;
  for (const loop::BufferAccess &a : loop::collectAccesses(block)) {
    Buffer &b = bufferOf(buffers, a.buffer);
    bool init = block.getInit().isAncestor(a.op->getParentRegion());
    AffineMap map = a.map ? a.map.compose(nest.bindings) : AffineMap();
    b.accesses.push_back({map, a.isWrite, init});
    (a.isWrite ? b.stats.write : b.stats.read) = true;
    if (a.isWrite && !init)
      output = a.buffer;
  }

  // Footprints of every buffer at every level, k innermost loops varying.
  llvm::SmallVector<int64_t, 8> levelExtents(n, 1);
  for (Buffer &b : buffers) {
    b.elems.resize(n + 1);
    b.lines.resize(n + 1);
  }
  for (unsigned k = 0; k <= n; ++k) {
    if (k > 0)
      levelExtents[n - k] = nest.extents[n - k];
    for (Buffer &b : buffers)
      std::tie(b.elems[k], b.lines[k]) = footprint(b, levelExtents);
  }
  auto levelBytes = [&](unsigned k) {
    double bytes = 0;
    for (const Buffer &b : buffers)
      bytes += b.elems[std::min(k, n)] * b.elemBytes;
    return bytes;
  };

  double touched = 0, unique = 0;
  double innerRuns = nest.iterations / double(n ? nest.extents[n - 1] : 1);
  for (Buffer &b : buffers) {
    BufferStats &s = b.stats;
    bool affine = true;
    for (const Access &a : b.accesses) {
      double count = a.init ? nest.spatialPoints : nest.iterations;
      s.bytes += count * b.elemBytes;
      s.accessesPerIter += a.init ? 0 : 1;
      affine &= bool(a.map);
      double stride = 0;
      if (!a.map)
        stride = kUnknownStride;
      else if (nest.strideLoop >= 0)
        stride = strideAlong(b, a.map, nest.strideLoop, nest.extents[nest.strideLoop]);
      s.stride = std::max(s.stride, stride);
    }
    s.strideClass = s.stride == 0 ? 0 : s.stride == 1 ? 1 : 2;
    s.uniqueBytes = b.elems[n] * b.elemBytes;
    s.uniqueLines = b.lines[n];
    s.lines = innerRuns * b.lines[std::min(1u, n)];
    touched += s.bytes;
    unique += s.uniqueBytes;

    // Reuse at the innermost loop (of extent > 1) along which no access of b moves.
    int reuseLoop = -1;
    for (int l = int(n) - 1; affine && l >= 0 && reuseLoop < 0; --l)
      if (nest.extents[l] > 1 &&
          llvm::none_of(b.accesses, [&](const Access &a) { return dependsOnLoop(a.map, l); }))
        reuseLoop = l;
    if (reuseLoop >= 0) {
      unsigned inside = n - 1 - reuseLoop;
      s.reuseType = 1;
      s.reuseDistIters = 1;
      for (unsigned l = reuseLoop + 1; l < n; ++l)
        s.reuseDistIters *= double(nest.extents[l]);
      s.reuseDistBytes = levelBytes(inside);
      s.reuseCount = double(nest.extents[reuseLoop]);
    } else if (b.accesses.size() > 1) {
      s.reuseType = 2;
      s.reuseDistIters = 1;
      s.reuseDistBytes = levelBytes(0);
      s.reuseCount = double(b.accesses.size() - 1);
    }
    s.bytesPerReuse = s.bytes / std::max(1.0, s.reuseCount);
  }

  for (unsigned k = 1; k <= kInnerLevels; ++k)
    stats.innerFootprint[k - 1] = levelBytes(k);
  stats.parallelIterFootprint =
      levelBytes(nest.outerParallelLoop >= 0 ? n - 1 - nest.outerParallelLoop : n);
  if (output) {
    const Buffer &out = bufferOf(buffers, output);
    double elems = 1;
    for (int64_t size : out.shape)
      elems *= double(size);
    stats.outputBytes = elems * out.elemBytes;
    stats.outputLocal = out.stats.local;
  }

  llvm::SmallVector<unsigned, 6> order(buffers.size());
  for (unsigned i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(), [&](unsigned a, unsigned b) {
    double ba = buffers[a].stats.bytes, bb = buffers[b].stats.bytes;
    return ba != bb ? ba > bb : a < b; // ties keep program order
  });
  stats.numBuffers = std::min<unsigned>(buffers.size(), kMaxBuffers);
  for (unsigned i = 0; i < stats.numBuffers; ++i)
    stats.buffers[i] = buffers[order[i]].stats;
  return {touched, unique};
}

} // namespace kiln::autotuner::detail
