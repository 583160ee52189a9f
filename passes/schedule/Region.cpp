// Access regions: the part of a buffer that a block touches during one iteration of a loop.
#include "passes/schedule/Region.h"

using namespace mlir;
using namespace kiln::loop;

namespace kiln::schedule::detail {

SmallVector<Value> outerVars(ForOp loop) {
  SmallVector<Value> vars;
  for (ForOp outer : enclosingLoops(loop))
    vars.push_back(outer.getInductionVar());
  vars.push_back(loop.getInductionVar());
  return vars;
}

// The summands of `expr`, with constant multiples of sums distributed: a split into three or
// more loops binds `((d0 * 4 + d1) * 2 + d2) * 8 + d3`, which must separate into d0 * 64 +
// d1 * 16 + d2 * 8 + d3 for the outer and inner loops to be told apart.
void addTerms(AffineExpr expr, SmallVectorImpl<AffineExpr> &terms) {
  auto binary = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (binary && expr.getKind() == AffineExprKind::Add) {
    addTerms(binary.getLHS(), terms);
    addTerms(binary.getRHS(), terms);
    return;
  }
  if (binary && expr.getKind() == AffineExprKind::Mul &&
      binary.getLHS().getKind() == AffineExprKind::Add &&
      llvm::isa<AffineConstantExpr>(binary.getRHS())) {
    auto sum = llvm::cast<AffineBinaryOpExpr>(binary.getLHS());
    addTerms(sum.getLHS() * binary.getRHS(), terms);
    addTerms(sum.getRHS() * binary.getRHS(), terms);
    return;
  }
  terms.push_back(expr);
}

static bool usesDimsIn(AffineExpr expr, unsigned lo, unsigned hi) {
  for (unsigned d = lo; d < hi; ++d)
    if (expr.isFunctionOfDim(d))
      return true;
  return false;
}

// `term` as (dim, coefficient) when it is `d` or `d * c` with c > 0.
static std::optional<std::pair<unsigned, int64_t>> linearTerm(AffineExpr term) {
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(term))
    return std::make_pair(dim.getPosition(), int64_t(1));
  if (term.getKind() != AffineExprKind::Mul)
    return std::nullopt;
  auto mul = llvm::cast<AffineBinaryOpExpr>(term);
  auto dim = llvm::dyn_cast<AffineDimExpr>(mul.getLHS());
  auto c = llvm::dyn_cast<AffineConstantExpr>(mul.getRHS());
  if (!dim || !c || c.getValue() <= 0)
    return std::nullopt;
  return std::make_pair(dim.getPosition(), c.getValue());
}

SmallVector<std::optional<DimRegion>> accessRegion(BlockOp block, AffineMap accessMap, ForOp loop,
                                                   bool exact) {
  MLIRContext *ctx = block.getContext();
  OperandList operands(ctx);
  SmallVector<Value> outer = outerVars(loop);
  for (Value v : outer)
    operands.dim(v);
  unsigned numOuter = outer.size();
  SmallVector<AffineExpr> iterVars = bindingExprs(block, operands);
  SmallVector<int64_t> extents;
  for (Value v : operands.values)
    extents.push_back(
        llvm::cast<ForOp>(llvm::cast<BlockArgument>(v).getOwner()->getParentOp()).getExtent());
  unsigned numDims = operands.values.size();

  SmallVector<std::optional<DimRegion>> regions;
  for (AffineExpr index : accessMap.getResults()) {
    // Not simplifyAffineExpr: it turns `(d0 mod 16) * 16` into an expression whose interval
    // range is useless to the bounds computed here and in the codegen.
    AffineExpr e = index.replaceDims(iterVars);
    SmallVector<AffineExpr> terms;
    addTerms(e, terms);
    AffineExpr base = getAffineConstantExpr(0, ctx), inner = base;
    bool separable = true;
    SmallVector<AffineExpr> innerTerms;
    for (AffineExpr term : terms) {
      bool usesInner = usesDimsIn(term, numOuter, numDims);
      if (usesInner && usesDimsIn(term, 0, numOuter))
        separable = false;
      if (usesInner) {
        inner = inner + term;
        innerTerms.push_back(term);
      } else {
        base = base + term;
      }
    }
    if (!separable) {
      regions.push_back(std::nullopt);
      continue;
    }
    DimRegion region;
    if (exact) {
      // Dense when, taking terms by increasing coefficient, each coefficient is at most one
      // past the largest value the smaller terms reach.
      SmallVector<std::pair<int64_t, unsigned>> linear;
      for (AffineExpr term : innerTerms) {
        auto lt = linearTerm(term);
        if (!lt || llvm::any_of(linear, [&](auto &p) { return p.second == lt->first; })) {
          separable = false;
          break;
        }
        linear.push_back({lt->second, lt->first});
      }
      llvm::sort(linear);
      int64_t reach = 0;
      for (auto [c, d] : linear) {
        if (c > reach + 1)
          separable = false;
        reach += c * (extents[d] - 1);
        region.innerVars.push_back(operands.values[d]);
      }
      if (!separable) {
        regions.push_back(std::nullopt);
        continue;
      }
    }
    auto [lo, hi] = exprRange(inner, extents);
    region.start = base + lo;
    region.extent = hi - lo + 1;
    regions.push_back(region);
  }
  return regions;
}

std::optional<DimRegion> unionRegion(const DimRegion &a, const DimRegion &b, unsigned numOuter) {
  AffineExpr diff = simplifyAffineExpr(b.start - a.start, numOuter, 0);
  auto c = llvm::dyn_cast<AffineConstantExpr>(diff);
  if (!c)
    return std::nullopt;
  int64_t offset = c.getValue(); // b starts `offset` after a
  int64_t lo = std::min<int64_t>(0, offset);
  int64_t hi = std::max(a.extent, offset + b.extent);
  DimRegion result;
  result.start = offset < 0 ? b.start : a.start;
  result.extent = hi - lo;
  return result;
}

} // namespace kiln::schedule::detail
