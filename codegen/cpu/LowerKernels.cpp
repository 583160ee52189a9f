// Lowers scheduled kl kernels into stage functions on scf/affine/memref, ready for LLVM.
#include "codegen/cpu/LowerKernels.h"
#include "codegen/cpu/Vectorize.h"
#include "codegen/cpu/DynamicDomains.h"
#include "passes/schedule/BufferCompaction.h"

#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using kiln::loop::BlockOp;
using kiln::loop::ForOp;

namespace kiln::codegen {

int64_t byteSize(Type type) {
  auto shaped = llvm::cast<ShapedType>(type);
  int64_t bits = shaped.getElementTypeBitWidth();
  return shaped.getNumElements() * std::max<int64_t>(1, bits / 8);
}

namespace {

// Inlines a kl.block: iter vars become affine.apply of the bindings; guards the body with
// its implicit predicate, and runs the init region when all reduce iter vars are 0.
void lowerBlock(BlockOp block, bool needsPredicate) {
  OpBuilder b(block);
  Location loc = block.getLoc();
  AffineMap map = block.getBindings();
  SmallVector<Value> iterValues;
  for (unsigned i = 0; i < map.getNumResults(); ++i)
    iterValues.push_back(b.create<affine::AffineApplyOp>(loc, map.getSubMap({i}), block.getLoopVars()));
  // The spatial iter vars guard the init and the body; the reduce ones only the body, so that
  // a reduction over a run-time domain of 0 still writes its init value.
  Value spatialOk, reduceOk;
  if (needsPredicate) {
    for (auto [k, v] : llvm::enumerate(iterValues)) {
      Value bound = domainBound(b, loc, block, k);
      Value ok = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, v, bound);
      Value &all = block.isReduceVar(k) && block.getInitBlock() ? reduceOk : spatialOk;
      all = all ? b.create<arith::AndIOp>(loc, all, ok).getResult() : ok;
    }
  }
  if (spatialOk) {
    auto guard = b.create<scf::IfOp>(loc, spatialOk, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
  auto inlineRegion = [&](Region &region) {
    Block &src = region.front();
    IRMapping mapping;
    for (auto [arg, v] : llvm::zip(src.getArguments(), iterValues))
      mapping.map(arg, v);
    for (Operation &op : src.without_terminator())
      b.clone(op, mapping);
  };
  if (block.getInitBlock()) {
    Value first;
    for (unsigned i = 0; i < block.getNumIterVars(); ++i) {
      if (!block.isReduceVar(i))
        continue;
      Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
      Value isZero = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, iterValues[i], zero);
      first = first ? b.create<arith::AndIOp>(loc, first, isZero).getResult() : isZero;
    }
    auto ifFirst = b.create<scf::IfOp>(loc, first, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifFirst.thenBlock()->getTerminator());
    inlineRegion(block.getInit());
  }
  if (reduceOk) {
    auto guard = b.create<scf::IfOp>(loc, reduceOk, /*withElseRegion=*/false);
    b.setInsertionPoint(guard.thenBlock()->getTerminator());
  }
  inlineRegion(block.getBody());
  block.erase();
}

// kl.for -> scf.for over [lower, upper); `unrolled` loops are fully unrolled afterwards.
scf::ForOp lowerLoop(ForOp loop, Value lower, Value upper) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  if (!lower)
    lower = b.create<arith::ConstantIndexOp>(loc, 0);
  if (!upper)
    upper = b.create<arith::ConstantIndexOp>(loc, loop.getExtent());
  Value one = b.create<arith::ConstantIndexOp>(loc, 1);
  auto forOp = b.create<scf::ForOp>(loc, lower, upper, one);
  Block *dst = forOp.getBody();
  Block *src = loop.getBodyBlock();
  src->getArgument(0).replaceAllUsesWith(forOp.getInductionVar());
  dst->getOperations().splice(dst->begin(), src->getOperations(), src->begin(),
                              std::prev(src->end()));
  if (loop.getKind() == ForOp::kUnrolled || loop.getKind() == ForOp::kVectorized)
    forOp->setAttr("kiln.unroll", b.getUnitAttr());
  loop.erase();
  return forOp;
}

// Lowers every kl op under `root`, outermost first; blocks after their loops are gone. A loop
// with a run-time trip count (`stops`) runs to it.
void lowerNest(Operation *root, Value parallelBegin, Value parallelEnd,
               const DenseMap<Operation *, std::vector<StopTerm>> &stops, Value symbols) {
  SmallVector<ForOp> loops;
  root->walk<WalkOrder::PreOrder>([&](ForOp loop) { loops.push_back(loop); });
  for (ForOp loop : loops) {
    bool isOuterParallel = loop.getOperation() == root && parallelBegin;
    Value upper = isOuterParallel ? parallelEnd : Value();
    auto stop = stops.find(loop);
    if (!isOuterParallel && stop != stops.end() && symbols) {
      OpBuilder b(loop);
      upper = emitLoopStop(b, loop.getLoc(), stop->second, loop.getExtent(), symbols);
    }
    lowerLoop(loop, isOuterParallel ? parallelBegin : Value(), upper);
  }
}

LogicalResult lowerKernel(func::FuncOp kernel, LoweredKernel &out) {
  out.name = kernel.getSymName().str();
  out.numArgs = kernel.getNumArguments();
  Block &body = kernel.getBody().front();
  // Intermediates the schedule made loop-local shrink to one iteration's tile on the stack;
  // the other kernel-level ones become scratch arguments, nested ones go on the stack.
  schedule::compactIntermediates(kernel);
  SmallVector<memref::AllocOp> scratch;
  for (Operation &op : llvm::make_early_inc_range(body)) {
    auto alloc = llvm::dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    if (alloc.use_empty()) {
      alloc.erase();
      continue;
    }
    scratch.push_back(alloc);
    out.scratchBytes.push_back(byteSize(alloc.getType()));
  }
  kernel.walk([](memref::AllocOp alloc) {
    if (alloc->getParentOp() == alloc->getParentOfType<func::FuncOp>())
      return;
    OpBuilder b(alloc);
    auto alloca = b.create<memref::AllocaOp>(alloc.getLoc(), alloc.getType());
    alloc.replaceAllUsesWith(alloca.getResult());
    alloc.erase();
  });

  OpBuilder b(kernel);
  SmallVector<Type> argTypes(kernel.getArgumentTypes());
  for (memref::AllocOp alloc : scratch)
    argTypes.push_back(alloc.getType());
  // Kernels with run-time domains read the symbol values from one more argument.
  kernel.walk([&](BlockOp block) { out.usesSymbols |= loop::hasDynamicDomains(block); });
  kernel.walk([&](arith::ConstantOp c) { out.usesSymbols |= c->hasAttr(loop::kDynamicValueAttr); });
  std::optional<unsigned> symbolsArg;
  if (out.usesSymbols) {
    auto table = kernel->getParentOfType<ModuleOp>()->getAttrOfType<ArrayAttr>("kiln.symbols");
    if (!table)
      return kernel.emitError("a kernel with run-time domains in a module without kiln.symbols");
    symbolsArg = argTypes.size();
    argTypes.push_back(MemRefType::get({int64_t(table.size())}, b.getI64Type()));
  }
  argTypes.append({b.getIndexType(), b.getIndexType()});
  unsigned stageIndex = 0;
  for (Operation &op : body.without_terminator()) {
    if (llvm::isa<memref::AllocOp>(op))
      continue;
    std::string name = out.name + "_s" + std::to_string(stageIndex++);
    auto stage = b.create<func::FuncOp>(op.getLoc(), name, b.getFunctionType(argTypes, {}));
    stage->setAttr("kiln.stage", b.getUnitAttr());
    if (symbolsArg)
      stage->setAttr(kSymbolsArgAttr, b.getI64IntegerAttr(*symbolsArg));
    Block *entry = stage.addEntryBlock();
    IRMapping mapping;
    for (unsigned i = 0; i < kernel.getNumArguments(); ++i)
      mapping.map(kernel.getArgument(i), entry->getArgument(i));
    for (auto [i, alloc] : llvm::enumerate(scratch))
      mapping.map(alloc.getResult(), entry->getArgument(kernel.getNumArguments() + i));
    OpBuilder sb(entry, entry->end());
    Operation *clone = sb.clone(op, mapping);
    sb.create<func::ReturnOp>(op.getLoc());
    materializeDynamicValues(stage);
    Stage info{name, 1};
    auto loop = llvm::dyn_cast<ForOp>(clone);
    Value begin, end;
    if (loop && loop.getKind() == ForOp::kParallel) {
      info.numIterations = loop.getExtent();
      begin = entry->getArgument(argTypes.size() - 2);
      end = entry->getArgument(argTypes.size() - 1);
    }
    // Run-time trip counts, decided while every block is still there to be seen.
    DenseMap<Operation *, std::vector<StopTerm>> stops;
    Value symbols = symbolsArg ? entry->getArgument(*symbolsArg) : Value();
    if (symbols)
      stage.walk([&](ForOp f) {
        if (f.getKind() == ForOp::kSerial || f.getKind() == ForOp::kParallel)
          if (auto terms = loopStop(f))
            stops[f] = std::move(*terms);
      });
    if (loop && loop.getKind() == ForOp::kParallel && stops.count(loop))
      info.dynamicIterations = stops[loop];
    // Vector loops first, while their blocks still see the loop extents; the ones that do not
    // vectorize are unrolled below for LLVM's SLP vectorizer.
    SmallVector<ForOp> vectorLoops;
    stage.walk([&](ForOp f) {
      if (f.getKind() == ForOp::kVectorized)
        vectorLoops.push_back(f);
    });
    bool rootVectorized = false;
    for (ForOp f : vectorLoops) {
      bool isRoot = f.getOperation() == clone;
      if (succeeded(vectorizeLoop(f)) && isRoot)
        rootVectorized = true; // the whole stage is now straight-line vector code
    }
    // Predicates depend on loop extents: decide them before the loops are lowered.
    SmallVector<std::pair<BlockOp, bool>> blocks;
    stage.walk([&](BlockOp block) { blocks.push_back({block, !loop::bindingsStayInDomain(block)}); });
    if (!rootVectorized)
      lowerNest(clone, begin, end, stops, symbols);
    // Stack buffers live once per task invocation (per thread), never per iteration.
    stage.walk([&](memref::AllocaOp alloca) { alloca->moveBefore(&entry->front()); });
    for (auto [block, needsPredicate] : blocks)
      lowerBlock(block, needsPredicate);
    // Unroll innermost first so that nests of unrolled loops flatten completely.
    SmallVector<scf::ForOp> toUnroll;
    stage.walk([&](scf::ForOp f) {
      if (f->hasAttr("kiln.unroll"))
        toUnroll.push_back(f);
    });
    for (scf::ForOp f : toUnroll) {
      // Bounds are constants here except for a parallel loop, which is never unrolled.
      auto lb = getConstantIntValue(f.getLowerBound()), ub = getConstantIntValue(f.getUpperBound());
      if (lb && ub && *ub - *lb > 1)
        (void)loopUnrollByFactor(f, *ub - *lb);
    }
    out.stages.push_back(info);
  }
  kernel.erase();
  return success();
}

} // namespace

FailureOr<std::vector<LoweredKernel>> lowerKernels(ModuleOp module) {
  std::vector<LoweredKernel> kernels;
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (f->hasAttr("kiln.kernel"))
      funcs.push_back(f);
  for (func::FuncOp f : funcs) {
    kernels.emplace_back();
    if (failed(lowerKernel(f, kernels.back())))
      return failure();
  }
  return kernels;
}

} // namespace kiln::codegen
