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
    // The start must read iv through exactly one term, c * iv: another (iv floordiv 2, say)
    // could bring two iterations' slabs together.
    SmallVector<AffineExpr> terms;
    addTerms(ra->start, terms);
    int64_t coefficient = 0;
    unsigned termsOfIv = 0;
    for (AffineExpr term : terms) {
      if (!term.isFunctionOfDim(ivIndex))
        continue;
      ++termsOfIv;
      if (auto dim = llvm::dyn_cast<AffineDimExpr>(term))
        coefficient = 1;
      else if (auto mul = llvm::dyn_cast<AffineBinaryOpExpr>(term);
               mul && mul.getKind() == AffineExprKind::Mul &&
               llvm::isa<AffineDimExpr>(mul.getLHS()))
        if (auto c = llvm::dyn_cast<AffineConstantExpr>(mul.getRHS()))
          coefficient = c.getValue();
    }
    if (termsOfIv == 1 && coefficient > 0 && coefficient >= ra->extent)
      return true;
  }
  return false;
}
} // namespace

std::string siblingFusionBlocker(ForOp first, ForOp second) {
  if (first->getNextNode() != second.getOperation())
    return "the second loop does not directly follow the first";
  if (first.getExtent() != second.getExtent() || first.getKind() != second.getKind())
    return "the loops differ in extent or kind";
  if (first.getKind() != ForOp::kSerial && first.getKind() != ForOp::kParallel)
    return "only serial or parallel loops fuse";

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
        return ("iterations of block '" + blockB.getBlockName() +
                "' touch what other iterations of block '" + blockA.getBlockName() + "' touch")
            .str();
    }
  return "";
}

LogicalResult Schedule::fuseSiblings(StringRef firstName, StringRef secondName) {
  ForOp first = getLoop(firstName);
  ForOp second = first ? getLoop(secondName) : ForOp();
  if (!first || !second)
    return failure();
  if (std::string why = siblingFusionBlocker(first, second); !why.empty())
    return fail("cannot fuse loop '" + secondName + "' into loop '" + firstName + "': " + why);
  second.getInductionVar().replaceAllUsesWith(first.getInductionVar());
  Block *into = first.getBodyBlock(), *from = second.getBodyBlock();
  into->getOperations().splice(Block::iterator(into->getTerminator()), from->getOperations(),
                               from->begin(), Block::iterator(from->getTerminator()));
  second.erase();
  record({"fuse_siblings", {firstName.str(), secondName.str()}, {}});
  return success();
}

} // namespace kiln::schedule
