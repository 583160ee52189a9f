// Elementwise epilogues computed by the blocks of the op they follow: for ops whose output is
// written by several blocks (Winograd's output transform, a depthwise convolution's border
// regions), which no schedule can move a separate elementwise nest into.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/ElementwiseScalar.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

SmallVector<Operation *> fusableEpilogue(Operation *producer) {
  SmallVector<Operation *> chain;
  Value value = producer->getResult(0);
  while (value.hasOneUse()) {
    Operation *user = *value.getUsers().begin();
    // Same shape and f32 throughout; every other operand exists before the producer runs.
    auto available = [&](Value operand) {
      auto type = llvm::dyn_cast<RankedTensorType>(operand.getType());
      Operation *def = operand.getDefiningOp();
      return type && type.getElementType().isF32() &&
             (operand == value || !def || def->isBeforeInBlock(producer));
    };
    if (!user->hasTrait<ElementwiseOpTrait>() || user->getBlock() != producer->getBlock() ||
        user->getNumOperands() > 2 || user->getResult(0).getType() != value.getType() ||
        !llvm::all_of(user->getOperands(), available))
      break;
    chain.push_back(user);
    value = user->getResult(0);
  }
  return chain;
}

Value applyEpilogue(KernelBuilder &kb, OpBuilder &rb, ArrayRef<Operation *> epilogue,
                    Value produced, Value v, ArrayRef<AffineExpr> index, ValueRange iv,
                    Operation *&unsupported) {
  Value previous = produced;
  for (Operation *e : epilogue) {
    SmallVector<Value> operands;
    for (Value operand : e->getOperands())
      operands.push_back(operand == previous ? v : kb.loadBroadcast(rb, operand, index, iv));
    v = emitElementwiseScalar(rb, kb.loc, e, operands);
    if (!v) {
      unsupported = e;
      return Value();
    }
    previous = e->getResult(0);
  }
  return v;
}

} // namespace kiln::lowering
