// Per-block statistics: the loop nest (annotations, extents, roles), op counts, intensity.
#include "autotuner/features/BlockAnalysis.h"

#include "ir/loop/Analysis.h"

#include <algorithm>

using namespace mlir;

namespace kiln::autotuner::detail {

// Accumulator tiles up to this many bytes fit the vector register file (32 x 64 bytes).
constexpr double kRegisterFileBytes = 2048;

static Nest buildNest(loop::BlockOp block) {
  Nest nest;
  nest.loops = loop::enclosingLoops(block);
  unsigned n = nest.loops.size();
  MLIRContext *ctx = block.getContext();

  // Rebind the bindings from the block's loop-var operands to loop positions.
  llvm::SmallVector<AffineExpr, 8> replacements;
  for (Value v : block.getLoopVars()) {
    auto it = llvm::find_if(nest.loops,
                            [&](loop::ForOp l) { return l.getInductionVar() == v; });
    replacements.push_back(it == nest.loops.end()
                               ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(unsigned(it - nest.loops.begin()), ctx));
  }
  nest.bindings = block.getBindings().replaceDimsAndSymbols(replacements, {}, n, 0);

  nest.spatial.assign(n, false);
  nest.reduce.assign(n, false);
  for (unsigned i = 0; i < nest.bindings.getNumResults(); ++i)
    for (unsigned l = 0; l < n; ++l)
      if (nest.bindings.getResult(i).isFunctionOfDim(l))
        (block.isReduceVar(i) ? nest.reduce : nest.spatial)[l] = true;

  for (unsigned l = 0; l < n; ++l) {
    loop::ForOp loop = nest.loops[l];
    nest.extents.push_back(loop.getExtent());
    nest.kinds.push_back(loop.getKind());
    nest.iterations *= double(loop.getExtent());
    if (loop.getKind() == loop::ForOp::kVectorized)
      nest.strideLoop = int(l);
    if (loop.getKind() == loop::ForOp::kParallel && nest.outerParallelLoop < 0)
      nest.outerParallelLoop = int(l);
  }
  if (nest.strideLoop < 0 && n > 0)
    nest.strideLoop = int(n) - 1;
  for (unsigned i = 0; i < block.getNumIterVars(); ++i)
    if (!block.isReduceVar(i))
      nest.spatialPoints *= double(block.getDomains()[i]);
  return nest;
}

static void addScaled(OpCounts &total, const OpCounts &c, double times) {
  total.addSub += c.addSub * times;
  total.mul += c.mul * times;
  total.div += c.div * times;
  total.fmaLike += c.fmaLike * times;
  total.math += c.math * times;
  total.floatCmp += c.floatCmp * times;
  total.minMax += c.minMax * times;
  total.select += c.select * times;
  total.intArith += c.intArith * times;
  total.intCmp += c.intCmp * times;
  total.cast += c.cast * times;
}

static double floatOps(const OpCounts &c) {
  return c.addSub + c.mul + c.div + c.math + c.floatCmp + c.minMax;
}

static double allOps(const OpCounts &c) {
  return floatOps(c) + c.select + c.intArith + c.intCmp + c.cast;
}

static void loopFeatures(loop::BlockOp block, const Nest &nest, BlockStats &s) {
  unsigned n = nest.loops.size();
  s.numLoops = n;
  s.unrollProduct = s.parallelExtent = 1;
  int innermostReduce = -1;
  for (unsigned l = 0; l < n; ++l) {
    StringRef kind = nest.kinds[l];
    double extent = double(nest.extents[l]);
    if (kind == loop::ForOp::kVectorized) {
      s.vectorLanes = std::max(s.vectorLanes, 1.0) * extent;
      s.vectorOverReduce |= nest.reduce[l];
    } else if (kind == loop::ForOp::kUnrolled) {
      s.unrollProduct *= extent;
      s.numUnrolled += 1;
    } else if (kind == loop::ForOp::kParallel) {
      s.parallelExtent *= extent;
      s.numParallel += 1;
    }
    if (nest.spatial[l])
      s.innermostSpatialExtent = extent;
    if (nest.reduce[l]) {
      s.innermostReduceExtent = extent;
      innermostReduce = int(l);
    }
  }
  if (n > 0) {
    StringRef innerKind = nest.kinds[n - 1];
    s.vectorInnermost = innerKind == loop::ForOp::kVectorized;
    s.unrollInnermost = innerKind == loop::ForOp::kUnrolled;
    s.outerParallel = nest.kinds[0] == loop::ForOp::kParallel;
    s.innermostExtent = double(nest.extents[n - 1]);
    s.reduceInnermost = nest.reduce[n - 1];
  }
  s.workPerThread = nest.iterations / s.parallelExtent;

  // The accumulator stays in registers when the loops inside the innermost reduce loop form
  // a small fully unrolled/vectorized spatial tile (or there are none: a scalar accumulator).
  if (block.hasReduction() && innermostReduce >= 0) {
    s.accumulatorTile = 1;
    bool annotated = true;
    for (unsigned l = innermostReduce + 1; l < n; ++l) {
      s.accumulatorTile *= double(nest.extents[l]);
      StringRef kind = nest.kinds[l];
      annotated &= kind == loop::ForOp::kVectorized || kind == loop::ForOp::kUnrolled;
    }
    double elemBytes = 4;
    for (unsigned i = 0; i < s.numBuffers; ++i)
      if (s.buffers[i].write)
        elemBytes = s.buffers[i].elemBytes;
    s.accumulatorInRegisters = annotated && s.accumulatorTile * elemBytes <= kRegisterFileBytes;
  }
}

BlockStats analyzeBlock(loop::BlockOp block) {
  BlockStats s;
  Nest nest = buildNest(block);
  unsigned n = nest.loops.size();

  OpCounts body = countOps(block.getBody());
  addScaled(s.ops, body, nest.iterations);
  s.hasInit = block.getInitBlock() != nullptr;
  double initOps = 0;
  if (s.hasInit) {
    OpCounts init = countOps(block.getInit());
    addScaled(s.ops, init, nest.spatialPoints);
    initOps = allOps(init) * nest.spatialPoints;
  }
  s.flops = floatOps(s.ops);

  s.iterations = nest.iterations;
  s.points = 1;
  for (int64_t domain : block.getDomains())
    s.points *= double(domain);
  s.paddingRatio = s.iterations / std::max(1.0, s.points);
  s.predicated = !loop::bindingsStayInDomain(block);
  s.reduction = block.hasReduction();
  s.reduceVars = double(llvm::count(block.getIterKinds(), 1));

  auto [touched, unique] = analyzeBuffers(block, nest, s);
  s.intensityUnique = s.flops / std::max(1.0, unique);
  s.intensityTouched = s.flops / std::max(1.0, touched);
  double bodyFlops = floatOps(body);
  double innerIters = 1;
  for (unsigned k = 1; k <= kInnerLevels; ++k) {
    if (k <= n)
      innerIters *= double(nest.extents[n - k]);
    s.innerIntensity[k - 1] = bodyFlops * innerIters / std::max(1.0, s.innerFootprint[k - 1]);
  }

  loopFeatures(block, nest, s);
  double accessesPerIter = 0;
  for (unsigned i = 0; i < s.numBuffers; ++i)
    accessesPerIter += s.buffers[i].accessesPerIter;
  s.work = nest.iterations * std::max(1.0, allOps(body) + accessesPerIter) + initOps;
  s.underParallel = nest.outerParallelLoop >= 0;
  return s;
}

} // namespace kiln::autotuner::detail
