// Helpers shared by the schedule primitives: bindings, loop chains, program order, buffers.
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace kiln::loop;

namespace kiln::schedule::detail {

AffineExpr OperandList::dim(Value v) {
  auto it = llvm::find(values, v);
  if (it != values.end())
    return getAffineDimExpr(it - values.begin(), ctx);
  values.push_back(v);
  return getAffineDimExpr(values.size() - 1, ctx);
}

void setBindings(BlockOp block, ArrayRef<Value> operands, ArrayRef<AffineExpr> results) {
  // Only the simplifications AffineExpr construction does: simplifyAffineExpr would rewrite
  // `(d0 mod 16) * 16` as `d0 * 16 - (d0 floordiv 16) * 256`, whose interval range is useless.
  AffineMap map = AffineMap::get(operands.size(), 0, results, block.getContext());
  llvm::SmallBitVector unused = getUnusedDimsBitVector({map});
  SmallVector<Value> kept;
  for (auto [i, v] : llvm::enumerate(operands))
    if (!unused.test(i))
      kept.push_back(v);
  block.getLoopVarsMutable().assign(kept);
  block.setBindingsAttr(AffineMapAttr::get(compressUnusedDims(map)));
}

SmallVector<AffineExpr> bindingExprs(BlockOp block, OperandList &operands) {
  SmallVector<AffineExpr> dims;
  for (Value v : block.getLoopVars())
    dims.push_back(operands.dim(v));
  SmallVector<AffineExpr> results;
  for (AffineExpr e : block.getBindings().getResults())
    results.push_back(e.replaceDims(dims));
  return results;
}

void substituteLoopVars(Operation *root, const DenseMap<Value, VarExpr> &subst) {
  root->walk([&](BlockOp block) {
    if (!llvm::any_of(block.getLoopVars(), [&](Value v) { return subst.count(v); }))
      return;
    OperandList operands(block.getContext());
    SmallVector<AffineExpr> dims;
    for (Value v : block.getLoopVars()) {
      auto it = subst.find(v);
      if (it == subst.end()) {
        dims.push_back(operands.dim(v));
        continue;
      }
      SmallVector<AffineExpr> inner;
      for (Value w : it->second.values)
        inner.push_back(operands.dim(w));
      dims.push_back(it->second.expr.replaceDims(inner));
    }
    SmallVector<AffineExpr> results;
    for (AffineExpr e : block.getBindings().getResults())
      results.push_back(e.replaceDims(dims));
    setBindings(block, operands.values, results);
  });
}

bool dependsOn(BlockOp block, unsigned iv, Value loopVar) {
  AffineExpr binding = block.getBindings().getResult(iv);
  for (auto [i, v] : llvm::enumerate(block.getLoopVars()))
    if (v == loopVar && binding.isFunctionOfDim(i))
      return true;
  return false;
}

// Adds `expr`'s dim coefficients (times `scale`) to `into`; false when a dim in `linearDims`
// appears other than linearly. A subexpression of the other dims alone (a fused outer loop's
// floordiv) is an offset and is left out.
static bool addLinearTerms(AffineExpr expr, LinearBinding &into, int64_t scale,
                           const llvm::SmallBitVector &linearDims) {
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(expr)) {
    into.coefficients[dim.getPosition()] += scale;
    return true;
  }
  if (auto c = llvm::dyn_cast<AffineConstantExpr>(expr)) {
    into.constant += scale * c.getValue();
    return true;
  }
  auto binary = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  auto factor = binary ? llvm::dyn_cast<AffineConstantExpr>(binary.getRHS()) : nullptr;
  if (binary && binary.getKind() == AffineExprKind::Add)
    return addLinearTerms(binary.getLHS(), into, scale, linearDims) &&
           addLinearTerms(binary.getRHS(), into, scale, linearDims);
  if (binary && binary.getKind() == AffineExprKind::Mul && factor)
    return addLinearTerms(binary.getLHS(), into, scale * factor.getValue(), linearDims);
  return llvm::none_of(linearDims.set_bits(), [&](unsigned d) { return expr.isFunctionOfDim(d); });
}

static std::optional<LinearBinding> linearIn(BlockOp block, unsigned iv,
                                             const llvm::SmallBitVector &linearDims) {
  AffineMap bindings = block.getBindings();
  if (bindings.getNumSymbols() != 0)
    return std::nullopt;
  LinearBinding result;
  result.coefficients.assign(bindings.getNumDims(), 0);
  if (!addLinearTerms(bindings.getResult(iv), result, 1, linearDims))
    return std::nullopt;
  return result;
}

std::optional<LinearBinding> linearBinding(BlockOp block, unsigned iv) {
  return linearIn(block, iv, llvm::SmallBitVector(block.getBindings().getNumDims(), true));
}

ForOp loopOf(Value var) {
  auto arg = llvm::dyn_cast<BlockArgument>(var);
  return arg ? llvm::dyn_cast<ForOp>(arg.getOwner()->getParentOp()) : ForOp();
}

bool visitsEachPointOnce(BlockOp block, ArrayRef<ForOp> loops) {
  llvm::SmallBitVector inner(block.getLoopVars().size());
  SmallVector<std::pair<unsigned, int64_t>> dims; // loop var position, extent
  for (ForOp loop : loops) {
    if (loop.getExtent() <= 1)
      continue;
    auto position = llvm::find(block.getLoopVars(), loop.getInductionVar());
    if (position == block.getLoopVars().end())
      return false;
    unsigned d = position - block.getLoopVars().begin();
    inner.set(d);
    dims.push_back({d, loop.getExtent()});
  }
  SmallVector<SmallVector<std::pair<int64_t, int64_t>>> termsOf(block.getNumIterVars());
  for (auto [d, extent] : dims) {
    unsigned feeds = 0;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
      if (!block.getBindings().getResult(k).isFunctionOfDim(d))
        continue;
      std::optional<LinearBinding> binding = linearIn(block, k, inner);
      if (!binding || binding->coefficients[d] <= 0)
        return false;
      termsOf[k].push_back({binding->coefficients[d], extent});
      ++feeds;
    }
    if (feeds != 1)
      return false;
  }
  for (auto &terms : termsOf) {
    llvm::sort(terms);
    int64_t span = 1;
    for (auto [coefficient, extent] : terms) {
      if (coefficient < span)
        return false;
      span = coefficient * extent;
    }
  }
  return true;
}

LoopRole loopRole(ForOp loop) {
  LoopRole role;
  Value iv = loop.getInductionVar();
  loop.walk([&](BlockOp block) {
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      if (dependsOn(block, k, iv))
        (block.isReduceVar(k) ? role.reduce : role.spatial) = true;
  });
  return role;
}

bool inductionVarOnlyBinds(ForOp loop) {
  return llvm::all_of(loop.getInductionVar().getUses(),
                      [](OpOperand &use) { return llvm::isa<BlockOp>(use.getOwner()); });
}

LoopSpec specOf(ForOp loop) {
  return {loop.getLoopName().str(), int64_t(loop.getExtent()), loop.getKind().str(),
          loop->getDiscardableAttrDictionary()};
}

SmallVector<ForOp> createNest(OpBuilder &builder, Location loc, ArrayRef<LoopSpec> specs) {
  OpBuilder::InsertionGuard guard(builder);
  SmallVector<ForOp> loops;
  for (const LoopSpec &spec : specs) {
    auto loop = builder.create<ForOp>(loc, spec.extent, spec.name, spec.kind);
    if (spec.extraAttrs)
      loop->setDiscardableAttrs(spec.extraAttrs);
    loops.push_back(loop);
    builder.setInsertionPoint(loop.getBodyBlock()->getTerminator());
  }
  return loops;
}

SmallVector<ForOp> replaceChain(ArrayRef<ForOp> chainRef, ArrayRef<LoopSpec> specs,
                                ArrayRef<AffineExpr> oldVarExprs) {
  SmallVector<ForOp> chain(chainRef);
  OpBuilder builder(chain.front());
  SmallVector<ForOp> loops = createNest(builder, chain.front().getLoc(), specs);
  Block *from = chain.back().getBodyBlock();
  Block *to = loops.back().getBodyBlock();
  to->getOperations().splice(to->getTerminator()->getIterator(), from->getOperations(),
                             from->begin(), from->getTerminator()->getIterator());
  SmallVector<Value> newVars;
  for (ForOp loop : loops)
    newVars.push_back(loop.getInductionVar());
  DenseMap<Value, VarExpr> subst;
  for (auto [old, expr] : llvm::zip(chain, oldVarExprs))
    subst[old.getInductionVar()] = VarExpr{expr, newVars};
  substituteLoopVars(loops.back(), subst);
  chain.front().erase();
  return loops;
}

BlockOp createBlock(OpBuilder &builder, Location loc, StringRef name, ValueRange loopVars,
                    AffineMap bindings, ArrayRef<int64_t> domains, ArrayRef<int64_t> kinds) {
  auto block = builder.create<BlockOp>(loc, loopVars, name, bindings, domains, kinds);
  Block *body = new Block();
  block.getBody().push_back(body);
  for (unsigned i = 0; i < domains.size(); ++i)
    body->addArgument(builder.getIndexType(), loc);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(body);
  builder.create<YieldOp>(loc);
  return block;
}

Operation *kernelAllocPoint(func::FuncOp kernel) {
  Block &entry = kernel.getBody().front();
  for (Operation &op : entry)
    if (!llvm::isa<memref::AllocOp>(op))
      return &op;
  return entry.getTerminator();
}

void dropUnusedMapOperands(Region &region) {
  SmallVector<Operation *> accesses;
  region.walk([&](Operation *op) {
    if (llvm::isa<affine::AffineLoadOp, affine::AffineStoreOp>(op))
      accesses.push_back(op);
  });
  for (Operation *op : accesses) {
    auto load = llvm::dyn_cast<affine::AffineLoadOp>(op);
    auto store = llvm::dyn_cast<affine::AffineStoreOp>(op);
    AffineMap map = load ? load.getAffineMap() : store.getAffineMap();
    ValueRange operands = load ? load.getMapOperands() : store.getMapOperands();
    llvm::SmallBitVector unused = getUnusedDimsBitVector({map});
    if (map.getNumSymbols() != 0 || unused.none())
      continue;
    SmallVector<Value> kept;
    for (auto [i, v] : llvm::enumerate(operands))
      if (!unused.test(i))
        kept.push_back(v);
    OpBuilder b(op);
    AffineMap compact = compressUnusedDims(map);
    if (load) {
      auto replacement =
          b.create<affine::AffineLoadOp>(load.getLoc(), load.getMemRef(), compact, kept);
      load.getResult().replaceAllUsesWith(replacement.getResult());
    } else {
      b.create<affine::AffineStoreOp>(store.getLoc(), store.getValueToStore(), store.getMemRef(),
                                      compact, kept);
    }
    op->erase();
  }
}

SmallVector<Operation *> bodyOps(ForOp loop) {
  SmallVector<Operation *> ops;
  for (Operation &op : loop.getBodyBlock()->without_terminator())
    ops.push_back(&op);
  return ops;
}

SmallVector<ForOp> privateLoops(BlockOp block) {
  SmallVector<ForOp> loops;
  Operation *child = block;
  while (auto loop = llvm::dyn_cast_or_null<ForOp>(child->getParentOp())) {
    if (bodyOps(loop).size() != 1)
      break;
    loops.push_back(loop);
    child = loop;
  }
  std::reverse(loops.begin(), loops.end());
  return loops;
}

Operation *privateNestTop(BlockOp block) {
  SmallVector<ForOp> loops = privateLoops(block);
  return loops.empty() ? block.getOperation() : loops.front().getOperation();
}

std::string regeneratedLoopName(BlockOp block, unsigned iv, ArrayRef<ForOp> privateLoops) {
  AffineExpr binding = block.getBindings().getResult(iv);
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(binding)) {
    Value var = block.getLoopVars()[dim.getPosition()];
    for (ForOp loop : privateLoops) {
      if (loop.getInductionVar() != var)
        continue;
      // The name is free again only if no other iter var uses this loop.
      unsigned users = 0;
      for (unsigned k = 0; k < block.getNumIterVars(); ++k)
        users += dependsOn(block, k, var);
      if (users == 1)
        return loop.getLoopName().str();
    }
  }
  return (block.getBlockName() + ".ax" + llvm::Twine(iv)).str();
}

Operation *ancestorIn(Operation *op, Block *block) {
  for (; op; op = op->getParentOp())
    if (op->getBlock() == block)
      return op;
  return nullptr;
}

bool isBefore(Operation *a, Operation *b) {
  for (Operation *p = b; p; p = p->getParentOp()) {
    Operation *aAnc = ancestorIn(a, p->getBlock());
    if (!aAnc)
      continue;
    return aAnc != p && aAnc->isBeforeInBlock(p);
  }
  return false;
}

Operation *topLevelOp(Operation *op) {
  while (op->getParentOp() && !llvm::isa<func::FuncOp>(op->getParentOp()))
    op = op->getParentOp();
  return op;
}

static SmallVector<BlockOp> accessorsOf(Operation *root, Value buffer, bool write) {
  SmallVector<BlockOp> blocks;
  root->walk([&](BlockOp block) {
    for (const BufferAccess &access : collectAccesses(block))
      if (access.buffer == buffer && access.isWrite == write) {
        blocks.push_back(block);
        return;
      }
  });
  return blocks;
}

SmallVector<BlockOp> writersOf(Operation *root, Value buffer) {
  return accessorsOf(root, buffer, true);
}
SmallVector<BlockOp> readersOf(Operation *root, Value buffer) {
  return accessorsOf(root, buffer, false);
}

static SmallVector<Value> buffers(BlockOp block, bool write) {
  llvm::SetVector<Value> set;
  for (const BufferAccess &access : collectAccesses(block))
    if (access.isWrite == write)
      set.insert(access.buffer);
  return SmallVector<Value>(set.begin(), set.end());
}

SmallVector<Value> readBuffers(BlockOp block) { return buffers(block, false); }
SmallVector<Value> writtenBuffers(BlockOp block) { return buffers(block, true); }

bool writesIdentity(BlockOp block, Value buffer) {
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  SmallVector<AffineExpr> spatial;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (!block.isReduceVar(k))
      spatial.push_back(getAffineDimExpr(k, block.getContext()));
  if (!type || type.getRank() != int64_t(spatial.size()))
    return false;
  bool any = false;
  for (const BufferAccess &access : collectAccesses(block)) {
    if (!access.isWrite)
      continue;
    if (access.buffer != buffer || !access.map || access.map.getResults() != ArrayRef(spatial))
      return false;
    any = true;
  }
  return any;
}

template <typename OpT> static std::string uniqueName(Operation *kernel, StringRef base) {
  auto taken = [&](StringRef name) {
    bool found = false;
    kernel->walk([&](OpT op) {
      if constexpr (std::is_same_v<OpT, ForOp>)
        found |= op.getLoopName() == name;
      else
        found |= op.getBlockName() == name;
    });
    return found;
  };
  if (!taken(base))
    return base.str();
  for (unsigned i = 1;; ++i) {
    std::string candidate = (base + "_" + llvm::Twine(i)).str();
    if (!taken(candidate))
      return candidate;
  }
}

std::string uniqueLoopName(Operation *kernel, StringRef base) {
  return uniqueName<ForOp>(kernel, base);
}
std::string uniqueBlockName(Operation *kernel, StringRef base) {
  return uniqueName<BlockOp>(kernel, base);
}

} // namespace kiln::schedule::detail

namespace kiln::schedule::detail {

Value bufferOutOfScope(BlockOp block, Operation *where) {
  for (const BufferAccess &access : collectAccesses(block))
    if (Operation *def = access.buffer.getDefiningOp()) {
      if (!def->getParentOp()->isAncestor(where))
        return access.buffer;
      // Allocated in an enclosing body, it must come before the op holding `where` there.
      Operation *holder = ancestorIn(where, def->getBlock());
      if (holder && holder != def && !def->isBeforeInBlock(holder))
        return access.buffer;
    }
  return Value();
}

} // namespace kiln::schedule::detail
