// Keeps vector accumulators in registers across reduction loops. A predicated vector block
// stores under an scf.if on a predicate computed outside the loop: its accumulator is still
// promoted, and the store after the loop keeps that guard.
#include "codegen/cpu/PromoteAccumulators.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace kiln::codegen {

namespace {

struct Accumulator {
  vector::LoadOp load;
  vector::StoreOp store;
  scf::IfOp guard; // the store's loop-invariant predicate, or null
};

bool definedOutside(ValueRange values, scf::ForOp loop) {
  return llvm::none_of(values, [&](Value v) { return loop.getRegion().isAncestor(v.getParentRegion()); });
}

// The guard of a store that sits in an scf.if (no else, no results) directly in the loop body,
// on a condition from outside the loop, storing a value from outside the guard; null when
// the store is directly in the body; failure otherwise.
FailureOr<scf::IfOp> storeGuard(vector::StoreOp store, scf::ForOp loop) {
  if (store->getBlock() == loop.getBody())
    return scf::IfOp();
  auto guard = llvm::dyn_cast<scf::IfOp>(store->getParentOp());
  if (!guard || guard->getBlock() != loop.getBody() || guard.getNumResults() != 0 ||
      !guard.getElseRegion().empty() || !definedOutside(guard.getCondition(), loop) ||
      guard.getThenRegion().isAncestor(store.getValueToStore().getParentRegion()))
    return failure();
  return guard;
}

// The accumulators of `loop`, or none when any access to their buffer breaks the pattern.
SmallVector<Accumulator> findAccumulators(scf::ForOp loop) {
  DenseMap<Value, SmallVector<Operation *>> accesses;
  bool opaque = false;
  loop.getBody()->walk([&](Operation *op) {
    if (auto l = llvm::dyn_cast<vector::LoadOp>(op))
      accesses[l.getBase()].push_back(op);
    else if (auto s = llvm::dyn_cast<vector::StoreOp>(op))
      accesses[s.getBase()].push_back(op);
    else if (auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op)) {
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (auto &e : list) {
        if (!e.getValue())
          opaque |= !llvm::isa<MemoryEffects::Allocate, MemoryEffects::Free>(e.getEffect());
        else
          accesses[e.getValue()].push_back(op);
      }
    } else if (!op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() && !op->hasTrait<OpTrait::IsTerminator>()) {
      opaque = true;
    }
  });
  SmallVector<Accumulator> result;
  if (opaque)
    return result;
  for (auto &[buffer, ops] : accesses) {
    SmallVector<Accumulator> pairs;
    bool ok = ops.size() % 2 == 0;
    for (size_t i = 0; ok && i < ops.size(); ++i) {
      auto load = llvm::dyn_cast<vector::LoadOp>(ops[i]);
      if (!load || load->getBlock() != loop.getBody() || !definedOutside(load.getIndices(), loop)) {
        ok = false;
        break;
      }
      // Its store: the next access with the same indices must be a store in the body.
      auto store = i + 1 < ops.size() ? llvm::dyn_cast<vector::StoreOp>(ops[i + 1]) : vector::StoreOp();
      FailureOr<scf::IfOp> guard = store ? storeGuard(store, loop) : FailureOr<scf::IfOp>(failure());
      if (failed(guard) || store.getIndices() != load.getIndices() ||
          store.getValueToStore().getType() != load.getType()) {
        ok = false;
        break;
      }
      pairs.push_back({load, store, *guard});
      ++i;
    }
    if (ok)
      result.append(pairs);
  }
  return result;
}

void promote(scf::ForOp loop) {
  if (loop.getNumRegionIterArgs() != 0)
    return;
  SmallVector<Accumulator> accumulators = findAccumulators(loop);
  if (accumulators.empty())
    return;
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> inits;
  for (Accumulator &a : accumulators)
    inits.push_back(b.create<vector::LoadOp>(loc, a.load.getType(), a.load.getBase(), a.load.getIndices()));
  auto newLoop = b.create<scf::ForOp>(loc, loop.getLowerBound(), loop.getUpperBound(), loop.getStep(), inits);
  Block *body = newLoop.getBody();
  body->getOperations().splice(body->begin(), loop.getBody()->getOperations(), loop.getBody()->begin(),
                               std::prev(loop.getBody()->end()));
  loop.getInductionVar().replaceAllUsesWith(newLoop.getInductionVar());
  SmallVector<Value> yields;
  for (auto [i, a] : llvm::enumerate(accumulators)) {
    a.load.getResult().replaceAllUsesWith(newLoop.getRegionIterArg(i));
    yields.push_back(a.store.getValueToStore());
  }
  // A loop built with iter_args and no body builder has no terminator yet.
  OpBuilder::atBlockEnd(body).create<scf::YieldOp>(loc, yields);
  b.setInsertionPointAfter(newLoop);
  llvm::SetVector<Operation *> guards;
  for (auto [i, a] : llvm::enumerate(accumulators)) {
    OpBuilder after = b;
    if (a.guard) {
      auto guard = b.create<scf::IfOp>(loc, a.guard.getCondition(), /*withElseRegion=*/false);
      after.setInsertionPoint(guard.thenBlock()->getTerminator());
      guards.insert(a.guard);
    }
    after.create<vector::StoreOp>(loc, newLoop.getResult(i), a.store.getBase(), a.store.getIndices());
    a.store.erase();
    a.load.erase();
  }
  // A guard left holding only its terminator guarded nothing but promoted stores.
  for (Operation *guard : guards)
    if (llvm::cast<scf::IfOp>(guard).thenBlock()->getOperations().size() == 1)
      guard->erase();
  loop.erase();
}

} // namespace

void promoteAccumulators(func::FuncOp stage) {
  // Innermost first: a promoted inner loop leaves its load and store in the enclosing body.
  SmallVector<scf::ForOp> loops;
  stage.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops)
    promote(loop);
}

} // namespace kiln::codegen
