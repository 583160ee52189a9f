// Analyses of the kl loop IR: buffer accesses of blocks, loop nests, binding ranges.
#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineExprVisitor.h"

using namespace mlir;

namespace kiln::loop {

// Rewrites an access map over its operands into a map over the block's iter vars.
static AffineMap toIterVarMap(AffineMap map, ValueRange operands, Block *body) {
  if (map.getNumSymbols() != 0)
    return AffineMap(); // not a function of the iter vars alone
  SmallVector<AffineExpr> replacements;
  MLIRContext *ctx = map.getContext();
  for (Value v : operands) {
    auto arg = llvm::dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner()->getParent() != body->getParent())
      return AffineMap();
    replacements.push_back(getAffineDimExpr(arg.getArgNumber(), ctx));
  }
  return map.replaceDimsAndSymbols(replacements, {}, body->getNumArguments(), 0);
}

SmallVector<BufferAccess> collectAccesses(BlockOp block, bool includeInit) {
  SmallVector<BufferAccess> accesses;
  auto visit = [&](Region &region) {
    if (region.empty())
      return;
    Block *entry = &region.front();
    region.walk([&](Operation *op) {
      if (auto load = llvm::dyn_cast<affine::AffineLoadOp>(op))
        accesses.push_back({load.getMemRef(),
                            toIterVarMap(load.getAffineMap(), load.getMapOperands(), entry),
                            false, op});
      else if (auto store = llvm::dyn_cast<affine::AffineStoreOp>(op))
        accesses.push_back({store.getMemRef(),
                            toIterVarMap(store.getAffineMap(), store.getMapOperands(), entry),
                            true, op});
      else if (auto load = llvm::dyn_cast<memref::LoadOp>(op))
        accesses.push_back({load.getMemRef(), AffineMap(), false, op});
    });
  };
  if (includeInit)
    visit(block.getInit());
  visit(block.getBody());
  return accesses;
}

SmallVector<ForOp> enclosingLoops(Operation *op) {
  SmallVector<ForOp> loops;
  for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
    if (auto loop = llvm::dyn_cast<ForOp>(p))
      loops.push_back(loop);
  std::reverse(loops.begin(), loops.end());
  return loops;
}

ForOp findLoop(Operation *root, StringRef name) {
  ForOp found;
  root->walk([&](ForOp loop) {
    if (loop.getLoopName() == name)
      found = loop;
  });
  return found;
}

BlockOp findBlock(Operation *root, StringRef name) {
  BlockOp found;
  root->walk([&](BlockOp block) {
    if (block.getBlockName() == name)
      found = block;
  });
  return found;
}

static int64_t floorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

std::pair<int64_t, int64_t> exprRange(AffineExpr expr, ArrayRef<int64_t> extents) {
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(expr))
    return {0, extents[dim.getPosition()] - 1};
  if (auto c = llvm::dyn_cast<AffineConstantExpr>(expr))
    return {c.getValue(), c.getValue()};
  auto bin = llvm::cast<AffineBinaryOpExpr>(expr);
  auto [lmin, lmax] = exprRange(bin.getLHS(), extents);
  auto [rmin, rmax] = exprRange(bin.getRHS(), extents);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return {lmin + rmin, lmax + rmax};
  case AffineExprKind::Mul: {
    int64_t c[4] = {lmin * rmin, lmin * rmax, lmax * rmin, lmax * rmax};
    return {*std::min_element(c, c + 4), *std::max_element(c, c + 4)};
  }
  case AffineExprKind::FloorDiv:
    return {floorDiv(lmin, rmin), floorDiv(lmax, rmin)};
  case AffineExprKind::CeilDiv:
    return {-floorDiv(-lmin, rmin), -floorDiv(-lmax, rmin)};
  case AffineExprKind::Mod:
    if (lmin >= 0 && lmax < rmin)
      return {lmin, lmax};
    return {0, rmin - 1};
  default:
    return {lmin, lmax};
  }
}

// The summands of `expr`, constant multiples of sums distributed (a split binding reads
// `((d0 * 2 + d1) + d2) * 8 + d3`).
static void flattenSum(AffineExpr expr, SmallVectorImpl<AffineExpr> &terms) {
  auto bin = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (bin && expr.getKind() == AffineExprKind::Add) {
    flattenSum(bin.getLHS(), terms);
    flattenSum(bin.getRHS(), terms);
    return;
  }
  if (bin && expr.getKind() == AffineExprKind::Mul &&
      bin.getLHS().getKind() == AffineExprKind::Add &&
      llvm::isa<AffineConstantExpr>(bin.getRHS())) {
    auto sum = llvm::cast<AffineBinaryOpExpr>(bin.getLHS());
    flattenSum(sum.getLHS() * bin.getRHS(), terms);
    flattenSum(sum.getRHS() * bin.getRHS(), terms);
    return;
  }
  terms.push_back(expr);
}

static int64_t floorDivide(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t evaluateAffineExpr(AffineExpr expr, ArrayRef<int64_t> dims) {
  if (auto d = llvm::dyn_cast<AffineDimExpr>(expr))
    return dims[d.getPosition()];
  if (auto c = llvm::dyn_cast<AffineConstantExpr>(expr))
    return c.getValue();
  auto bin = llvm::cast<AffineBinaryOpExpr>(expr);
  int64_t l = evaluateAffineExpr(bin.getLHS(), dims), r = evaluateAffineExpr(bin.getRHS(), dims);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::FloorDiv:
    return r > 0 ? floorDivide(l, r) : 0;
  case AffineExprKind::CeilDiv:
    return r > 0 ? -floorDivide(-l, r) : 0;
  case AffineExprKind::Mod:
    return r > 0 ? l - floorDivide(l, r) * r : 0;
  default:
    return 0; // symbols do not occur in kl accesses
  }
}

AffineExpr simplifyModsInRange(AffineExpr expr, ArrayRef<int64_t> extents) {
  auto bin = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return expr;
  AffineExpr lhs = simplifyModsInRange(bin.getLHS(), extents);
  AffineExpr rhs = simplifyModsInRange(bin.getRHS(), extents);
  auto modulus = llvm::dyn_cast<AffineConstantExpr>(rhs);
  bool isMod = expr.getKind() == AffineExprKind::Mod;
  if ((!isMod && expr.getKind() != AffineExprKind::FloorDiv) || !modulus ||
      modulus.getValue() <= 0)
    return getAffineBinaryOpExpr(expr.getKind(), lhs, rhs);
  int64_t m = modulus.getValue();
  SmallVector<AffineExpr> terms;
  flattenSum(lhs, terms);
  AffineExpr rest = getAffineConstantExpr(0, expr.getContext());
  AffineExpr multiples = rest;
  for (AffineExpr term : terms) {
    auto c = llvm::dyn_cast<AffineConstantExpr>(term);
    if (c ? c.getValue() % m != 0 : term.getLargestKnownDivisor() % m != 0)
      rest = rest + term;
    else
      multiples = multiples + term;
  }
  auto [lo, hi] = exprRange(rest, extents);
  bool restInRange = lo >= 0 && hi < m;
  if (isMod)
    return restInRange ? rest : rest % m;
  // x floordiv m with x = m * q + r, r in [0, m): q, a linear expression.
  return restInRange ? multiples.floorDiv(m) : lhs.floorDiv(m);
}

static bool computesSafelyPastDomain(BlockOp block);

SmallVector<bool> bindingsInDomain(BlockOp block) {
  SmallVector<int64_t> extents;
  for (Value v : block.getLoopVars()) {
    auto arg = llvm::cast<BlockArgument>(v);
    extents.push_back(llvm::cast<ForOp>(arg.getOwner()->getParentOp()).getExtent());
  }
  AffineMap map = block.getBindings();
  SmallVector<bool> inDomain;
  std::optional<bool> safe; // decided once per block, and only for one with run-time domains
  for (unsigned i = 0; i < map.getNumResults(); ++i) {
    auto [lo, hi] = exprRange(map.getResult(i), extents);
    bool guarded = false;
    if (dynamicDomain(block, i)) {
      if (!safe)
        safe = computesSafelyPastDomain(block);
      guarded = block.isReduceVar(i) || !*safe;
    }
    inDomain.push_back(lo >= 0 && hi < block.getDomains()[i] && !guarded);
  }
  return inDomain;
}

std::optional<DynamicDomain> dynamicDomain(BlockOp block, unsigned iterVar) {
  auto entries = block->getAttrOfType<mlir::DenseI64ArrayAttr>(kDynamicDomainsAttr);
  if (!entries || entries.size() != 3 * int64_t(block.getNumIterVars()) || entries[3 * iterVar] < 0)
    return std::nullopt;
  return DynamicDomain{entries[3 * iterVar], entries[3 * iterVar + 1], entries[3 * iterVar + 2]};
}

// Whether the block may compute past a run-time domain: every index an affine function of
// its iter vars (no index loaded from a buffer) and no integer division (padding holds any
// bits, a zero divisor among them).
static bool computesSafelyPastDomain(BlockOp block) {
  for (const BufferAccess &access : collectAccesses(block))
    if (!access.map)
      return false;
  WalkResult trapping = block.walk([](Operation *op) {
    return llvm::isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
                     arith::FloorDivSIOp, arith::CeilDivSIOp, arith::CeilDivUIOp>(op)
               ? WalkResult::interrupt()
               : WalkResult::advance();
  });
  return !trapping.wasInterrupted();
}

bool needsRuntimeGuard(BlockOp block, unsigned iterVar) {
  return dynamicDomain(block, iterVar) &&
         (block.isReduceVar(iterVar) || !computesSafelyPastDomain(block));
}

bool hasDynamicDomains(BlockOp block) {
  for (unsigned i = 0; i < block.getNumIterVars(); ++i)
    if (dynamicDomain(block, i))
      return true;
  return false;
}

bool bindingsStayInDomain(BlockOp block) { return llvm::all_of(bindingsInDomain(block), [](bool b) { return b; }); }

} // namespace kiln::loop
