// The rfactor sketch rule, for reductions that read contiguously along their innermost reduce
// loop while no spatial loop can vectorize (passes/schedule/RuleHelpers: rfactorLoop). Two
// variants, a location choice keyed "rfactor:<block>" (the loop rfactored, "" for none):
//  - vector partials: split the reduce loop by a vector width and rfactor the inner part, so
//    that each lane accumulates its own sum (a layer norm's mean, a transposed dot product);
//  - parallel partials, when the spatial extent is small (Ansor's case: too few rows to keep
//    the threads busy): rfactor the outer part and run the partial sums in parallel.
#include "autotuner/rules/SketchGenerator.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::autotuner::detail {

// Below this many outputs the spatial loops alone leave threads idle.
static constexpr int64_t kSmallSpatialExtent = 64;

bool SketchGenerator::rfactorReduction(BlockOp block, SmallVector<ForOp> loops, unsigned r,
                                       SmallVector<std::string> &locations) {
  std::string name = block.getBlockName().str();
  std::string reduceLoop = loops[r].getLoopName().str();
  int64_t extent = loops[r].getExtent();
  SmallVector<std::string> outer;
  int64_t spatialSize = 1;
  for (auto [k, loop] : llvm::enumerate(loops))
    if (!block.isReduceVar(k)) {
      outer.push_back(loop.getLoopName().str());
      spatialSize *= loop.getExtent();
    }
  SmallVector<int64_t> parts;
  for (int64_t p : {2, 4, 8, 16})
    if (extent % p == 0 && extent / p >= 16)
      parts.push_back(p);
  std::string vectorLoop = reduceLoop + ".1", parallelLoop = reduceLoop + ".0";
  SmallVector<std::string> candidates{"", vectorLoop};
  SmallVector<double> weights{1, 3};
  if (spatialSize < kSmallSpatialExtent && !parts.empty()) {
    candidates.push_back(parallelLoop);
    weights.push_back(3);
  }
  std::string where = location("rfactor:" + name, candidates, weights);
  if (where.empty())
    return false;
  bool vectorPartials = where == vectorLoop;
  std::string key = "tile:" + reduceLoop;
  std::optional<SmallVector<int64_t>> tile = knownTile(key, extent, 2, 1);
  if (!tile) {
    if (vectorPartials) {
      SmallVector<int64_t> widths = rfactorWidths(extent);
      int64_t w = widths[rng() % widths.size()];
      tile = SmallVector<int64_t>{extent / w, w};
    } else {
      int64_t p = parts[rng() % parts.size()];
      tile = SmallVector<int64_t>{p, extent / p};
    }
  }
  recordTile(key, extent, vectorPartials ? kMaxVectorLanes : 0, *tile);
  if ((*tile)[0] <= 1 || (*tile)[1] <= 1 || failed(s.split(reduceLoop, *tile)))
    return false;
  FailureOr<std::string> partial = s.rfactor(name, where);
  if (failed(partial))
    return true; // split only: still a valid (serial) schedule
  std::string otherPart = vectorPartials ? parallelLoop : vectorLoop;
  if (!vectorPartials) {
    (void)s.parallel(parallelLoop);
    (void)s.decomposeReduction(*partial, otherPart);
    return true;
  }
  if (!outer.empty()) {
    SmallVector<double> parWeights{0.2};
    for (unsigned c = 1; c <= outer.size(); ++c)
      parWeights.push_back(c == outer.size() ? 3 : 1);
    int64_t fusedCount = count("par:" + outer.front(), parWeights);
    if (std::optional<std::string> fused = fuseParallel(outer, fusedCount))
      locations.push_back(*fused);
  }
  if (auto init = s.decomposeReduction(*partial, otherPart); succeeded(init))
    vectorizeInnermost(*init, true);
  if (flag("vec:" + vectorLoop, 0.9))
    (void)s.vectorize(vectorLoop);
  return true;
}

} // namespace kiln::autotuner::detail
