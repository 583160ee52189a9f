// Reduction: decompose_reduction hoists a reduction block's init region into its own block.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

FailureOr<std::string> Schedule::decomposeReduction(StringRef blockName, StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what =
      ("cannot decompose block '" + blockName + "' at loop '" + loopName + "': ").str();
  if (!block.getInitBlock())
    return fail(what + "the block has no init region");
  if (!loop->isProperAncestor(block))
    return fail(what + "the loop does not enclose the block");
  // The init block runs once before `loop`: every reduction must start inside `loop`.
  for (ForOp outer : enclosingLoops(loop))
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      if (block.isReduceVar(k) && dependsOn(block, k, outer.getInductionVar()))
        return fail(what + "enclosing loop '" + outer.getLoopName() + "' binds a reduce iter var");
  if (auto parent = llvm::dyn_cast<ForOp>(loop->getParentOp());
      parent && parent.getKind() == ForOp::kVectorized)
    return fail(what + "its parent loop is vectorized");
  // The init runs once per point before `loop`: the loops from there down must not come back
  // to a point, as a reduction moved under a consumer's loop it does not index would.
  SmallVector<ForOp> fromLoop = enclosingLoops(block);
  fromLoop.erase(fromLoop.begin(), llvm::find(fromLoop, loop));
  if (!visitsEachPointOnce(block, fromLoop))
    return fail(what + "the loops from it down repeat the reduction");
  for (const BufferAccess &access : collectAccesses(block)) {
    if (access.isWrite || block.getBody().isAncestor(access.op->getParentRegion()))
      continue;
    if (!writersOf(loop, access.buffer).empty())
      return fail(what + "the init reads a buffer written under the loop");
  }

  // Loops from `loop` down that feed a spatial iter var get an init copy.
  SmallVector<unsigned> spatial;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (!block.isReduceVar(k))
      spatial.push_back(k);
  SmallVector<ForOp> copied;
  SmallVector<LoopSpec> specs;
  for (ForOp l : fromLoop) {
    if (!llvm::any_of(spatial,
                      [&](unsigned k) { return dependsOn(block, k, l.getInductionVar()); }))
      continue;
    copied.push_back(l);
    specs.push_back({uniqueLoopName(kernel, (l.getLoopName() + ".init").str()),
                     int64_t(l.getExtent()), ForOp::kSerial.str(), nullptr});
  }
  OpBuilder builder(loop);
  Location loc = block.getLoc();
  SmallVector<ForOp> loops = createNest(builder, loc, specs);
  if (!loops.empty())
    builder.setInsertionPoint(loops.back().getBodyBlock()->getTerminator());

  OperandList operands(block.getContext());
  SmallVector<AffineExpr> dims;
  for (Value v : block.getLoopVars()) {
    auto it = llvm::find_if(copied, [&](ForOp l) { return l.getInductionVar() == v; });
    dims.push_back(
        operands.dim(it == copied.end() ? v : loops[it - copied.begin()].getInductionVar()));
  }
  SmallVector<AffineExpr> results;
  SmallVector<int64_t> domains;
  for (unsigned k : spatial) {
    results.push_back(block.getBindings().getResult(k).replaceDims(dims));
    domains.push_back(block.getDomains()[k]);
  }
  std::string initName = uniqueBlockName(kernel, (blockName + ".init").str());
  BlockOp init = createBlock(builder, loc, initName, {}, AffineMap::get(block.getContext()),
                             domains, SmallVector<int64_t>(domains.size(), 0));
  setBindings(init, operands.values, results);
  // The init iterates the block's spatial domain, run-time bounds included.
  if (hasDynamicDomains(block)) {
    SmallVector<int64_t> entries;
    for (unsigned k : spatial) {
      std::optional<DynamicDomain> dynamic = dynamicDomain(block, k);
      entries.append({dynamic ? dynamic->symbol : -1, dynamic ? dynamic->scale : 0,
                      dynamic ? dynamic->offset : block.getDomains()[k]});
    }
    init->setAttr(kDynamicDomainsAttr, builder.getDenseI64ArrayAttr(entries));
  }

  // The init region's body, with reduce iter vars at 0 (and no longer passed to accesses that
  // ignore them).
  Block *from = block.getInitBlock();
  dropUnusedMapOperands(block.getInit());
  Block *to = init.getBodyBlock();
  IRMapping mapping;
  builder.setInsertionPoint(to->getTerminator());
  for (auto [i, k] : llvm::enumerate(spatial))
    mapping.map(from->getArgument(k), to->getArgument(i));
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (block.isReduceVar(k) && !from->getArgument(k).use_empty())
      mapping.map(from->getArgument(k), builder.create<arith::ConstantIndexOp>(loc, 0));
  for (Operation &op : from->without_terminator())
    builder.clone(op, mapping);
  from->dropAllDefinedValueUses();
  from->erase();
  record({"decompose_reduction", {blockName.str(), loopName.str()}, {}});
  return initName;
}

} // namespace kiln::schedule
