// Lowering of matmul (batched, broadcast, 1-D promotion) and Gemm to one reduction block.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

#include <cmath>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// Index expressions of an operand of `shape` inside the result's iter space: leading batch
// dims broadcast (size 1 -> 0), then the two matrix dims given by `rowDim`/`colDim`.
static SmallVector<AffineExpr> operandIndex(MLIRContext *ctx, ArrayRef<int64_t> shape,
                                            unsigned batchRank, AffineExpr row, AffineExpr col,
                                            bool isVector, bool vectorIsRow) {
  SmallVector<AffineExpr> idx;
  size_t matrixRank = isVector ? 1 : 2;
  size_t batch = shape.size() - matrixRank;
  for (size_t i = 0; i < batch; ++i)
    idx.push_back(shape[i] == 1 ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(batchRank - batch + i, ctx));
  if (isVector)
    idx.push_back(vectorIsRow ? col : row);
  else
    idx.append({row, col});
  return idx;
}

static LogicalResult lowerMatMul(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<MatMulOp>(operation);
  auto lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  if (!isMulAddType(elementType))
    return op.emitOpError("is not supported on element type ") << elementType;
  bool lhsVector = lhs.getRank() == 1, rhsVector = rhs.getRank() == 1;
  int64_t m = lhsVector ? 1 : lhs.getDimSize(lhs.getRank() - 2);
  int64_t k = lhs.getDimSize(lhs.getRank() - 1);
  int64_t n = rhsVector ? 1 : rhs.getDimSize(rhs.getRank() - 1);
  unsigned batchRank = outType.getRank() - (lhsVector ? 0 : 1) - (rhsVector ? 0 : 1);

  SmallVector<Axis> axes;
  for (unsigned i = 0; i < batchRank; ++i)
    axes.push_back({"b" + std::to_string(i), outType.getDimSize(i)});
  axes.push_back({"i", m});
  axes.push_back({"j", n});
  axes.push_back({"k", k, true});
  MLIRContext *ctx = op.getContext();
  AffineExpr i = getAffineDimExpr(batchRank, ctx), j = getAffineDimExpr(batchRank + 1, ctx),
             r = getAffineDimExpr(batchRank + 2, ctx);
  auto lhsIdx = operandIndex(ctx, lhs.getShape(), batchRank, i, r, lhsVector, true);
  auto rhsIdx = operandIndex(ctx, rhs.getShape(), batchRank, r, j, rhsVector, false);
  SmallVector<AffineExpr> outIdx;
  for (unsigned b = 0; b < batchRank; ++b)
    outIdx.push_back(getAffineDimExpr(b, ctx));
  if (!lhsVector)
    outIdx.push_back(i);
  if (!rhsVector)
    outIdx.push_back(j);
  Location loc = kb.loc;
  kb.emitBlock(
      "matmul", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value a = kb.load(rb, kb.buffer(op.getLhs()), lhsIdx, iv);
        Value b = kb.load(rb, kb.buffer(op.getRhs()), rhsIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, emitMulAdd(rb, loc, acc, a, b), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, elementType, 0.0), out, outIdx, iv);
      });
  return success();
}

// alpha * op(A) op(B) + beta * C as one block: init beta*C, accumulate alpha*a*b. Integer
// gemms take integral alpha and beta only (ONNX gives them as floats).
static LogicalResult lowerGemm(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GemmOp>(operation);
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
  bool isFloat = llvm::isa<FloatType>(elementType);
  if (!isMulAddType(elementType))
    return op.emitOpError("is not supported on element type ") << elementType;
  if (!isFloat && (alpha != std::trunc(alpha) || beta != std::trunc(beta)))
    return op.emitOpError("on integers needs integral alpha and beta, got ")
           << alpha << " and " << beta;
  auto a = op.getA().getType();
  int64_t k = op.getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  SmallVector<Axis> axes = {{"i", outType.getDimSize(0)}, {"j", outType.getDimSize(1)},
                            {"k", k, true}};
  MLIRContext *ctx = op.getContext();
  AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx),
             r = getAffineDimExpr(2, ctx);
  SmallVector<AffineExpr> aIdx =
      op.getTransA() ? SmallVector<AffineExpr>{r, i} : SmallVector<AffineExpr>{i, r};
  SmallVector<AffineExpr> bIdx =
      op.getTransB() ? SmallVector<AffineExpr>{j, r} : SmallVector<AffineExpr>{r, j};
  SmallVector<AffineExpr> outIdx = {i, j};
  Location loc = kb.loc;
  auto scale = [&](OpBuilder &rb, Value v, double factor) -> Value {
    if (factor == 1.0)
      return v;
    Value c = kb.constantFloat(rb, elementType, factor);
    if (!isFloat)
      return rb.create<arith::MulIOp>(loc, v, c);
    return rb.create<arith::MulFOp>(loc, v, c, arith::FastMathFlagsAttr::get(ctx, kFastMath));
  };
  kb.emitBlock(
      "gemm", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        Value x = scale(rb, kb.load(rb, kb.buffer(op.getA()), aIdx, iv), alpha);
        Value y = kb.load(rb, kb.buffer(op.getB()), bIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        kb.store(rb, emitMulAdd(rb, loc, acc, x, y), out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        Value init = kb.constantFloat(rb, elementType, 0.0);
        if (op.getC() && beta != 0.0)
          init = scale(rb, kb.loadBroadcast(rb, op.getC(), iv.take_front(2)), beta);
        kb.store(rb, init, out, outIdx, iv);
      });
  return success();
}

void populateMatMulLowerings(LoweringRegistry &registry) {
  registry[MatMulOp::getOperationName()] = lowerMatMul;
  registry[GemmOp::getOperationName()] = lowerGemm;
}

} // namespace kiln::lowering
