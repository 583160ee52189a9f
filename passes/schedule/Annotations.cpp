// Loop annotations: parallel, vectorize, unroll. They change a loop's kind only; legality makes
// sure codegen can honour the kind without changing what the blocks compute.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

static ForOp parallelAncestor(ForOp loop) {
  for (ForOp outer : enclosingLoops(loop))
    if (outer.getKind() == ForOp::kParallel)
      return outer;
  return ForOp();
}

static ForOp parallelDescendant(ForOp loop) {
  ForOp found;
  loop->walk([&](ForOp inner) {
    if (inner != loop && inner.getKind() == ForOp::kParallel)
      found = inner;
  });
  return found;
}

LogicalResult Schedule::parallel(StringRef name) {
  ForOp loop = getLoop(name);
  if (!loop)
    return failure();
  if (loop.getKind() != ForOp::kSerial)
    return fail("cannot parallelize loop '" + name + "': it is " + loop.getKind());
  if (ForOp outer = parallelAncestor(loop))
    return fail("cannot parallelize loop '" + name + "': it is nested in parallel loop '" +
                outer.getLoopName() + "'");
  if (ForOp inner = parallelDescendant(loop))
    return fail("cannot parallelize loop '" + name + "': it contains parallel loop '" +
                inner.getLoopName() + "'");
  if (loopRole(loop).reduce)
    return fail("cannot parallelize loop '" + name + "': it binds a reduce iter var");
  // A reduction moved under a loop it does not index (compute_at) re-runs, init and all, in
  // every iteration: in parallel, one iteration's init would wipe out another's sums.
  WalkResult repeated = loop.walk([&](BlockOp block) {
    bool indexed = false;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      indexed |= !block.isReduceVar(k) && dependsOn(block, k, loop.getInductionVar());
    return block.hasReduction() && !indexed ? WalkResult::interrupt() : WalkResult::advance();
  });
  if (repeated.wasInterrupted())
    return fail("cannot parallelize loop '" + name + "': a reduction under it repeats in every iteration");
  loop.setKind(ForOp::kParallel);
  record({"parallel", {name.str()}, {}});
  return success();
}

// Why codegen could not turn `block`'s instances along `iv` into vector ops, or "" if it can.
// Accesses must be invariant along the loop or move along the last buffer dim only: loads
// by any positive constant stride (codegen gathers strided ones, e.g. stride-2 convolutions),
// stores contiguously; iter vars that vary along the loop may feed only accesses. A block
// without reduce iter vars (a transpose) may also gather loads along other dims: it has no
// better way, whereas a reduction that would gather (a row sum) is rfactored instead. A
// predicated block must have the same predicate on every lane: only iter vars invariant
// along the loop may leave their domains (codegen then guards the whole vector body).
static std::string vectorBlocker(BlockOp block, Value iv) {
  std::string name = ("block '" + block.getBlockName() + "'").str();
  SmallVector<bool> inDomain = bindingsInDomain(block);
  SmallVector<bool> varies(block.getNumIterVars());
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    varies[k] = dependsOn(block, k, iv);
    if (varies[k] && block.isReduceVar(k))
      return name + " has a reduce iter var bound to the loop";
    if (varies[k] && !inDomain[k])
      return name + " has a predicate that varies along the loop";
  }
  AffineMap bindings = block.getBindings();
  unsigned n = bindings.getNumDims();
  SmallVector<AffineExpr> shifted;
  SmallVector<int64_t> extents;
  for (auto [i, v] : llvm::enumerate(block.getLoopVars())) {
    AffineExpr d = getAffineDimExpr(i, block.getContext());
    shifted.push_back(v == iv ? d + 1 : d);
    extents.push_back(
        llvm::cast<ForOp>(llvm::cast<BlockArgument>(v).getOwner()->getParentOp()).getExtent());
  }
  SmallVector<BufferAccess> accesses = collectAccesses(block);
  bool allSpatial = true;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    allSpatial &= !block.isReduceVar(k);
  for (const BufferAccess &access : accesses) {
    if (!access.map)
      return name + " has a non-affine access";
    // Lanes run each op together: a buffer both read and written must be accessed at one
    // index, so that no lane reads what another lane writes.
    for (const BufferAccess &other : accesses)
      if (other.buffer == access.buffer && other.isWrite != access.isWrite &&
          other.map != access.map)
        return name + " reads and writes one buffer at different indices";
    unsigned rank = access.map.getNumResults();
    for (unsigned d = 0; d < rank; ++d) {
      AffineExpr e = simplifyModsInRange(
          access.map.getResult(d).replaceDims(bindings.getResults()), extents);
      AffineExpr step = simplifyAffineExpr(e.replaceDims(shifted) - e, n, 0);
      auto c = llvm::dyn_cast<AffineConstantExpr>(step);
      if (!c)
        return name + " has an access that is not linear along the loop";
      bool last = d + 1 == rank;
      bool gathers = !access.isWrite && c.getValue() > 0 && (last || allSpatial);
      bool allowed = c.getValue() == 0 || gathers || (last && access.isWrite && c.getValue() == 1);
      if (!allowed)
        return name + " has a non-contiguous access";
      if (access.isWrite && last && c.getValue() != 1)
        return name + " stores to an address that does not advance with the loop";
    }
  }
  std::string blocker;
  for (Region *region : {&block.getBody(), &block.getInit()}) {
    if (region->empty())
      continue;
    for (BlockArgument arg : region->front().getArguments()) {
      if (!varies[arg.getArgNumber()])
        continue;
      for (Operation *user : arg.getUsers()) {
        auto store = llvm::dyn_cast<affine::AffineStoreOp>(user);
        // Only as an index: stored as a value it would need a per-lane vector of indices.
        if (!llvm::isa<affine::AffineLoadOp, affine::AffineStoreOp>(user) ||
            (store && store.getValueToStore() == arg))
          blocker = name + " computes with an iter var that varies along the loop";
      }
    }
  }
  return blocker;
}

namespace detail {
std::string vectorizeBlocker(ForOp loop, bool checkStructure) {
  std::string name = ("cannot vectorize loop '" + loop.getLoopName() + "': ").str();
  if (loop.getKind() != ForOp::kSerial)
    return name + "it is " + loop.getKind().str();
  if (checkStructure && loop.getExtent() > 64)
    return name + "extent " + std::to_string(loop.getExtent()) + " > 64";
  for (Operation *op : bodyOps(loop))
    if (checkStructure && !llvm::isa<BlockOp>(op))
      return name + "it is not innermost (holds " + op->getName().getStringRef().str() + ")";
  std::string why;
  SmallVector<BlockOp> blocks;
  loop.walk([&](BlockOp block) {
    blocks.push_back(block);
    if (why.empty())
      why = vectorBlocker(block, loop.getInductionVar());
  });
  // Lanes run block by block: blocks under the loop must not communicate through memory.
  for (BlockOp a : blocks)
    for (Value written : writtenBuffers(a))
      for (BlockOp b : blocks)
        if (a != b && why.empty() &&
            (llvm::is_contained(readBuffers(b), written) ||
             llvm::is_contained(writtenBuffers(b), written)))
          why = ("blocks '" + a.getBlockName() + "' and '" + b.getBlockName() +
                 "' share buffers under the loop")
                    .str();
  return why.empty() ? why : name + why;
}
} // namespace detail

LogicalResult Schedule::vectorize(StringRef name) {
  ForOp loop = getLoop(name);
  if (!loop)
    return failure();
  if (std::string why = vectorizeBlocker(loop, /*checkStructure=*/true); !why.empty())
    return fail(why);
  loop.setKind(ForOp::kVectorized);
  record({"vectorize", {name.str()}, {}});
  return success();
}

LogicalResult Schedule::unroll(StringRef name) {
  ForOp loop = getLoop(name);
  if (!loop)
    return failure();
  if (loop.getKind() != ForOp::kSerial)
    return fail("cannot unroll loop '" + name + "': it is " + loop.getKind());
  if (loop.getExtent() > 256)
    return fail("cannot unroll loop '" + name + "': extent " + Twine(loop.getExtent()) + " > 256");
  loop.setKind(ForOp::kUnrolled);
  record({"unroll", {name.str()}, {}});
  return success();
}

} // namespace kiln::schedule
