// The default schedule (rules in the style of TVM's MetaSchedule CPU defaults, without search)
// and the kiln-default-schedule pass.
//
//  1. Inline each injective block into its single reader, except a padding-like (select/if)
//     or transcendental producer into a reduction: it would be recomputed in the hot loop, so
//     (as TVM does on CPU) it stays a nest of its own.
//  2. Each reduction block (anchor), in a nest fresh from the lowering: tile the last spatial
//     loop by a vector width (whole if <= 16, else 16/8/4 when it divides, else the largest
//     divisor <= 16) and the one before by a register block (largest divisor <= 8, or an
//     imperfect, predicated 8/16 when the extent has only divisors <= 4, e.g. ViT's 197
//     tokens: the vector loop stays vectorizable under the invariant predicate), order
//     outer spatial / reduce / register / vector, fuse the outer spatial loops into one
//     parallel loop, hoist the init before the reduce loops, unroll the register loop and
//     vectorize the vector loop (when its accesses allow). All-spatial blocks after it that
//     read what it produces move into its parallel loop (reverse_compute_at) and vectorize.
//     A weight the vector lanes index (B of a matmul) is laid out in panels of one reduction
//     step by the vector width (layout_rewrite; codegen packs it at compile time).
//     A reduction that reads contiguously along its innermost reduce loop while its spatial
//     loops cannot vectorize (a row sum, a dot product against a transposed operand) is
//     rfactored instead: the reduce loop splits by 64/32/16/8 partial sums, vectorized, the
//     spatial loops fuse into the parallel loop, and the partials add up after the loop.
//  3. Every other nest: vector-tile the last loop, fuse the rest into a parallel loop. A
//     transpose (a read contiguous along an outer loop, gathered along the vector loop)
//     first tiles that outer loop by 16 inside the parallel loop, so that the gathers of
//     consecutive rows hit the same cache lines.
// Each step is a checked primitive; a step that is illegal (e.g. a strided access that cannot
// vectorize) is skipped, so the result is always a legal schedule, replayable from its trace.
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/Passes.h"
#include "passes/schedule/ChannelSlices.h"
#include "passes/schedule/RowwiseSchedule.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// Accumulator vectors per register block: 16 of AVX-512's 32 registers when each loaded
// input vector feeds all of them, 8 when every accumulator needs its own loads.
static constexpr int64_t kRegisterBlockWithReuse = 16, kRegisterBlock = 8;

static int64_t largestDivisorAtMost(int64_t n, int64_t bound) {
  for (int64_t d = std::min(n, bound); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

// Register block along an axis of extent n (not the vector axis): the largest divisor up to
// `bound`, or, when that is at most 4 on a longer axis (a prime like 197), `bound` itself as
// an imperfect tile: one predicated last tile beats re-reading every input once per row.
static int64_t registerTile(int64_t n, int64_t bound) {
  int64_t divisor = largestDivisorAtMost(n, bound);
  return divisor <= 4 && n > 16 ? bound : divisor;
}

// Vector width for a loop of extent n: all of it up to 16, else a full 16- or 8-lane vector
// when one divides n (no remainder, no predicate), else the largest divisor up to 16: for
// 28-wide rows one 14-lane op beats seven 4-lane ones.
int64_t vectorWidth(int64_t n) {
  if (n <= 16)
    return n;
  for (int64_t w : {16, 8})
    if (n % w == 0)
      return w;
  return largestDivisorAtMost(n, 16);
}

static void inlineProducers(func::FuncOp kernel, Schedule &s) {
  for (bool changed = true; changed;) {
    changed = false;
    for (const std::string &name : blockNames(kernel)) {
      BlockOp block = findBlock(kernel, name);
      SmallVector<Value> written = writtenBuffers(block);
      if (block.hasReduction() || written.size() != 1)
        continue;
      SmallVector<BlockOp> readers = readersOf(kernel, written[0]);
      if (readers.size() != 1 || readers[0] == block ||
          (expensiveToRecompute(block) && inliningMultipliesWork(block, readers[0])))
        continue;
      if (succeeded(s.computeInline(name))) {
        changed = true;
        break;
      }
    }
  }
}

// Vectorizes the loop directly around `block`, splitting off a vector-width loop when it is
// longer than a vector; returns false when it cannot be vectorized.
bool vectorizeInnermost(Schedule &s, BlockOp block) {
  auto loop = llvm::dyn_cast<ForOp>(block->getParentOp());
  if (!loop || loop.getExtent() < 2 || !vectorizeBlocker(loop, /*checkStructure=*/false).empty())
    return false;
  std::string name = loop.getLoopName().str();
  if (loop.getExtent() > 64) {
    int64_t width = vectorWidth(loop.getExtent());
    auto names = width > 1 ? s.split(name, {-1, width}) : FailureOr<SmallVector<std::string>>();
    if (failed(names))
      return false;
    name = names->back();
  }
  return succeeded(s.vectorize(name));
}

// Weight panels enough to share among threads on their own (BERT-base's smallest matmul has 48).
constexpr int64_t kMinParallelPanels = 32;

// Whether loop `name` feeds an iter var of `block` whose domain is a run-time one.
static bool feedsRuntimeDomain(Schedule &s, BlockOp block, StringRef name) {
  ForOp loop = findLoop(s.getKernel(), name);
  for (unsigned k = 0; loop && k < block.getNumIterVars(); ++k)
    if (dynamicDomain(block, k) && dependsOn(block, k, loop.getInductionVar()))
      return true;
  return false;
}

// Puts the loops of `outer` (a perfect chain, outermost first) that feed a run-time domain of
// `blockName` first, keeping the order otherwise: the fused parallel loop can then stop at
// the run's size (codegen/cpu/LoopBounds.h) instead of wrapping around it.
static void symbolicLoopsFirst(Schedule &s, StringRef blockName, SmallVector<std::string> &outer) {
  BlockOp block = findBlock(s.getKernel(), blockName);
  if (!block || !hasDynamicDomains(block) || outer.size() < 2)
    return;
  SmallVector<std::string> order(outer);
  std::stable_partition(order.begin(), order.end(), [&](const std::string &name) {
    return feedsRuntimeDomain(s, block, name);
  });
  if (order != outer && succeeded(s.reorder(order)))
    outer = order;
}

// Fuses `outer` (a perfect chain, outermost first) into one loop and parallelizes it.
static std::string fuseParallel(Schedule &s, ArrayRef<std::string> outer) {
  std::string fused = outer.front();
  if (outer.size() > 1)
    if (auto name = s.fuse(outer); succeeded(name))
      fused = *name;
  (void)s.parallel(fused);
  return fused;
}

// A copy into panels: the innermost loop split by the vector width and vectorized (the split
// makes the panel index invariant along the lanes, which the unsplit loop hides from the
// vectorizer's check), every other loop fused into the parallel loop.
void scheduleNest(Schedule &s, StringRef blockName) {
  std::optional<SmallVector<ForOp>> loops = freshNest(findBlock(s.getKernel(), blockName));
  if (!loops)
    return;
  SmallVector<std::string> outer;
  for (ForOp loop : *loops)
    outer.push_back(loop.getLoopName().str());
  int64_t width = vectorWidth(loops->back().getExtent());
  if (width > 1 && width < loops->back().getExtent())
    if (auto parts = s.split(outer.back(), {-1, width}); succeeded(parts)) {
      outer.back() = (*parts)[0];
      (void)s.vectorize((*parts)[1]);
    }
  fuseParallel(s, outer);
}

// The register-block axis: a spatial iter var along which the block's vector-varying input
// loads stay the same, so each loaded vector feeds several accumulators (a conv's output
// channels, a matmul's rows). Falls back to the axis before the vector axis.
static std::pair<unsigned, bool> registerAxis(BlockOp block, ArrayRef<unsigned> spatial,
                                              unsigned vec, ArrayRef<int64_t> extents) {
  SmallVector<BufferAccess> accesses = collectAccesses(block, /*includeInit=*/false);
  llvm::SmallPtrSet<void *, 4> accumulators;
  for (const BufferAccess &a : accesses)
    if (a.isWrite)
      accumulators.insert(a.buffer.getAsOpaquePointer());
  for (unsigned k : llvm::reverse(spatial)) {
    if (k == vec || extents[k] == 1)
      continue;
    bool reused = llvm::all_of(accesses, [&](const BufferAccess &a) {
      if (a.isWrite || accumulators.contains(a.buffer.getAsOpaquePointer()))
        return true;
      return a.map && !(a.map.isFunctionOfDim(vec) && a.map.isFunctionOfDim(k));
    });
    if (reused)
      return {k, true};
  }
  return {spatial[spatial.size() - 2], false};
}

// Step 2 for one reduction block; returns the parallel loop epilogues go under.
static std::optional<std::string> scheduleReduction(Schedule &s, BlockOp block,
                                                    SmallVector<ForOp> loops) {
  std::string blockName = block.getBlockName().str();
  SmallVector<std::string> names, outer, reduce;
  SmallVector<unsigned> spatial;
  SmallVector<int64_t> extents;
  for (auto [k, loop] : llvm::enumerate(loops)) {
    names.push_back(loop.getLoopName().str());
    extents.push_back(loop.getExtent());
    if (block.isReduceVar(k)) {
      reduce.push_back(names.back());
    } else {
      outer.push_back(names.back());
      spatial.push_back(k);
    }
  }
  if (spatial.empty())
    return std::nullopt;
  // Decided before any split invalidates `loops`.
  unsigned vec = spatial.back();
  bool vectorizable = vectorizeBlocker(loops[vec], /*checkStructure=*/false).empty();

  // Splits spatial loop k into outer/inner; returns the inner loop's name. A loop no longer
  // than `width` is not split: it becomes the inner loop itself.
  auto tile = [&](unsigned k, int64_t width) -> std::string {
    if (width <= 1)
      return "";
    if (width == extents[k]) {
      outer.erase(llvm::find(outer, names[k]));
      return names[k];
    }
    auto parts = s.split(names[k], {-1, width});
    if (failed(parts))
      return "";
    *llvm::find(outer, names[k]) = (*parts)[0];
    return (*parts)[1];
  };
  std::string regLoop, vecLoop;
  bool reuses = false;
  int64_t regTile = 1;
  if (spatial.size() > 1) {
    auto [reg, reused] = registerAxis(block, spatial, vec, extents);
    reuses = reused;
    int64_t bound = reuses ? kRegisterBlockWithReuse : kRegisterBlock;
    // An imperfect tile only pays when the vector loop still vectorizes under its predicate.
    regTile = vectorizable ? registerTile(extents[reg], bound)
                           : largestDivisorAtMost(extents[reg], bound);
    regLoop = tile(reg, regTile);
  }
  int64_t width = vectorWidth(extents[vec]);
  if (vectorizable)
    vecLoop = tile(vec, width);

  // A weight the lanes index streams from memory once when its panels are the outermost
  // loop: every row tile then reuses a panel while it is in cache (instead of sweeping the
  // whole weight once per row tile).
  std::optional<int64_t> weight;
  if (!vecLoop.empty())
    weight = panelOperand(findBlock(s.getKernel(), blockName), vec);
  BlockOp scheduled = findBlock(s.getKernel(), blockName);
  bool rowsFollowSymbol = llvm::any_of(spatial, [&](unsigned k) {
    return k != vec && dynamicDomain(scheduled, k).has_value();
  });
  bool panelsFirst = false;
  if (auto panel = llvm::find(outer, names[vec] + ".0"); weight && panel != outer.end()) {
    std::rotate(outer.begin(), panel, panel + 1);
    panelsFirst = true;
  }
  // Batch loops (a Winograd convolution's 36 GEMMs) go before the panels: each GEMM's
  // operands then stay in cache across its panels, instead of every panel sweeping them all.
  if (weight)
    for (unsigned k : llvm::reverse(batchIterVars(scheduled, *weight)))
      if (auto it = llvm::find(outer, names[k]); k != vec && it != outer.end())
        std::rotate(outer.begin(), it, it + 1);
  // A short register block (a channels-last conv's 7 pixels) takes two vectors of the
  // lane axis (output channels): each broadcast input then feeds twice the accumulators.
  std::string laneGroupLoop;
  auto lanesOuter = llvm::find(outer, names[vec] + ".0");
  if (reuses && !regLoop.empty() && regTile < kRegisterBlock &&
      lanesOuter != outer.end() && (extents[vec] / width) % 2 == 0)
    if (auto parts = s.split(*lanesOuter, {-1, 2}); succeeded(parts)) {
      *lanesOuter = (*parts)[0];
      laneGroupLoop = (*parts)[1];
    }
  SmallVector<std::string> order(outer);
  order.append(reduce.begin(), reduce.end());
  for (const std::string &loop : {regLoop, laneGroupLoop, vecLoop})
    if (!loop.empty())
      order.push_back(loop);
  SmallVector<std::string> current;
  for (ForOp loop : enclosingLoops(block))
    current.push_back(loop.getLoopName().str());
  if (current != order)
    (void)s.reorder(order);
  // Rows that follow a symbolic dim: under the panels, the row loops stay serial (each stops
  // at the run's size, codegen/cpu/LoopBounds.h) and only the panels run in parallel, when
  // there are enough of them; otherwise the row loops go first in the parallel loop.
  SmallVector<std::string> parallel(outer);
  if (rowsFollowSymbol) {
    auto firstRow = llvm::find_if(outer, [&](const std::string &name) {
      return feedsRuntimeDomain(s, scheduled, name);
    });
    int64_t panels = 1;
    for (auto it = outer.begin(); it != firstRow; ++it)
      panels *= findLoop(s.getKernel(), *it).getExtent();
    if (panelsFirst && panels >= kMinParallelPanels)
      parallel.erase(parallel.begin() + (firstRow - outer.begin()), parallel.end());
    else
      symbolicLoopsFirst(s, blockName, parallel);
  }
  // A weight the vector lanes index is laid out at compile time in panels of one reduction
  // step by the vector width: each step then loads one contiguous vector.
  if (weight) {
    BlockOp reading = findBlock(s.getKernel(), blockName);
    bool constant = isConstantArgument(readBuffers(reading)[*weight]);
    FailureOr<std::string> copy = s.layoutRewrite(blockName, *weight, reduce.front());
    // A run-time operand's copy runs every call: in parallel, a vector at a time.
    if (succeeded(copy) && !constant)
      scheduleNest(s, *copy);
  }
  std::optional<std::string> parallelLoop;
  if (!parallel.empty())
    parallelLoop = fuseParallel(s, parallel);
  if (auto init = s.decomposeReduction(blockName, reduce.front()); succeeded(init))
    vectorizeInnermost(s, findBlock(s.getKernel(), *init));
  for (const std::string &loop : {regLoop, laneGroupLoop})
    if (!loop.empty())
      (void)s.unroll(loop);
  if (!vecLoop.empty())
    (void)s.vectorize(vecLoop);
  return parallelLoop;
}

// Step 2 for a reduction whose reads run contiguously along its innermost (reduce) loop while
// its spatial loops cannot vectorize: rfactor that loop into vector partial sums.
static std::optional<std::string> scheduleRfactor(Schedule &s, BlockOp block,
                                                  SmallVector<ForOp> loops, unsigned r) {
  std::string blockName = block.getBlockName().str();
  SmallVector<std::string> outer;
  for (auto [k, loop] : llvm::enumerate(loops))
    if (!block.isReduceVar(k))
      outer.push_back(loop.getLoopName().str());
  SmallVector<std::string> reduce;
  for (unsigned k = outer.size(); k < r; ++k)
    reduce.push_back(loops[k].getLoopName().str());
  std::string rLoop = loops[r].getLoopName().str();
  int64_t width = rfactorWidths(loops[r].getExtent()).front();
  auto parts = s.split(rLoop, {-1, width});
  if (failed(parts))
    return std::nullopt;
  reduce.push_back((*parts)[0]);
  FailureOr<std::string> partial = s.rfactor(blockName, (*parts)[1]);
  if (failed(partial))
    return std::nullopt;
  std::optional<std::string> parallelLoop;
  if (!outer.empty())
    parallelLoop = fuseParallel(s, outer);
  if (auto init = s.decomposeReduction(*partial, reduce.front()); succeeded(init))
    vectorizeInnermost(s, findBlock(s.getKernel(), *init));
  (void)s.vectorize((*parts)[1]);
  return parallelLoop;
}

// For a transpose-like block (a read gathered along the innermost loop, the one the stores
// run along, and contiguous along an outer loop): that outer loop, whose tile then keeps the
// lines the vector gathers touch in cache for the next iterations. A read that does not move
// along the innermost loop (a per-channel bias) is a broadcast, not a gather.
static std::optional<unsigned> gatherSourceLoop(BlockOp block, unsigned numLoops) {
  unsigned inner = numLoops - 1;
  for (const BufferAccess &a : collectAccesses(block, /*includeInit=*/false)) {
    if (a.isWrite || !a.map || a.map.getNumResults() == 0 || !a.map.isFunctionOfDim(inner))
      continue;
    AffineExpr last = a.map.getResult(a.map.getNumResults() - 1);
    if (last.isFunctionOfDim(inner))
      continue;
    for (unsigned k = 0; k < inner; ++k)
      if (last == getAffineDimExpr(k, block.getContext()))
        return k;
  }
  return std::nullopt;
}

// The tile of a transpose's source loop: 16 rows of gathers share their cache lines.
static constexpr int64_t kTransposeTile = 16;

static void scheduleSpatial(Schedule &s, SmallVector<ForOp> loops, StringRef blockName) {
  SmallVector<std::string> outer;
  for (ForOp loop : loops)
    outer.push_back(loop.getLoopName().str());
  std::optional<unsigned> source =
      gatherSourceLoop(findBlock(s.getKernel(), blockName), loops.size());
  std::string sourceName = source ? outer[*source] : "";
  int64_t sourceExtent = source ? loops[*source].getExtent() : 1;
  std::string vecLoop;
  ForOp last = loops.back();
  int64_t extent = last.getExtent(), width = vectorWidth(extent);
  if (width > 1 && vectorizeBlocker(last, /*checkStructure=*/false).empty()) {
    if (width == extent) {
      vecLoop = outer.pop_back_val();
    } else if (auto parts = s.split(outer.back(), {-1, width}); succeeded(parts)) {
      outer.back() = (*parts)[0];
      vecLoop = (*parts)[1];
    }
  }
  // A transpose walks its source in tiles: the source loop's inner part goes just outside
  // the vector loop.
  int64_t tile = largestDivisorAtMost(sourceExtent, kTransposeTile);
  if (!vecLoop.empty() && source && tile > 1) {
    std::string sourceInner;
    if (tile == sourceExtent) {
      outer.erase(llvm::find(outer, sourceName));
      sourceInner = sourceName;
    } else if (auto parts = s.split(sourceName, {-1, tile}); succeeded(parts)) {
      *llvm::find(outer, sourceName) = (*parts)[0];
      sourceInner = (*parts)[1];
    }
    if (!sourceInner.empty()) {
      SmallVector<std::string> order(outer);
      order.append({sourceInner, vecLoop});
      (void)s.reorder(order);
    }
  }
  symbolicLoopsFirst(s, blockName, outer);
  if (!outer.empty())
    fuseParallel(s, outer);
  if (!vecLoop.empty())
    (void)s.vectorize(vecLoop);
}

LogicalResult applyDefaultSchedule(func::FuncOp kernel, Schedule &s) {
  inlineProducers(kernel, s);
  if (scheduleRowwise(kernel, s, RowwiseChoice()))
    return verify(kernel);
  if (std::optional<int64_t> channels = sliceableChannels(kernel);
      channels && *channels >= kMinDefaultSliceChannels &&
      scheduleChannelSlices(kernel, s, /*lanes=*/16))
    return verify(kernel);
  llvm::StringSet<> done;
  SmallVector<std::string> order = blockNames(kernel);
  for (auto [index, name] : llvm::enumerate(order)) {
    if (done.contains(name))
      continue;
    BlockOp block = findBlock(kernel, name);
    std::optional<SmallVector<ForOp>> loops = freshNest(block);
    if (!loops)
      continue;
    if (!block.hasReduction()) {
      scheduleSpatial(s, *loops, name);
      continue;
    }
    std::optional<unsigned> r = rfactorLoop(block, *loops);
    std::optional<std::string> parallelLoop =
        r ? scheduleRfactor(s, block, *loops, *r) : scheduleReduction(s, block, *loops);
    if (!parallelLoop)
      continue;
    for (const std::string &next : ArrayRef<std::string>(order).drop_front(index + 1)) {
      BlockOp epilogue = findBlock(kernel, next);
      if (epilogue.hasReduction() || !freshNest(epilogue))
        continue;
      if (succeeded(s.reverseComputeAt(next, *parallelLoop))) {
        done.insert(next);
        vectorizeInnermost(s, findBlock(kernel, next));
      }
    }
  }
  return verify(kernel);
}

#define GEN_PASS_DEF_DEFAULTSCHEDULE
#include "passes/schedule/Passes.h.inc"

namespace {
struct DefaultSchedulePass : impl::DefaultScheduleBase<DefaultSchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<func::FuncOp> kernels;
    getOperation().walk([&](func::FuncOp f) {
      if (f->hasAttr("kiln.kernel"))
        kernels.push_back(f);
    });
    for (func::FuncOp kernel : kernels) {
      func::FuncOp original =
          checkRoundTrip ? llvm::cast<func::FuncOp>(kernel->clone()) : func::FuncOp();
      Schedule s(kernel);
      LogicalResult result = applyDefaultSchedule(kernel, s);
      if (failed(result))
        kernel.emitError("default schedule produced invalid IR");
      else
        result = reportTrace(kernel, original, s.trace(), printTrace, checkRoundTrip);
      if (original)
        original->erase();
      if (failed(result))
        return signalPassFailure();
    }
  }
};
} // namespace

} // namespace kiln::schedule
