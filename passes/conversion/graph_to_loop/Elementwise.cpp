// Lowering of elementwise kg ops: one all-spatial block over the result shape, whose body
// loads the broadcast operands and computes one element (ElementwiseScalar.h).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/ElementwiseScalar.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

static bool isHalfFloat(Type t) { return t.isF16() || t.isBF16(); }

// float16/bfloat16 arithmetic is computed in float32 and rounded once at the end.
Value emitElementwiseScalar(OpBuilder &rb, Location loc, Operation *op, SmallVector<Value> x) {
  Type resultType = getElementTypeOrSelf(op->getResult(0).getType());
  if (auto cast = dyn_cast<CastOp>(op))
    return emitCast(rb, loc, x[0], cast.getInput().getType().getElementType(), resultType);
  if (isa<WhereOp>(op))
    return rb.create<arith::SelectOp>(loc, x[0], x[1], x[2]);
  SmallVector<Type> types;
  for (Value operand : op->getOperands())
    types.push_back(getElementTypeOrSelf(operand.getType()));
  Type computeType = types[0];
  if (isHalfFloat(computeType)) {
    computeType = rb.getF32Type();
    for (size_t i = 0; i < x.size(); ++i)
      if (isHalfFloat(types[i])) {
        x[i] = rb.create<arith::ExtFOp>(loc, computeType, x[i]);
        types[i] = computeType;
      }
  }
  Value result = x.size() == 1 ? emitUnaryScalar(rb, loc, op, x[0], computeType)
                               : emitBinaryScalar(rb, loc, op, x[0], x[1], computeType, types[1]);
  if (result && result.getType() != storageType(resultType))
    result = rb.create<arith::TruncFOp>(loc, resultType, result);
  return result;
}

static LogicalResult lowerElementwise(KernelBuilder &kb, Operation *op, Value out) {
  std::string base = op->getName().stripDialect().str();
  Location loc = kb.loc;
  bool supported = true;
  // The iteration space is the output buffer's: it may be a flattened view of the tensor.
  auto outShape = llvm::cast<MemRefType>(out.getType()).getShape();
  kb.emitBlock(base, spatialAxes(outShape), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<Value> x;
    for (Value operand : op->getOperands())
      x.push_back(kb.loadBroadcast(rb, operand, iv));
    Value result = emitElementwiseScalar(rb, loc, op, x);
    if (!result) {
      supported = false;
      return;
    }
    kb.store(rb, result, out, iv);
  });
  if (!supported)
    return op->emitOpError("has no lowering for element type ")
           << getElementTypeOrSelf(op->getOperand(0).getType());
  return success();
}

template <typename... Ops> static void registerAll(LoweringRegistry &registry) {
  (registry.insert({Ops::getOperationName(), lowerElementwise}), ...);
}

void populateElementwiseLowerings(LoweringRegistry &registry) {
  registerAll<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp, FModOp, AndOp, OrOp, XorOp,
              ShiftLeftOp, ShiftRightOp, EqualOp, GreaterOp, GreaterEqualOp, LessOp,
              LessEqualOp>(registry);
  registerAll<SqrtOp, ErfOp, TanhOp, SigmoidOp, ReluOp, ExpOp, LogOp, NegOp, AbsOp, SignOp, CeilOp,
              FloorOp, RoundOp, NotOp, SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp, SinhOp, CoshOp,
              AsinhOp, AcoshOp, AtanhOp, HardSwishOp, LeakyReluOp, ClipOp, CastOp, WhereOp>(
      registry);
}

} // namespace kiln::lowering
