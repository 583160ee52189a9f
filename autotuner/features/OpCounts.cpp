// Counts the arithmetic of a block body by class (float add/mul/div/math/..., int, casts).
#include "autotuner/features/BlockAnalysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Interfaces/CastInterfaces.h"

using namespace mlir;

namespace kiln::autotuner::detail {

// A multiply whose result feeds an add or subtract: one FMA once contracted.
static bool feedsAddSub(Operation *mul) {
  for (Operation *user : mul->getResult(0).getUsers())
    if (isa<arith::AddFOp, arith::SubFOp>(user))
      return true;
  return false;
}

static void countOp(Operation *op, OpCounts &c) {
  if (isa<arith::AddFOp, arith::SubFOp, arith::NegFOp>(op))
    c.addSub += 1;
  else if (isa<arith::MulFOp>(op)) {
    c.mul += 1;
    if (feedsAddSub(op))
      c.fmaLike += 1;
  } else if (isa<arith::DivFOp, arith::RemFOp>(op))
    c.div += 1;
  else if (isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp, arith::MinNumFOp>(op))
    c.minMax += 1;
  else if (isa<arith::CmpFOp>(op))
    c.floatCmp += 1;
  else if (isa<arith::SelectOp>(op))
    c.select += 1;
  else if (isa<arith::CmpIOp>(op))
    c.intCmp += 1;
  else if (isa<CastOpInterface>(op))
    c.cast += 1;
  else if (isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::DivSIOp, arith::DivUIOp,
               arith::RemSIOp, arith::RemUIOp, arith::CeilDivSIOp, arith::FloorDivSIOp,
               arith::AndIOp, arith::OrIOp, arith::XOrIOp, arith::ShLIOp, arith::ShRSIOp,
               arith::ShRUIOp, arith::MaxSIOp, arith::MinSIOp, arith::MaxUIOp,
               arith::MinUIOp>(op))
    c.intArith += 1;
  else if (op->getName().getDialectNamespace() == "math") {
    // math.fma is an add and a multiply; every other math op is a call-like function.
    if (op->getName().getStringRef() == "math.fma") {
      c.addSub += 1;
      c.mul += 1;
      c.fmaLike += 1;
    } else {
      c.math += 1;
    }
  }
}

OpCounts countOps(Region &region) {
  OpCounts c;
  region.walk([&](Operation *op) { countOp(op, c); });
  return c;
}

} // namespace kiln::autotuner::detail
