// Run-time trip counts: inverting a block's binding of a loop to find where it leaves its
// run-time domain.
#include "codegen/cpu/LoopBounds.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineExpr.h"

using namespace mlir;

namespace kiln::codegen {
namespace {

// Whether dim `position` appears in `expr` only through sums and constant multiples.
bool linearIn(AffineExpr expr, unsigned position) {
  auto bin = llvm::dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return true;
  if (expr.getKind() == AffineExprKind::Add)
    return linearIn(bin.getLHS(), position) && linearIn(bin.getRHS(), position);
  if (expr.getKind() == AffineExprKind::Mul && llvm::isa<AffineConstantExpr>(bin.getRHS()))
    return linearIn(bin.getLHS(), position);
  return !expr.isFunctionOfDim(position);
}

// The iteration of loop var `position` from which `binding` (an iter var of dynamic `domain`)
// is out of domain at every value of the other loop vars: binding = (step * L + rest)
// floordiv multiple, with rest >= its minimum over the loop ranges.
std::optional<StopTerm> invert(AffineExpr binding, unsigned position, ArrayRef<int64_t> extents,
                               const loop::DynamicDomain &domain) {
  int64_t multiple = 1;
  while (binding.getKind() == AffineExprKind::FloorDiv) {
    auto bin = llvm::cast<AffineBinaryOpExpr>(binding);
    auto m = llvm::dyn_cast<AffineConstantExpr>(bin.getRHS());
    if (!m || m.getValue() <= 0)
      return std::nullopt;
    multiple *= m.getValue();
    binding = bin.getLHS();
  }
  if (!linearIn(binding, position))
    return std::nullopt;
  SmallVector<int64_t> at(extents.size(), 0);
  int64_t base = loop::evaluateAffineExpr(binding, at);
  at[position] = 1;
  int64_t step = loop::evaluateAffineExpr(binding, at) - base;
  if (step <= 0)
    return std::nullopt;
  AffineExpr rest = binding.replace(getAffineDimExpr(position, binding.getContext()),
                                    getAffineConstantExpr(0, binding.getContext()));
  int64_t restMin = loop::exprRange(rest, extents).first;
  return StopTerm{domain.symbol, domain.scale, domain.offset, multiple, restMin, step};
}

} // namespace

std::optional<std::vector<StopTerm>> loopStop(loop::ForOp loop) {
  std::vector<StopTerm> terms;
  bool any = false, all = true;
  loop.walk([&](loop::BlockOp block) {
    any = true;
    SmallVector<int64_t> extents;
    std::optional<unsigned> position;
    for (auto [i, v] : llvm::enumerate(block.getLoopVars())) {
      auto arg = llvm::cast<BlockArgument>(v);
      extents.push_back(llvm::cast<loop::ForOp>(arg.getOwner()->getParentOp()).getExtent());
      if (v == loop.getInductionVar())
        position = i;
    }
    std::optional<StopTerm> term;
    AffineMap bindings = block.getBindings();
    for (unsigned k = 0; position && !term && k < block.getNumIterVars(); ++k)
      if (auto domain = loop::dynamicDomain(block, k))
        if (bindings.getResult(k).isFunctionOfDim(*position))
          term = invert(bindings.getResult(k), *position, extents, *domain);
    if (term)
      terms.push_back(*term);
    else
      all = false;
  });
  if (!any || !all)
    return std::nullopt;
  return terms;
}

Value emitLoopStop(OpBuilder &b, Location loc, ArrayRef<StopTerm> terms, int64_t extent,
                   Value symbols) {
  auto constant = [&](int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); };
  Value stop;
  for (const StopTerm &t : terms) {
    Value raw = b.create<memref::LoadOp>(loc, symbols, ValueRange{constant(t.symbol)});
    Value size = b.create<arith::IndexCastOp>(loc, b.getIndexType(), raw);
    Value domain = b.create<arith::AddIOp>(
        loc, b.create<arith::MulIOp>(loc, size, constant(t.scale)), constant(t.offset));
    Value reach = b.create<arith::SubIOp>(
        loc, b.create<arith::MulIOp>(loc, domain, constant(t.multiple)), constant(t.rest));
    Value term = b.create<arith::CeilDivSIOp>(loc, reach, constant(t.step));
    stop = stop ? b.create<arith::MaxSIOp>(loc, stop, term).getResult() : term;
  }
  stop = b.create<arith::MaxSIOp>(loc, stop, constant(0));
  return b.create<arith::MinSIOp>(loc, stop, constant(extent));
}

} // namespace kiln::codegen
