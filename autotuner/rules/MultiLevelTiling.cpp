// The multi-level tiling rule for reduction blocks (Ansor's SSRSRS on CPU) and the fusion of
// their all-spatial consumers into the tiled nest.
//
// Each spatial loop splits into S0..S3 and each reduce loop into R0, R1 (a loop whose tile is
// whole stays unsplit at the outer level), ordered S0 S1 R0 S2 R1 S3. The innermost S3 of the
// last spatial axis is the vector loop; S2/S3 form the register tile. A prefix of S0 S1 is
// fused and parallelized, the init is hoisted before R0 so accumulators stay in registers,
// and consumers move under S0 or S1. A spatial axis without register-sized divisors (ViT's
// 197 tokens) may get an imperfect, predicated tile: off the vector axis its predicate is
// the same on every lane, so the vector loop still vectorizes.
#include "autotuner/rules/SketchGenerator.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

#include <cmath>

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::autotuner::detail {

static constexpr unsigned kSpatialLevels = 4, kReduceLevels = 2;

// Prior on the innermost (vector) factor: full 16- or 8-lane vectors first.
static double laneWeight(int64_t lanes, int64_t extent) {
  if (lanes == 16 || (lanes == extent && lanes <= 16 && lanes >= 4))
    return 4;
  if (lanes == 8)
    return 3;
  if (lanes == 32)
    return 1;
  return lanes >= 4 ? 0.3 : 0.05;
}

// Prior on the register tile: 8-32 vector accumulators (of AVX-512's 32 registers) fit,
// fewer leave the FMA units idle, more spill.
static double registerWeight(double accumulators) {
  if (accumulators >= 8 && accumulators <= 32)
    return 1;
  if (accumulators >= 4 && accumulators <= 64)
    return 0.4;
  return 0.08;
}

SmallVector<SmallVector<int64_t>>
SketchGenerator::drawSpatialTiles(BlockOp block, ArrayRef<ForOp> loops,
                                  ArrayRef<unsigned> spatial, unsigned vec, bool vectorizable) {
  auto extentOf = [&](unsigned k) { return ForOp(loops[k]).getExtent(); };
  SmallVector<std::optional<SmallVector<int64_t>>> known;
  SmallVector<std::string> keys;
  for (unsigned k : spatial) {
    keys.push_back("tile:" + ForOp(loops[k]).getLoopName().str());
    known.push_back(knownTile(keys.back(), extentOf(k), kSpatialLevels,
                              k == vec ? kSpatialLevels - 1 : kSpatialLevels - 2));
  }
  double totalSpatial = 1;
  for (unsigned k : spatial)
    totalSpatial *= double(extentOf(k));
  // Several joint candidates, one kept with probability proportional to its prior.
  SmallVector<SmallVector<SmallVector<int64_t>>> candidates;
  SmallVector<double> weights;
  for (unsigned attempt = 0; attempt < 8; ++attempt) {
    SmallVector<SmallVector<int64_t>> tiles;
    double weight = 1, scalars = 1;
    int64_t lanes = 1;
    for (auto [i, k] : llvm::enumerate(spatial)) {
      int64_t extent = extentOf(k);
      SmallVector<int64_t> tile;
      if (known[i]) {
        tile = *known[i];
      } else if (extent == 1) {
        tile.assign(kSpatialLevels, 1);
      } else if (k == vec && vectorizable) {
        SmallVector<int64_t> options;
        SmallVector<double> ws;
        for (int64_t d : divisors(extent))
          if (d <= kMaxVectorLanes) {
            options.push_back(d);
            ws.push_back(laneWeight(d, extent));
          }
        tile = samplePerfectTile(extent, kSpatialLevels, options[pickWeighted(ws, rng)], rng);
      } else if (!vectorizable && primeFactors(extent).size() == 1 && extent > 16 &&
                 coin(0.3, rng)) {
        tile = sampleImperfectTile(extent, kSpatialLevels, 16, rng);
      } else if (k != vec && hasPoorDivisors(extent) && coin(0.5, rng)) {
        tile = sampleImperfectTile(extent, kSpatialLevels, 16, rng);
      } else {
        SmallVector<int64_t> small;
        for (int64_t d : divisors(extent))
          if (d <= 8)
            small.push_back(d);
        int64_t inner = coin(0.5, rng) ? 1 : small[rng() % small.size()];
        tile = samplePerfectTile(extent, kSpatialLevels, inner, rng);
      }
      scalars *= double(tile[2] * tile[3]);
      if (k == vec && vectorizable)
        lanes = tile[3];
      tiles.push_back(tile);
    }
    weight *= registerWeight(scalars / double(lanes));
    // The loops above R0 (S0 S1, what the parallel loop is made of) need enough iterations
    // to feed every thread.
    if (totalSpatial / scalars < 8)
      weight *= 0.3;
    candidates.push_back(tiles);
    weights.push_back(weight);
    if (llvm::all_of(known, [](auto &t) { return t.has_value(); }))
      break;
  }
  SmallVector<SmallVector<int64_t>> chosen = candidates[pickWeighted(weights, rng)];
  for (auto [i, k] : llvm::enumerate(spatial))
    recordTile(keys[i], extentOf(k), k == vec && vectorizable ? kMaxVectorLanes : 0,
               chosen[i]);
  return chosen;
}

// True when `tile` keeps the loop whole (no split needed).
static bool isWhole(ArrayRef<int64_t> tile, int64_t extent) {
  return tile[0] == extent && llvm::all_of(tile.drop_front(), [](int64_t f) { return f == 1; });
}

std::optional<std::string> SketchGenerator::fuseParallel(ArrayRef<std::string> chain,
                                                         int64_t &count) {
  if (count == 0 || chain.empty())
    return std::nullopt;
  // A parallel loop of one iteration runs on one thread (and no loop inside it may run in
  // parallel): fuse on past loops that leave the extent at 1 (a tile of the whole dim).
  auto fusedExtent = [&](int64_t n) {
    int64_t extent = 1;
    for (const std::string &name : chain.take_front(n))
      if (ForOp loop = findLoop(kernel, name))
        extent *= loop.getExtent();
    return extent;
  };
  while (count < int64_t(chain.size()) && fusedExtent(count) == 1)
    ++count;
  if (fusedExtent(count) == 1)
    return std::nullopt; // nothing to share out
  std::string fused = chain.front();
  if (count > 1) {
    auto name = s.fuse(SmallVector<std::string>(chain.take_front(count)));
    if (failed(name))
      return std::nullopt;
    fused = *name;
  }
  if (failed(s.parallel(fused)))
    return std::nullopt;
  return fused;
}

SmallVector<std::string> SketchGenerator::tileReduction(BlockOp block, SmallVector<ForOp> loops) {
  std::string blockName = block.getBlockName().str();
  SmallVector<unsigned> spatial, reduce;
  for (unsigned k = 0; k < loops.size(); ++k)
    (block.isReduceVar(k) ? reduce : spatial).push_back(k);
  if (spatial.empty())
    return {};
  unsigned vec = spatial.back();
  bool vectorizable = loops[vec].getExtent() > 1 &&
                      vectorizeBlocker(loops[vec], /*checkStructure=*/false).empty();
  SmallVector<std::string> names;
  SmallVector<int64_t> extents;
  for (ForOp loop : loops) {
    names.push_back(loop.getLoopName().str());
    extents.push_back(loop.getExtent());
  }
  SmallVector<SmallVector<int64_t>> spatialTiles =
      drawSpatialTiles(block, loops, spatial, vec, vectorizable);
  int64_t s2Product = 1;
  for (const SmallVector<int64_t> &tile : spatialTiles)
    s2Product *= tile[2];

  // levels[j]: the loops of level j (S0 S1 S2 S3 or R0 R1), in the original loop order.
  SmallVector<std::string> sLevels[kSpatialLevels], rLevels[kReduceLevels];
  std::string vecLoop;
  auto place = [&](unsigned k, ArrayRef<int64_t> tile, SmallVector<std::string> *levels) {
    if (isWhole(tile, extents[k])) {
      levels[0].push_back(names[k]);
      return;
    }
    auto parts = s.split(names[k], tile);
    if (failed(parts)) {
      levels[0].push_back(names[k]);
      return;
    }
    for (auto [j, part] : llvm::enumerate(*parts))
      levels[j].push_back(part);
    if (k == vec && vectorizable)
      vecLoop = parts->back();
  };
  for (auto [i, k] : llvm::enumerate(spatial))
    place(k, spatialTiles[i], sLevels);
  // A weight the lanes index streams from memory once per call when its panels are the
  // outermost loop (each row tile reuses the panel in cache), once per row tile otherwise.
  if (vectorizable && panelOperand(findBlock(kernel, blockName), vec)) {
    auto panel = llvm::find_if(sLevels[0], [&](const std::string &n) {
      return n == names[vec] || n == names[vec] + ".0";
    });
    if (panel != sLevels[0].end() && panel != sLevels[0].begin() &&
        flag("outer:" + *panel, 0.5))
      std::rotate(sLevels[0].begin(), panel, panel + 1);
  }
  for (unsigned k : reduce) {
    std::string key = "tile:" + names[k];
    std::optional<SmallVector<int64_t>> tile = knownTile(key, extents[k], kReduceLevels, 1);
    if (!tile) {
      SmallVector<int64_t> inner, panel;
      for (int64_t d : divisors(extents[k])) {
        if (d <= 16)
          inner.push_back(d);
        if (d >= 32 && d <= 512 && d < extents[k])
          panel.push_back(d);
      }
      // Mostly R1 = 1: the register tile (S2 x S3) then stays live across the whole
      // reduction. When S2 is all 1, S3 alone is the register tile and a long R1 (a kc-deep
      // panel, BLIS-style) keeps the operands it streams in L1 between R0 steps.
      int64_t r1 = coin(0.5, rng) ? 1 : inner[rng() % inner.size()];
      if (s2Product == 1 && !panel.empty() && coin(0.6, rng))
        r1 = panel[rng() % panel.size()];
      tile = samplePerfectTile(extents[k], kReduceLevels, r1, rng);
      if (!vectorizable && primeFactors(extents[k]).size() == 1 && extents[k] > 16 &&
          coin(0.3, rng))
        tile = sampleImperfectTile(extents[k], kReduceLevels, 16, rng);
    }
    recordTile(key, extents[k], 0, *tile);
    place(k, *tile, rLevels);
  }

  SmallVector<std::string> order;
  for (auto *level : {&sLevels[0], &sLevels[1], &rLevels[0], &sLevels[2], &rLevels[1],
                      &sLevels[3]})
    order.append(level->begin(), level->end());
  SmallVector<std::string> current;
  for (ForOp loop : enclosingLoops(findBlock(kernel, blockName)))
    current.push_back(loop.getLoopName().str());
  if (current != order)
    (void)s.reorder(order);

  // Parallel granularity: how many of the loops above R0 fuse into the parallel loop.
  SmallVector<std::string> chain(sLevels[0]);
  chain.append(sLevels[1].begin(), sLevels[1].end());
  SmallVector<double> weights{0.1};
  for (unsigned c = 1; c <= chain.size(); ++c)
    weights.push_back(c == sLevels[0].size() ? 3 : c < sLevels[0].size() ? 1 : 0.5);
  int64_t fusedCount = count("par:" + chain.front(), weights);
  SmallVector<std::string> locations;
  if (std::optional<std::string> fused = fuseParallel(chain, fusedCount)) {
    locations.push_back(*fused);
    locations.append(chain.begin() + fusedCount, chain.end());
  } else {
    locations = chain;
  }

  bool vectorize = !vecLoop.empty() && findLoop(kernel, vecLoop).getExtent() > 1 &&
                   flag("vec:" + vecLoop, 0.9);
  if (vectorize) {
    // Packing places: the loops above R0 (the whole K x nc panel, reused by every row tile
    // below) or R0 itself (one kc slab per reduction step).
    SmallVector<std::string> packAt(locations);
    packAt.push_back(rLevels[0].front());
    packLaneOperands(blockName, vec, packAt);
  }
  std::string reduceTop = rLevels[0].front();
  if (auto init = s.decomposeReduction(blockName, reduceTop); succeeded(init) && vectorize) {
    auto loop = llvm::dyn_cast<ForOp>(findBlock(kernel, *init)->getParentOp());
    if (loop && loop.getExtent() > 1 && vectorizeBlocker(loop, true).empty())
      (void)s.vectorize(loop.getLoopName());
  }
  for (auto *level : {&sLevels[2], &sLevels[3]})
    for (const std::string &loop : *level)
      if (loop != vecLoop && findLoop(kernel, loop).getExtent() > 1 &&
          flag("unroll:" + loop, 0.75))
        (void)s.unroll(loop);
  if (vectorize)
    (void)s.vectorize(vecLoop);
  return locations;
}

// Iterations of the loops between `loop` and `block` that no access of `buffer` depends on.
static double packReuse(BlockOp block, Value buffer, llvm::StringRef loop) {
  SmallVector<ForOp> loops = enclosingLoops(block);
  auto at = llvm::find_if(loops, [&](ForOp f) { return f.getLoopName() == loop; });
  if (at == loops.end())
    return 1;
  AffineMap bindings = block.getBindings();
  SmallVector<BufferAccess> accesses = collectAccesses(block);
  double reuse = 1;
  for (ForOp inner : llvm::make_range(std::next(at), loops.end())) {
    auto position = llvm::find(block.getLoopVars(), inner.getInductionVar());
    if (position == block.getLoopVars().end())
      continue;
    unsigned dim = position - block.getLoopVars().begin();
    bool used = false;
    for (const BufferAccess &access : accesses) {
      if (access.buffer != buffer)
        continue;
      for (unsigned k = 0; k < bindings.getNumResults() && !used; ++k)
        used = bindings.getResult(k).isFunctionOfDim(dim) &&
               (!access.map || llvm::any_of(access.map.getResults(), [&](AffineExpr e) {
                  return e.isFunctionOfDim(k);
                }));
    }
    if (!used)
      reuse *= double(inner.getExtent());
  }
  return reuse;
}

void SketchGenerator::packLaneOperands(const std::string &blockName, unsigned vec,
                                       ArrayRef<std::string> locations) {
  BlockOp block = findBlock(kernel, blockName);
  SmallVector<Value> reads = readBuffers(block), writes = writtenBuffers(block);
  for (auto [index, buffer] : llvm::enumerate(reads)) {
    if (llvm::is_contained(writes, buffer))
      continue;
    bool lanes = true, any = false;
    for (const BufferAccess &access : collectAccesses(block)) {
      if (access.buffer != buffer)
        continue;
      any = true;
      unsigned rank = access.map ? access.map.getNumResults() : 0;
      lanes &= rank > 0 && access.map.getResult(rank - 1).isFunctionOfDim(vec);
      for (unsigned d = 0; lanes && d + 1 < rank; ++d)
        lanes &= !access.map.getResult(d).isFunctionOfDim(vec);
    }
    if (!any || !lanes)
      continue;
    // A weight can instead be laid out in the same panels at compile time (layout_rewrite):
    // free at run time, so every location is as likely and not packing is unlikely.
    std::string suffix = blockName + ":" + std::to_string(index);
    bool constant = isConstantArgument(buffer);
    bool layout = worthLayingOut(block, buffer) && flag("layout:" + suffix, constant ? 0.8 : 0.5);
    SmallVector<std::string> candidates{""};
    SmallVector<double> weights{layout ? 0.3 : 1.5};
    for (const std::string &loop : locations) {
      candidates.push_back(loop);
      // A copy pays off in proportion to how often the packed region is read again: the
      // iterations of the loops inside `loop` that the operand does not depend on.
      double reuse = packReuse(block, buffer, loop);
      weights.push_back(layout ? 1 : reuse >= 4 ? std::log2(reuse) : 0.1);
    }
    std::string where = location("pack:" + suffix, candidates, weights);
    if (where.empty())
      continue;
    if (layout) {
      FailureOr<std::string> copy = s.layoutRewrite(blockName, int64_t(index), where);
      if (succeeded(copy)) {
        // A run-time operand's copy runs every call (a constant's at compile time).
        if (!constant)
          scheduleNest(s, *copy);
        block = findBlock(kernel, blockName);
        continue;
      }
    }
    FailureOr<std::string> copy = s.cacheRead(blockName, int64_t(index), where);
    if (succeeded(copy))
      vectorizeInnermost(*copy, true);
    block = findBlock(kernel, blockName);
  }
}

void SketchGenerator::vectorizeInnermost(const std::string &blockName, bool choice) {
  BlockOp block = findBlock(kernel, blockName);
  auto loop = llvm::dyn_cast<ForOp>(block->getParentOp());
  if (!choice || !loop || loop.getExtent() < 2 ||
      !vectorizeBlocker(loop, /*checkStructure=*/false).empty())
    return;
  std::string name = loop.getLoopName().str();
  int64_t extent = loop.getExtent();
  if (extent > kMaxVectorLanes) {
    std::string key = "tile:" + name;
    std::optional<SmallVector<int64_t>> tile = knownTile(key, extent, 2, 1);
    if (!tile) {
      int64_t width = preferredVectorWidth(extent);
      tile = SmallVector<int64_t>{extent / width, width};
    }
    recordTile(key, extent, kMaxVectorLanes, *tile);
    if (isWhole(*tile, extent))
      return;
    auto parts = s.split(name, *tile);
    if (failed(parts))
      return;
    name = parts->back();
  }
  if (flag("vec:" + name, 0.9))
    (void)s.vectorize(name);
}

bool SketchGenerator::fuseConsumer(const std::string &consumer, ArrayRef<std::string> locations) {
  SmallVector<std::string> candidates(locations);
  SmallVector<double> weights;
  for (unsigned i = 0; i < candidates.size(); ++i)
    weights.push_back(i == 0 ? 3 : i + 1 == candidates.size() ? 1.5 : 1);
  candidates.push_back("");
  weights.push_back(0.2);
  std::string where = location("loc:" + consumer, candidates, weights);
  if (where.empty() || failed(s.reverseComputeAt(consumer, where)))
    return false;
  vectorizeInnermost(consumer, true);
  return true;
}

} // namespace kiln::autotuner::detail
