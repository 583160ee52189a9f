// fuse_siblings: merges two adjacent loops of the same extent and kind into one, the second
// loop's body running after the first's in each iteration. Row-wise stages (a layer norm's
// mean, variance and normalize; a softmax's max, sum and scale) then share one parallel loop
// over rows: one fork-join instead of three, and each row is still in cache for the next stage.
#include "passes/schedule/Region.h"
#include "passes/schedule/Schedule.h"

#include "ir/loop/Analysis.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

namespace {
// The accesses of the blocks under `loop`, each with the block that makes it.
SmallVector<std::pair<BlockOp, BufferAccess>> accessesUnder(ForOp loop) {
  SmallVector<std::pair<BlockOp, BufferAccess>> found;
  loop.walk([&](BlockOp block) {
    for (const BufferAccess &access : collectAccesses(block))
      found.push_back({block, access});
  });
  return found;
}

// Whether every iteration of the loops touches its own slab of the buffer through both
// accesses: along some dim, both regions start at the same c * iv + k (iv the loop's own var,
// outer var `ivIndex`) with the same extent, at most c. Then iteration i of the second loop
// meets only what iteration i of the first touched, which the fused loop runs just before.
bool sameSlabPerIteration(ArrayRef<std::optional<DimRegion>> a,
                          ArrayRef<std::optional<DimRegion>> b, unsigned ivIndex) {
  for (auto [ra, rb] : llvm::zip(a, b)) {
    if (!ra || !rb || *ra != *rb)
      continue;
    SmallVector<AffineExpr> terms;
    addTerms(ra->start, terms);
    for (AffineExpr term : terms) {
      int64_t coefficient = 0;
      if (auto dim = llvm::dyn_cast<AffineDimExpr>(term); dim && dim.getPosition() == ivIndex)
        coefficient = 1;
      else if (auto mul = llvm::dyn_cast<AffineBinaryOpExpr>(term);
               mul && mul.getKind() == AffineExprKind::Mul)
        if (auto d = llvm::dyn_cast<AffineDimExpr>(mul.getLHS()); d && d.getPosition() == ivIndex)
          if (auto c = llvm::dyn_cast<AffineConstantExpr>(mul.getRHS()))
            coefficient = c.getValue();
      if (coefficient >= ra->extent && coefficient > 0)
        return true;
    }
  }
  return false;
}
} // namespace

LogicalResult Schedule::fuseSiblings(StringRef firstName, StringRef secondName) {
  ForOp first = getLoop(firstName);
  ForOp second = first ? getLoop(secondName) : ForOp();
  if (!first || !second)
    return failure();
  std::string what = ("cannot fuse loop '" + secondName + "' into loop '" + firstName + "': ").str();
  if (first->getNextNode() != second.getOperation())
    return fail(what + "the second loop does not directly follow the first");
  if (first.getExtent() != second.getExtent() || first.getKind() != second.getKind())
    return fail(what + "the loops differ in extent or kind");
  if (first.getKind() != ForOp::kSerial && first.getKind() != ForOp::kParallel)
    return fail(what + "only serial or parallel loops fuse");

  // Every buffer one loop writes and the other touches must be split into per-iteration slabs
  // the same way by both.
  unsigned ivIndex = outerVars(first).size() - 1;
  auto accessesA = accessesUnder(first), accessesB = accessesUnder(second);
  for (auto &[blockA, a] : accessesA)
    for (auto &[blockB, b] : accessesB) {
      if (a.buffer != b.buffer || (!a.isWrite && !b.isWrite))
        continue;
      SmallVector<std::optional<DimRegion>> ra, rb;
      if (a.map)
        ra = accessRegion(blockA, a.map, first, /*exact=*/false);
      if (b.map)
        rb = accessRegion(blockB, b.map, second, /*exact=*/false);
      if (ra.empty() || rb.empty() || !sameSlabPerIteration(ra, rb, ivIndex))
        return fail(what + "iterations of block '" + blockB.getBlockName() +
                    "' touch what other iterations of block '" + blockA.getBlockName() +
                    "' touch");
    }

  second.getInductionVar().replaceAllUsesWith(first.getInductionVar());
  Block *into = first.getBodyBlock(), *from = second.getBodyBlock();
  into->getOperations().splice(Block::iterator(into->getTerminator()), from->getOperations(),
                               from->begin(), Block::iterator(from->getTerminator()));
  second.erase();
  record({"fuse_siblings", {firstName.str(), secondName.str()}, {}});
  return success();
}

} // namespace kiln::schedule
