// Loop transformations: split, fuse, reorder. Each rewrites a chain of kl.for loops and the
// bindings of the blocks under it; the block bodies are untouched.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// True when every block under `loop` is predicated off for loop values in [extent, total):
// some iter var's binding then leaves its domain whatever the other loops are.
static BlockOp firstBlockNotPredicatedOff(ForOp loop, int64_t total) {
  BlockOp offender;
  Value iv = loop.getInductionVar();
  loop.walk([&](BlockOp block) {
    if (offender)
      return;
    SmallVector<int64_t> extents;
    SmallVector<AffineExpr> dims;
    MLIRContext *ctx = block.getContext();
    unsigned n = block.getLoopVars().size();
    for (auto [i, v] : llvm::enumerate(block.getLoopVars())) {
      auto owner = llvm::cast<ForOp>(llvm::cast<BlockArgument>(v).getOwner()->getParentOp());
      extents.push_back(owner.getExtent());
      // The split loop ranges over [extent, total): extent + d_n with d_n < total - extent.
      dims.push_back(v == iv ? getAffineDimExpr(n, ctx) + loop.getExtent()
                             : getAffineDimExpr(i, ctx));
    }
    extents.push_back(total - loop.getExtent());
    for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
      if (!dependsOn(block, k, iv))
        continue;
      AffineExpr e = block.getBindings().getResult(k).replaceDims(dims);
      if (exprRange(e, extents).first >= block.getDomains()[k])
        return;
    }
    offender = block;
  });
  return offender;
}

FailureOr<SmallVector<std::string>> Schedule::split(StringRef name, ArrayRef<int64_t> factors) {
  ForOp loop = getLoop(name);
  if (!loop)
    return failure();
  if (factors.empty())
    return fail("split of loop '" + name + "' needs at least one factor");
  if (loop.getKind() != ForOp::kSerial)
    return fail("cannot split loop '" + name + "': it is " + loop.getKind());
  if (!inductionVarOnlyBinds(loop))
    return fail("cannot split loop '" + name + "': its variable is used outside block bindings");
  int64_t known = 1, inferred = -1;
  for (auto [i, f] : llvm::enumerate(factors)) {
    if (f == -1 && inferred == -1) {
      inferred = i;
      continue;
    }
    if (f <= 0)
      return fail("split of loop '" + name + "': factors must be positive, with at most one -1");
    known *= f;
  }
  SmallVector<int64_t> extents(factors);
  if (inferred >= 0)
    extents[inferred] = (loop.getExtent() + known - 1) / known;
  int64_t total = 1;
  for (int64_t e : extents)
    total *= e;
  int64_t extent = loop.getExtent();
  if (total < extent)
    return fail("split of loop '" + name + "': factors cover " + Twine(total) + " < extent " +
                Twine(loop.getExtent()));
  if (total > extent)
    if (BlockOp block = firstBlockNotPredicatedOff(loop, total))
      return fail("non-divisible split of loop '" + name + "' would run block '" +
                  block.getBlockName() +
                  "' outside the loop's range (its bindings stay in domain)");

  SmallVector<LoopSpec> specs;
  SmallVector<std::string> names;
  AffineExpr expr = getAffineConstantExpr(0, loop.getContext());
  for (auto [i, e] : llvm::enumerate(extents)) {
    names.push_back(uniqueLoopName(kernel, (name + "." + Twine(i)).str()));
    specs.push_back({names.back(), e, ForOp::kSerial.str(), nullptr});
    expr = expr * e + getAffineDimExpr(i, loop.getContext());
  }
  replaceChain({loop}, specs, {expr});
  record({"split", {name.str()}, SmallVector<int64_t>(factors)});
  return names;
}

// The named loops, each the only op in the body of the previous one.
static LogicalResult perfectChain(SmallVector<ForOp> loops, std::string &why) {
  for (unsigned i = 0; i + 1 < loops.size(); ++i) {
    SmallVector<Operation *> ops = bodyOps(loops[i]);
    if (ops.size() != 1 || ops[0] != loops[i + 1].getOperation()) {
      why = ("loop '" + loops[i + 1].getLoopName() + "' is not the only op in loop '" +
             loops[i].getLoopName() + "'")
                .str();
      return failure();
    }
  }
  return success();
}

FailureOr<std::string> Schedule::fuse(ArrayRef<std::string> names) {
  if (names.size() < 2)
    return fail("fuse needs at least two loops");
  SmallVector<ForOp> loops;
  bool spatial = false, reduce = false;
  for (const std::string &name : names) {
    ForOp loop = getLoop(name);
    if (!loop)
      return failure();
    if (loop.getKind() != ForOp::kSerial)
      return fail("cannot fuse loop '" + name + "': it is " + loop.getKind());
    if (!inductionVarOnlyBinds(loop))
      return fail("cannot fuse loop '" + name + "': its variable is used outside block bindings");
    LoopRole role = loopRole(loop);
    if (role.spatial && role.reduce)
      return fail("cannot fuse loop '" + name + "': it binds both spatial and reduce iter vars");
    if ((role.spatial && reduce) || (role.reduce && spatial))
      return fail("cannot fuse loop '" + name + "': reduce loops fuse only with reduce loops");
    spatial |= role.spatial;
    reduce |= role.reduce;
    loops.push_back(loop);
  }
  std::string why;
  if (failed(perfectChain(loops, why)))
    return fail("cannot fuse: " + why);

  int64_t total = 1;
  for (ForOp loop : loops)
    total *= loop.getExtent();
  MLIRContext *ctx = kernel.getContext();
  AffineExpr fused = getAffineDimExpr(0, ctx);
  SmallVector<AffineExpr> exprs;
  int64_t stride = total;
  for (auto [i, loop] : llvm::enumerate(loops)) {
    stride /= loop.getExtent();
    AffineExpr e = fused.floorDiv(stride);
    exprs.push_back(i == 0 ? e : e % loop.getExtent());
  }
  std::string name = uniqueLoopName(kernel, llvm::join(names, "+"));
  replaceChain(loops, {LoopSpec{name, total, ForOp::kSerial.str(), nullptr}}, exprs);
  record({"fuse", SmallVector<std::string>(names), {}});
  return name;
}

LogicalResult Schedule::reorder(ArrayRef<std::string> names) {
  if (names.size() < 2)
    return fail("reorder needs at least two loops");
  SmallVector<ForOp> loops;
  for (const std::string &name : names) {
    ForOp loop = getLoop(name);
    if (!loop)
      return failure();
    if (llvm::is_contained(loops, loop))
      return fail("reorder names loop '" + name + "' twice");
    if (loop.getKind() != ForOp::kSerial)
      return fail("cannot reorder loop '" + name + "': it is " + loop.getKind());
    loops.push_back(loop);
  }
  // The deepest named loop; every other one must enclose it.
  ForOp inner = *llvm::max_element(
      loops, [](ForOp a, ForOp b) { return enclosingLoops(a).size() < enclosingLoops(b).size(); });
  for (ForOp loop : loops)
    if (loop != inner && !loop->isProperAncestor(inner))
      return fail("cannot reorder: loops '" + loop.getLoopName() + "' and '" + inner.getLoopName() +
                  "' are not nested in one another");
  SmallVector<ForOp> chain = enclosingLoops(inner);
  chain.push_back(inner);
  chain.erase(chain.begin(),
              llvm::find_if(chain, [&](ForOp l) { return llvm::is_contained(loops, l); }));
  std::string why;
  if (failed(perfectChain(chain, why)))
    return fail("cannot reorder: " + why);
  for (ForOp loop : chain)
    if (!inductionVarOnlyBinds(loop))
      return fail("cannot reorder loop '" + loop.getLoopName() +
                  "': its variable is used outside block bindings");

  // Chain positions of the named loops receive them in the requested order.
  SmallVector<unsigned> positions;
  for (auto [i, loop] : llvm::enumerate(chain))
    if (llvm::is_contained(loops, loop))
      positions.push_back(i);
  SmallVector<ForOp> order(chain);
  for (auto [pos, loop] : llvm::zip(positions, loops))
    order[pos] = loop;
  SmallVector<LoopSpec> specs;
  SmallVector<AffineExpr> exprs;
  for (ForOp loop : order)
    specs.push_back(specOf(loop));
  for (ForOp loop : chain)
    exprs.push_back(getAffineDimExpr(llvm::find(order, loop) - order.begin(), kernel.getContext()));
  replaceChain(chain, specs, exprs);
  record({"reorder", SmallVector<std::string>(names), {}});
  return success();
}

} // namespace kiln::schedule
