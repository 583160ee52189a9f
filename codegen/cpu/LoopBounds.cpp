// Run-time trip counts: inverting a block's binding of a loop to find where it leaves its
// run-time domain.
#include "codegen/cpu/LoopBounds.h"
#include "codegen/cpu/DynamicDomains.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineExpr.h"

using namespace mlir;

namespace kiln::codegen {
namespace {

// Steps that turn "binding >= D" into "loop var >= D'" for a binding non-decreasing in loop
// var `position`: D' is the first iteration at which no value of the other loop vars keeps
// the binding below D. Sums with the rest (at its minimum over the loop ranges), positive
// constant multiples and floor divisions invert; anything else (a mod that wraps) does not.
bool invert(AffineExpr e, unsigned position, ArrayRef<int64_t> extents,
            std::vector<StopStep> &steps) {
  if (auto dim = llvm::dyn_cast<AffineDimExpr>(e))
    return dim.getPosition() == position;
  auto bin = llvm::dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return false;
  AffineExpr lhs = bin.getLHS(), rhs = bin.getRHS();
  auto constant = llvm::dyn_cast<AffineConstantExpr>(rhs);
  switch (e.getKind()) {
  case AffineExprKind::Add: {
    bool inLhs = lhs.isFunctionOfDim(position), inRhs = rhs.isFunctionOfDim(position);
    if (inLhs == inRhs)
      return false;
    steps.push_back({StopStep::Subtract, loop::exprRange(inLhs ? rhs : lhs, extents).first});
    return invert(inLhs ? lhs : rhs, position, extents, steps);
  }
  case AffineExprKind::Mul:
    if (!constant || constant.getValue() <= 0)
      return false;
    steps.push_back({StopStep::CeilDiv, constant.getValue()});
    return invert(lhs, position, extents, steps);
  case AffineExprKind::FloorDiv:
    if (!constant || constant.getValue() <= 0)
      return false;
    steps.push_back({StopStep::Multiply, constant.getValue()});
    return invert(lhs, position, extents, steps);
  default:
    return false;
  }
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
    for (unsigned k = 0; position && !term && k < block.getNumIterVars(); ++k) {
      auto domain = loop::dynamicDomain(block, k);
      AffineExpr binding = loop::simplifyModsInRange(bindings.getResult(k), extents);
      StopTerm candidate{domain ? domain->symbol : 0, domain ? domain->scale : 0,
                         domain ? domain->offset : 0, {}};
      candidate.atLeastOne = block.isReduceVar(k) && block.getInitBlock();
      if (domain && binding.isFunctionOfDim(*position) &&
          invert(binding, *position, extents, candidate.steps))
        term = std::move(candidate);
    }
    if (term)
      terms.push_back(*term);
    else
      all = false;
  });
  if (!any || !all)
    return std::nullopt;
  return terms;
}

namespace {

// Index arithmetic for evaluateStop.
struct IndexOps {
  using Value = mlir::Value;
  OpBuilder &b;
  Location loc;
  Value constant(int64_t v) { return b.create<arith::ConstantIndexOp>(loc, v); }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulIOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivSIOp>(loc, x, y); }
  Value max(Value x, Value y) { return b.create<arith::MaxSIOp>(loc, x, y); }
};

} // namespace

Value emitLoopStop(OpBuilder &b, Location loc, ArrayRef<StopTerm> terms, int64_t extent,
                   Value symbols) {
  IndexOps ops{b, loc};
  Value stop;
  for (const StopTerm &t : terms) {
    Value term = evaluateStop(t, symbolAtEntry(symbols, t.symbol), ops);
    stop = stop ? ops.max(stop, term) : term;
  }
  return b.create<arith::MinSIOp>(loc, stop, ops.constant(extent));
}

} // namespace kiln::codegen
