// Lowering of top_k_indices as two reductions: the rank of each element along the axis (how
// many elements beat it, ties broken by the lower index), then for each of the k output slots
// the position whose rank is the slot. Both are plain affine blocks; the cost is quadratic in
// the axis length, which is fine for the small axes TopK is used on.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/Indexing.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

Value compareValues(OpBuilder &rb, Location loc, Compare pred, Type elementType, Value a,
                    Value b) {
  if (llvm::isa<FloatType>(elementType)) {
    auto p = pred == Compare::Greater ? arith::CmpFPredicate::OGT
             : pred == Compare::Less  ? arith::CmpFPredicate::OLT
                                      : arith::CmpFPredicate::OEQ;
    return rb.create<arith::CmpFOp>(loc, p, a, b);
  }
  bool isUnsigned = isUnsignedInt(elementType);
  auto p = pred == Compare::Equal     ? arith::CmpIPredicate::eq
           : pred == Compare::Greater ? (isUnsigned ? arith::CmpIPredicate::ugt
                                                    : arith::CmpIPredicate::sgt)
                                      : (isUnsigned ? arith::CmpIPredicate::ult
                                                    : arith::CmpIPredicate::slt);
  return rb.create<arith::CmpIOp>(loc, p, a, b);
}

static LogicalResult lowerTopKIndices(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<TopKIndicesOp>(operation);
  auto inType = op.getInput().getType();
  if (op.getType().getNumElements() == 0)
    return success();
  unsigned axis = op.getAxis(), rank = inType.getRank();
  int64_t n = inType.getDimSize(axis);
  Type elementType = inType.getElementType();
  MLIRContext *ctx = op.getContext();
  Location loc = kb.loc;
  Type i64 = IntegerType::get(ctx, 64);
  Value ranks = kb.allocate(MemRefType::get(inType.getShape(), i64));
  SmallVector<AffineExpr> self, other;
  for (unsigned d = 0; d < rank; ++d) {
    self.push_back(getAffineDimExpr(d, ctx));
    other.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
  }

  // ranks[p] = #{j : x[j] beats x[p]} along the axis.
  SmallVector<Axis> rankAxes = spatialAxes(inType.getShape());
  rankAxes.push_back({"r", n, true});
  auto constant64 = [&](OpBuilder &rb, int64_t v) {
    return rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(i64, v));
  };
  kb.emitBlock(
      "top_k_rank", rankAxes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = kb.load(rb, kb.buffer(op.getInput()), self, iv);
        Value y = kb.load(rb, kb.buffer(op.getInput()), other, iv);
        Value beats = compareValues(rb, loc, op.getLargest() ? Compare::Greater : Compare::Less,
                                    elementType, y, x);
        Value tie = rb.create<arith::AndIOp>(
            loc, compareValues(rb, loc, Compare::Equal, elementType, y, x),
            rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, iv[rank], iv[axis]));
        Value counts = rb.create<arith::OrIOp>(loc, beats, tie);
        Value acc = kb.load(rb, ranks, self, iv);
        Value next = rb.create<arith::AddIOp>(loc, acc, rb.create<arith::ExtUIOp>(loc, i64, counts));
        kb.store(rb, next, ranks, self, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) { kb.store(rb, constant64(rb, 0), ranks, self, iv); });

  // out[q] = the j whose rank is q[axis].
  SmallVector<Axis> pickAxes = spatialAxes(op.getType().getShape());
  pickAxes.push_back({"r", n, true});
  kb.emitBlock(
      "top_k_pick", pickAxes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value r = kb.load(rb, ranks, other, iv);
        Value slot = rb.create<arith::IndexCastOp>(loc, i64, iv[axis]);
        Value hit = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, r, slot);
        Value j = rb.create<arith::IndexCastOp>(loc, i64, iv[rank]);
        Value acc = kb.load(rb, out, self, iv);
        kb.store(rb, rb.create<arith::SelectOp>(loc, hit, j, acc), out, self, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) { kb.store(rb, constant64(rb, 0), out, self, iv); });
  return success();
}

void populateTopKLowerings(LoweringRegistry &registry) {
  registry[TopKIndicesOp::getOperationName()] = lowerTopKIndices;
}

} // namespace kiln::lowering
