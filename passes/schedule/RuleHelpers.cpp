#include "passes/schedule/RuleHelpers.h"

#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace kiln::loop;

namespace kiln::schedule::detail {

SmallVector<std::string> blockNames(func::FuncOp kernel) {
  SmallVector<std::string> names;
  kernel.walk([&](BlockOp b) { names.push_back(b.getBlockName().str()); });
  return names;
}

std::optional<SmallVector<ForOp>> freshNest(BlockOp block) {
  SmallVector<ForOp> loops = privateLoops(block);
  if (loops.empty() || !llvm::isa<func::FuncOp>(loops.front()->getParentOp()) ||
      loops.size() != block.getNumIterVars() || !block.getBindings().isIdentity())
    return std::nullopt;
  for (auto [loop, var] : llvm::zip(loops, block.getLoopVars()))
    if (loop.getInductionVar() != var || loop.getKind() != ForOp::kSerial)
      return std::nullopt;
  return loops;
}

bool expensiveToRecompute(BlockOp block) {
  WalkResult r = block.getBody().walk([](Operation *op) {
    if (llvm::isa<arith::SelectOp, scf::IfOp, affine::AffineIfOp>(op) ||
        llvm::isa<math::MathDialect>(op->getDialect()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

} // namespace kiln::schedule::detail
