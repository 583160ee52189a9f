// The sketch rules other than multi-level tiling: inlining, spatial blocks, and the driver
// that picks a rule per block (in program order, as the default schedule does).
#include "autotuner/rules/SketchGenerator.h"
#include "passes/schedule/ChannelSlices.h"
#include "passes/schedule/RowwiseSchedule.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::autotuner::detail {

void SketchGenerator::inlineProducers() {
  llvm::StringSet<> kept;
  for (bool changed = true; changed;) {
    changed = false;
    for (const std::string &name : blockNames(kernel)) {
      BlockOp block = findBlock(kernel, name);
      SmallVector<Value> written = writtenBuffers(block);
      if (kept.contains(name) || block.hasReduction() || written.size() != 1)
        continue;
      SmallVector<BlockOp> readers = readersOf(kernel, written[0]);
      if (readers.size() != 1 || readers[0] == block)
        continue;
      // Inlining an expensive producer where it would run more often (into a reduction, or
      // a broadcast) is a choice (off by default).
      if (expensiveToRecompute(block) && inliningMultipliesWork(block, readers[0]) &&
          !flag("inline:" + name, 0.25)) {
        kept.insert(name);
        continue;
      }
      if (succeeded(s.computeInline(name))) {
        changed = true;
        break;
      }
      kept.insert(name);
    }
  }
}

void SketchGenerator::scheduleSpatial(SmallVector<ForOp> loops) {
  SmallVector<std::string> chain;
  for (ForOp loop : loops)
    chain.push_back(loop.getLoopName().str());
  ForOp last = loops.back();
  std::string lastName = chain.back();
  int64_t extent = last.getExtent();
  std::string vecLoop;
  if (extent > 1 && vectorizeBlocker(last, /*checkStructure=*/false).empty()) {
    // The vector width: a divisor up to 64 lanes, 16 and 8 preferred; a whole loop of up to
    // 64 needs no split.
    std::string key = "tile:" + lastName;
    std::optional<SmallVector<int64_t>> tile = knownTile(key, extent, 2, 1);
    if (!tile) {
      SmallVector<int64_t> widths;
      SmallVector<double> weights;
      for (int64_t d : divisors(extent))
        if (d > 1 && d <= 64) {
          widths.push_back(d);
          weights.push_back(d == 16 || (d == extent && d <= 16) ? 4 : d == 8 ? 3 : d == extent ? 1 : 0.3);
        }
      if (!widths.empty()) {
        int64_t width = widths[pickWeighted(weights, rng)];
        tile = width == extent ? SmallVector<int64_t>{extent, 1}
                               : SmallVector<int64_t>{extent / width, width};
      }
    }
    if (tile) {
      recordTile(key, extent, 64, *tile);
      if (tile->back() == 1) {
        if (extent <= 64) {
          chain.pop_back();
          vecLoop = lastName;
        }
      } else if (auto parts = s.split(lastName, *tile); succeeded(parts)) {
        chain.back() = (*parts)[0];
        vecLoop = (*parts)[1];
      }
    }
  }
  // Parallel granularity: fusing every outer loop (the default) is the most likely choice.
  std::optional<std::string> fused;
  int64_t fusedCount = 0;
  if (!chain.empty()) {
    SmallVector<double> weights{0.2};
    for (unsigned c = 1; c <= chain.size(); ++c)
      weights.push_back(c == chain.size() ? 3 : 1);
    fusedCount = count("par:" + chain.front(), weights);
    fused = fuseParallel(chain, fusedCount);
  }
  // Optional unroll of the serial loop right around the vector loop.
  if (!vecLoop.empty() && !chain.empty() && (!fused || fusedCount < int64_t(chain.size()))) {
    ForOp around = findLoop(kernel, chain.back());
    if (around && around.getExtent() > 1 && around.getExtent() <= 16 &&
        flag("unroll:" + chain.back(), 0.3))
      (void)s.unroll(chain.back());
  }
  if (!vecLoop.empty() && flag("vec:" + vecLoop, 0.9))
    (void)s.vectorize(vecLoop);
}

// True when some all-spatial block after `block` reads what it writes.
static bool hasSpatialConsumer(func::FuncOp kernel, BlockOp block) {
  for (Value buffer : writtenBuffers(block))
    for (BlockOp reader : readersOf(kernel, buffer))
      if (reader != block && !reader.hasReduction() && isBefore(block, reader))
        return true;
  return false;
}

void SketchGenerator::fuseSiblingLoops() {
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation &op : kernel.getBody().front()) {
      auto first = llvm::dyn_cast<ForOp>(&op);
      auto second = first ? llvm::dyn_cast_or_null<ForOp>(op.getNextNode()) : ForOp();
      // Only legal merges of parallel loops become choices (a mutation of any other would
      // change nothing).
      if (!second || first.getKind() != ForOp::kParallel ||
          !schedule::siblingFusionBlocker(first, second).empty())
        continue;
      std::string a = first.getLoopName().str(), b = second.getLoopName().str();
      if (flag("siblings:" + b, 0.5) && succeeded(s.fuseSiblings(a, b))) {
        changed = true;
        break;
      }
    }
  }
}

bool SketchGenerator::scheduleRowwise() {
  if (!schedule::isRowwiseKernel(kernel) || !flag("rowwise", 0.7))
    return false;
  schedule::RowwiseChoice choice;
  choice.rows = kRowwiseRows[count("rowwise:rows", {1, 2, 3, 2})];
  choice.lanes = kRowwiseLanes[count("rowwise:lanes", {3, 1, 1})];
  return schedule::scheduleRowwise(kernel, s, choice);
}

bool SketchGenerator::scheduleChannelSlices() {
  std::optional<int64_t> channels = schedule::sliceableChannels(kernel);
  if (!channels || !flag("slices", 0.6))
    return false;
  int64_t lanes = kSliceLanes[count("slices:lanes", {2, 3, 1})];
  return schedule::scheduleChannelSlices(kernel, s, lanes);
}

void SketchGenerator::run() {
  inlineProducers();
  if (scheduleRowwise() || scheduleChannelSlices())
    return;
  llvm::StringSet<> processed;
  while (true) {
    SmallVector<std::string> order = blockNames(kernel);
    auto next = llvm::find_if(order, [&](const std::string &n) { return !processed.contains(n); });
    if (next == order.end())
      break;
    std::string name = *next;
    processed.insert(name);
    BlockOp block = findBlock(kernel, name);
    std::optional<SmallVector<ForOp>> loops = freshNest(block);
    if (!loops)
      continue;
    if (!block.hasReduction()) {
      scheduleSpatial(*loops);
      continue;
    }
    // A reduction without a consumer to fuse may accumulate into a local buffer, copied out
    // tile by tile (the copy is fused like a consumer).
    SmallVector<Value> written = writtenBuffers(block);
    if (!hasSpatialConsumer(kernel, block) && written.size() == 1 &&
        writesIdentity(block, written[0]) && flag("cache:" + name, 0.3)) {
      (void)s.cacheWrite(name);
      block = findBlock(kernel, name);
    }
    SmallVector<std::string> locations;
    std::optional<unsigned> r = rfactorLoop(block, *loops);
    if (!r || !rfactorReduction(block, *loops, *r, locations))
      locations = tileReduction(block, *loops);
    if (locations.empty())
      continue;
    SmallVector<Value> produced = writtenBuffers(findBlock(kernel, name));
    for (const std::string &later : blockNames(kernel)) {
      BlockOp consumer = findBlock(kernel, later);
      if (processed.contains(later) || consumer.hasReduction() || !freshNest(consumer) ||
          !isBefore(findBlock(kernel, name), consumer) ||
          llvm::none_of(readBuffers(consumer),
                        [&](Value v) { return llvm::is_contained(produced, v); }))
        continue;
      if (fuseConsumer(later, locations)) {
        processed.insert(later);
        for (Value v : writtenBuffers(findBlock(kernel, later)))
          produced.push_back(v);
      }
    }
  }
  fuseSiblingLoops();
}

} // namespace kiln::autotuner::detail
