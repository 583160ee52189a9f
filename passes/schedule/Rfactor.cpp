// rfactor: splits a reduction along one of its reduction loops. A partial block keeps one
// accumulator per iteration of that loop (a new spatial iter var, so the loop can then be
// vectorized or parallelized), and the original block becomes the final combination of the
// partials, in its own nest right after the reduction loops.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// The partial buffer holds one accumulator per output element and loop iteration.
static constexpr int64_t kMaxPartialBytes = int64_t(64) << 20;

namespace {
// The update `out[index] = combine(out[index], value)` of a reduction body.
struct Accumulation {
  affine::AffineStoreOp store;
  Operation *combine = nullptr;
  unsigned accOperand = 0;           // which operand of `combine` is the accumulator
  TypedAttr identity;                // neutral element of `combine`
  SmallVector<AffineExpr> index;     // over the block's iter vars (dim k = iter var k)
};
} // namespace

static bool isIndexUse(OpOperand &use) {
  Operation *user = use.getOwner();
  return (llvm::isa<affine::AffineLoadOp>(user) && use.getOperandNumber() >= 1) ||
         (llvm::isa<affine::AffineStoreOp>(user) && use.getOperandNumber() >= 2);
}

static FailureOr<Accumulation> findAccumulation(BlockOp block, Value out, std::string &why) {
  Accumulation a;
  affine::AffineLoadOp acc;
  Block *body = block.getBodyBlock();
  for (const BufferAccess &access : collectAccesses(block, /*includeInit=*/false)) {
    if (access.buffer != out)
      continue;
    if (!access.isWrite)
      continue;
    if (a.store) {
      why = "it stores to its buffer more than once";
      return failure();
    }
    a.store = llvm::dyn_cast<affine::AffineStoreOp>(access.op);
  }
  if (!a.store || a.store->getBlock() != body) {
    why = "it has no single top-level store to its buffer";
    return failure();
  }
  a.combine = a.store.getValueToStore().getDefiningOp();
  std::optional<TypedAttr> identity =
      a.combine && a.combine->getNumOperands() == 2 ? arith::getNeutralElement(a.combine)
                                                    : std::nullopt;
  if (!identity) {
    why = "its update is not an associative combination with a neutral element";
    return failure();
  }
  a.identity = *identity;
  for (auto [i, operand] : llvm::enumerate(a.combine->getOperands())) {
    auto load = operand.getDefiningOp<affine::AffineLoadOp>();
    if (load && load.getMemRef() == out && load.getAffineMap() == a.store.getAffineMap() &&
        load.getMapOperands() == a.store.getMapOperands() && load->hasOneUse()) {
      acc = load;
      a.accOperand = i;
    }
  }
  if (!acc) {
    why = "its update does not combine the accumulator with a value";
    return failure();
  }
  for (const BufferAccess &access : collectAccesses(block, false))
    if (access.buffer == out && !access.isWrite && access.op != acc) {
      why = "it reads its buffer other than as the accumulator";
      return failure();
    }
  SmallVector<AffineExpr> dims;
  AffineMap storeMap = a.store.getAffineMap();
  for (auto [i, v] : llvm::enumerate(a.store.getMapOperands())) {
    if (!storeMap.isFunctionOfDim(i)) { // the lowering passes every iter var
      dims.push_back(getAffineConstantExpr(0, block.getContext()));
      continue;
    }
    auto arg = llvm::dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != body || block.isReduceVar(arg.getArgNumber())) {
      why = "its accumulator is not indexed by spatial iter vars";
      return failure();
    }
    dims.push_back(getAffineDimExpr(arg.getArgNumber(), block.getContext()));
  }
  for (AffineExpr e : a.store.getAffineMap().getResults())
    a.index.push_back(e.replaceDims(dims));
  return a;
}

// Rewrites every affine access in `body` that uses an argument of `oldBody` (iter var k becomes
// `k + coeff[k] * partial` over the new body's arguments) or the buffer `out` (which becomes
// `partials`, indexed additionally by the partial iter var, the new body's last argument).
static void rewriteAccesses(Block *body, Block *oldBody, ArrayRef<int64_t> coeff, Value out,
                            Value partials) {
  MLIRContext *ctx = body->getParentOp()->getContext();
  unsigned partial = body->getNumArguments() - 1;
  SmallVector<Operation *> accesses;
  body->walk([&](Operation *op) {
    if (llvm::isa<affine::AffineLoadOp, affine::AffineStoreOp>(op))
      accesses.push_back(op);
  });
  for (Operation *op : accesses) {
    auto load = llvm::dyn_cast<affine::AffineLoadOp>(op);
    auto store = llvm::dyn_cast<affine::AffineStoreOp>(op);
    Value memref = load ? load.getMemRef() : store.getMemRef();
    AffineMap map = load ? load.getAffineMap() : store.getAffineMap();
    ValueRange mapOperands = load ? load.getMapOperands() : store.getMapOperands();
    bool accumulator = memref == out;
    bool usesOld = llvm::any_of(mapOperands, [&](Value v) {
      auto arg = llvm::dyn_cast<BlockArgument>(v);
      return arg && arg.getOwner() == oldBody;
    });
    if (!accumulator && !usesOld)
      continue;
    SmallVector<Value> operands(body->getArguments());
    SmallVector<AffineExpr> dims;
    for (Value v : mapOperands) {
      auto arg = llvm::dyn_cast<BlockArgument>(v);
      if (arg && arg.getOwner() == oldBody) {
        unsigned k = arg.getArgNumber();
        dims.push_back(getAffineDimExpr(k, ctx) +
                       getAffineDimExpr(partial, ctx) * coeff[k]);
      } else if (arg && arg.getOwner() == body) {
        dims.push_back(getAffineDimExpr(arg.getArgNumber(), ctx));
      } else {
        operands.push_back(v);
        dims.push_back(getAffineDimExpr(operands.size() - 1, ctx));
      }
    }
    SmallVector<AffineExpr> results;
    for (AffineExpr e : map.getResults())
      results.push_back(e.replaceDims(dims));
    if (accumulator)
      results.push_back(getAffineDimExpr(partial, ctx));
    AffineMap newMap = AffineMap::get(operands.size(), 0, results, ctx);
    Value target = accumulator ? partials : memref;
    OpBuilder b(op);
    if (load) {
      auto replacement = b.create<affine::AffineLoadOp>(op->getLoc(), target, newMap, operands);
      load.getResult().replaceAllUsesWith(replacement.getResult());
    } else {
      b.create<affine::AffineStoreOp>(op->getLoc(), store.getValueToStore(), target, newMap,
                                      operands);
    }
    op->erase();
  }
}

static Block *addRegionBlock(Region &region, unsigned numArgs, Location loc) {
  Block *block = new Block();
  region.push_back(block);
  for (unsigned i = 0; i < numArgs; ++i)
    block->addArgument(IndexType::get(region.getContext()), loc);
  return block;
}

FailureOr<std::string> Schedule::rfactor(StringRef blockName, StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what =
      ("cannot rfactor block '" + blockName + "' at loop '" + loopName + "': ").str();
  if (!block.hasReduction() || !block.getInitBlock())
    return fail(what + "it is not a reduction with an init region");
  // The partial block would sum over the static domain: padding, at a smaller run size.
  if (loop::hasDynamicDomains(block))
    return fail(what + "its domain follows a symbolic dim of the model");
  if (!loop->isProperAncestor(block))
    return fail(what + "the loop does not enclose the block");
  if (loop.getKind() != ForOp::kSerial)
    return fail(what + "the loop is " + loop.getKind());
  unsigned numIterVars = block.getNumIterVars();
  bool bindsReduce = false;
  for (unsigned k = 0; k < numIterVars; ++k)
    if (dependsOn(block, k, loop.getInductionVar())) {
      if (!block.isReduceVar(k))
        return fail(what + "the loop binds spatial iter var " + Twine(k));
      bindsReduce = true;
    }
  if (!bindsReduce)
    return fail(what + "the loop binds no reduce iter var");
  SmallVector<Value> written = writtenBuffers(block);
  auto outType = written.size() == 1 ? llvm::dyn_cast<MemRefType>(written[0].getType()) : nullptr;
  if (!outType || !outType.hasStaticShape())
    return fail(what + "it must write one buffer of static shape");
  Value out = written[0];
  std::string why;
  FailureOr<Accumulation> acc = findAccumulation(block, out, why);
  if (failed(acc))
    return fail(what + why);

  // Each reduce iter var k = rest_k + coeff_k * loop var: the partial block reduces over
  // rest_k, its partial iter var is the loop var.
  MLIRContext *ctx = getKernel().getContext();
  OperandList operands(ctx);
  SmallVector<AffineExpr> exprs = bindingExprs(block, operands);
  AffineExpr r = operands.dim(loop.getInductionVar());
  unsigned numDims = operands.values.size();
  SmallVector<bool> inDomain = bindingsInDomain(block);
  SmallVector<AffineExpr> partialBindings;
  SmallVector<int64_t> coeff(numIterVars, 0);
  AffineExpr zero = getAffineConstantExpr(0, ctx);
  for (auto [k, e] : llvm::enumerate(exprs)) {
    AffineExpr rest = e.replace(r, zero);
    AffineExpr step = simplifyAffineExpr(e - rest, numDims, 0);
    partialBindings.push_back(rest);
    if (step == zero)
      continue;
    auto c = llvm::dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(step.replace(r, getAffineConstantExpr(1, ctx)), numDims, 0));
    if (!c || c.getValue() <= 0 || simplifyAffineExpr(step - r * c.getValue(), numDims, 0) != zero)
      return fail(what + "iter var " + Twine(k) + " is not an increasing linear function of the loop");
    if (!inDomain[k])
      return fail(what + "reduce iter var " + Twine(k) +
                  " needs a predicate (the reduction is split imperfectly)");
    coeff[k] = c.getValue();
    for (OpOperand &use : block.getBodyBlock()->getArgument(k).getUses())
      if (!isIndexUse(use))
        return fail(what + "reduce iter var " + Twine(k) + " is used as a value");
  }
  partialBindings.push_back(r);
  // The outermost loop of the reduction must hold this block alone: the final combination
  // goes right after it.
  ForOp top;
  for (ForOp l : enclosingLoops(block))
    for (unsigned k = 0; k < numIterVars && !top; ++k)
      if (block.isReduceVar(k) && dependsOn(block, k, l.getInductionVar()))
        top = l;
  int blocksUnderTop = 0;
  top.walk([&](BlockOp) { ++blocksUnderTop; });
  if (blocksUnderTop != 1)
    return fail(what + "other blocks share its reduction loop '" + top.getLoopName() + "'");
  SmallVector<int64_t> partialShape(outType.getShape());
  partialShape.push_back(loop.getExtent());
  auto partialType = MemRefType::get(partialShape, outType.getElementType());
  int64_t bytes = partialType.getNumElements() * ((outType.getElementTypeBitWidth() + 7) / 8);
  if (bytes > kMaxPartialBytes)
    return fail(what + "the partial results take " + Twine(bytes) + " bytes, more than " +
                Twine(kMaxPartialBytes));

  // The partial block, in place of the original, with its body moved over.
  Location loc = block.getLoc();
  OpBuilder builder(kernelAllocPoint(kernel));
  Value partials = builder.create<memref::AllocOp>(loc, partialType);
  SmallVector<int64_t> domains(block.getDomains());
  SmallVector<int64_t> kinds(block.getIterKinds());
  domains.push_back(loop.getExtent());
  kinds.push_back(0);
  builder.setInsertionPoint(block);
  std::string rfName = uniqueBlockName(kernel, (blockName + ".rf").str());
  BlockOp rf = createBlock(builder, loc, rfName, operands.values,
                           AffineMap::get(numDims, 0, partialBindings, ctx), domains, kinds);
  setBindings(rf, operands.values, partialBindings);
  Block *oldBody = block.getBodyBlock();
  Block *body = rf.getBodyBlock();
  body->getOperations().splice(body->getTerminator()->getIterator(), oldBody->getOperations(),
                               oldBody->begin(), oldBody->getTerminator()->getIterator());
  for (unsigned k = 0; k < numIterVars; ++k)
    if (coeff[k] == 0)
      oldBody->getArgument(k).replaceAllUsesWith(body->getArgument(k));
  rewriteAccesses(body, oldBody, coeff, out, partials);
  dropUnusedMapOperands(rf.getBody());
  // Its init stores the neutral element into the partial accumulator.
  {
    Block *init = addRegionBlock(rf.getInit(), numIterVars + 1, loc);
    OpBuilder ib = OpBuilder::atBlockEnd(init);
    Value identity = ib.create<arith::ConstantOp>(loc, acc->identity);
    SmallVector<AffineExpr> index(acc->index);
    index.push_back(getAffineDimExpr(numIterVars, ctx));
    ib.create<affine::AffineStoreOp>(loc, identity, partials,
                                     AffineMap::get(numIterVars + 1, 0, index, ctx),
                                     init->getArguments());
    ib.create<YieldOp>(loc);
    dropUnusedMapOperands(rf.getInit());
  }

  // The final combination: copies of the loops under `top` that feed spatial iter vars, and a
  // loop over the partials.
  SmallVector<unsigned> spatial;
  SmallVector<int64_t> position(numIterVars, -1);
  for (unsigned k = 0; k < numIterVars; ++k)
    if (!block.isReduceVar(k)) {
      position[k] = spatial.size();
      spatial.push_back(k);
    }
  SmallVector<ForOp> inside = enclosingLoops(rf);
  inside.erase(inside.begin(), llvm::find(inside, top));
  SmallVector<ForOp> copied;
  SmallVector<LoopSpec> specs;
  for (ForOp l : inside)
    if (llvm::any_of(spatial, [&](unsigned k) { return dependsOn(block, k, l.getInductionVar()); })) {
      copied.push_back(l);
      specs.push_back({uniqueLoopName(kernel, (l.getLoopName() + ".wb").str()), int64_t(l.getExtent()),
                       ForOp::kSerial.str(), nullptr});
    }
  specs.push_back(
      {uniqueLoopName(kernel, (loopName + ".wb").str()), int64_t(loop.getExtent()),
       ForOp::kSerial.str(), nullptr});
  builder.setInsertionPointAfter(top);
  SmallVector<ForOp> loops = createNest(builder, loc, specs);
  builder.setInsertionPoint(loops.back().getBodyBlock()->getTerminator());
  OperandList finalOperands(ctx);
  SmallVector<AffineExpr> loopDims;
  for (Value v : block.getLoopVars()) {
    auto it = llvm::find_if(copied, [&](ForOp l) { return l.getInductionVar() == v; });
    loopDims.push_back(finalOperands.dim(
        it == copied.end() ? v : loops[it - copied.begin()].getInductionVar()));
  }
  SmallVector<AffineExpr> finalBindings;
  SmallVector<int64_t> finalDomains;
  for (unsigned k : spatial) {
    finalBindings.push_back(block.getBindings().getResult(k).replaceDims(loopDims));
    finalDomains.push_back(block.getDomains()[k]);
  }
  finalBindings.push_back(finalOperands.dim(loops.back().getInductionVar()));
  finalDomains.push_back(loop.getExtent());
  SmallVector<int64_t> finalKinds(spatial.size(), 0);
  finalKinds.push_back(1);
  BlockOp final = createBlock(builder, loc, rfName + ".final", {}, AffineMap::get(ctx),
                              finalDomains, finalKinds);
  setBindings(final, finalOperands.values, finalBindings);
  unsigned numFinal = spatial.size() + 1;
  SmallVector<AffineExpr> finalIndex;
  for (AffineExpr e : acc->index) {
    SmallVector<AffineExpr> dims;
    for (unsigned k = 0; k < numIterVars; ++k)
      dims.push_back(position[k] < 0 ? zero : getAffineDimExpr(position[k], ctx));
    finalIndex.push_back(e.replaceDims(dims));
  }
  {
    Block *finalBody = final.getBodyBlock();
    OpBuilder bb(finalBody->getTerminator());
    AffineMap accMap = AffineMap::get(numFinal, 0, finalIndex, ctx);
    SmallVector<AffineExpr> partialIndex(finalIndex);
    partialIndex.push_back(getAffineDimExpr(numFinal - 1, ctx));
    Value accValue = bb.create<affine::AffineLoadOp>(loc, out, accMap, finalBody->getArguments());
    Value part = bb.create<affine::AffineLoadOp>(
        loc, partials, AffineMap::get(numFinal, 0, partialIndex, ctx), finalBody->getArguments());
    IRMapping mapping;
    mapping.map(acc->combine->getOperand(acc->accOperand), accValue);
    mapping.map(acc->combine->getOperand(1 - acc->accOperand), part);
    Operation *combined = bb.clone(*acc->combine, mapping);
    bb.create<affine::AffineStoreOp>(loc, combined->getResult(0), out, accMap,
                                     finalBody->getArguments());
    dropUnusedMapOperands(final.getBody());
  }
  // Its init is the original init.
  {
    dropUnusedMapOperands(block.getInit());
    Block *from = block.getInitBlock();
    Block *init = addRegionBlock(final.getInit(), numFinal, loc);
    OpBuilder ib = OpBuilder::atBlockEnd(init);
    IRMapping mapping;
    for (unsigned k = 0; k < numIterVars; ++k)
      if (position[k] >= 0)
        mapping.map(from->getArgument(k), init->getArgument(position[k]));
      else if (!from->getArgument(k).use_empty())
        mapping.map(from->getArgument(k), ib.create<arith::ConstantIndexOp>(loc, 0));
    for (Operation &op : from->without_terminator())
      ib.clone(op, mapping);
    ib.create<YieldOp>(loc);
    dropUnusedMapOperands(final.getInit());
  }
  block.erase();
  final.setBlockName(blockName);
  record({"rfactor", {blockName.str(), loopName.str()}, {}});
  return rfName;
}

} // namespace kiln::schedule
