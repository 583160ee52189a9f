// Lowering of max, average and global average pooling (NCHW, any number of spatial dims).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

#include <limits>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

template <typename PoolOp>
static LogicalResult lowerPool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<PoolOp>(operation);
  constexpr bool isMax = std::is_same_v<PoolOp, MaxPoolOp>;
  auto outType = llvm::cast<RankedTensorType>(op.getType());
  Type elementType = outType.getElementType();
  auto inType = llvm::cast<RankedTensorType>(op.getInput().getType());
  size_t spatial = outType.getRank() - 2;
  ArrayRef<int64_t> kernel = op.getKernelShape(), pads = op.getPads();
  // Pads past the input (ceil mode) read the pad value too: extend the end pads to cover.
  SmallVector<int64_t> fullPads(pads);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t needed = (outType.getDimSize(i + 2) - 1) * op.getStrides()[i] +
                     (kernel[i] - 1) * op.getDilations()[i] + 1;
    int64_t have = inType.getDimSize(i + 2) + pads[i] + pads[i + spatial];
    if (needed > have)
      fullPads[i + spatial] += needed - have;
  }
  double lowest = -std::numeric_limits<double>::infinity();
  Value padded = emitPad(kb, op.getInput(), fullPads, isMax ? lowest : 0.0);

  SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}, {"c", outType.getDimSize(1)}};
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i), outType.getDimSize(i + 2)});
  for (size_t i = 0; i < spatial; ++i)
    axes.push_back({spatialAxisName(i, "r"), kernel[i], true});
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inputIdx = {d(0), d(1)}, outIdx = {d(0), d(1)};
  for (size_t i = 0; i < spatial; ++i) {
    inputIdx.push_back(d(2 + i) * op.getStrides()[i] + d(2 + spatial + i) * op.getDilations()[i]);
    outIdx.push_back(d(2 + i));
  }
  // Average: each element is scaled by 1/count, count being the window size, or the number
  // of taps inside the unpadded input when count_include_pad is false.
  Location loc = kb.loc;
  kb.emitBlock(
      isMax ? "max_pool" : "avg_pool", axes,
      [&](OpBuilder &rb, ValueRange iv) {
        auto fm = arith::FastMathFlagsAttr::get(ctx, kFastMath);
        Value x = kb.load(rb, padded, inputIdx, iv);
        Value acc = kb.load(rb, out, outIdx, iv);
        Value r;
        if constexpr (isMax) {
          r = rb.create<arith::MaximumFOp>(loc, acc, x);
        } else {
          Value count;
          if (op.getCountIncludePad()) {
            int64_t n = 1;
            for (int64_t k : kernel)
              n *= k;
            count = kb.constantFloat(rb, elementType, double(n));
          } else {
            // Valid taps along dim i: those with pad_begin <= y*s + r*d < pad_begin + size.
            Value total = rb.create<arith::ConstantIndexOp>(loc, 1);
            for (size_t i = 0; i < spatial; ++i) {
              int64_t s = op.getStrides()[i], dl = op.getDilations()[i], k = kernel[i];
              int64_t begin = pads[i], size = inType.getDimSize(i + 2);
              Value valid = rb.create<arith::ConstantIndexOp>(loc, 0);
              Value one = rb.create<arith::ConstantIndexOp>(loc, 1);
              for (int64_t t = 0; t < k; ++t) {
                auto pos = rb.create<affine::AffineApplyOp>(
                    loc, AffineMap::get(1, 0, d(0) * s + t * dl), ValueRange{iv[2 + i]});
                Value lo = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, pos,
                                                    rb.create<arith::ConstantIndexOp>(loc, begin));
                Value hi = rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, pos,
                                                    rb.create<arith::ConstantIndexOp>(loc, begin + size));
                Value in = rb.create<arith::AndIOp>(loc, lo, hi);
                valid = rb.create<arith::AddIOp>(loc, valid, rb.create<arith::SelectOp>(
                    loc, in, one, rb.create<arith::ConstantIndexOp>(loc, 0)));
              }
              total = rb.create<arith::MulIOp>(loc, total, valid);
            }
            Value asInt = rb.create<arith::IndexCastOp>(loc, rb.getI64Type(), total);
            count = rb.create<arith::SIToFPOp>(loc, elementType, asInt);
          }
          r = rb.create<arith::AddFOp>(loc, acc, rb.create<arith::DivFOp>(loc, x, count, fm), fm);
        }
        kb.store(rb, r, out, outIdx, iv);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        kb.store(rb, kb.constantFloat(rb, elementType, isMax ? lowest : 0.0), out, outIdx, iv);
      });
  return success();
}

// The mean over all spatial dims, kept as size-1 dims: a ReduceMean.
static LogicalResult lowerGlobalAveragePool(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<GlobalAveragePoolOp>(operation);
  auto spatial = llvm::to_vector(llvm::seq<int64_t>(2, op.getInput().getType().getRank()));
  return emitReduction(kb, "global_avg_pool", op.getInput(), spatial, /*keepdims=*/true,
                       /*mean=*/true, out);
}

void populatePoolLowerings(LoweringRegistry &registry) {
  registry[MaxPoolOp::getOperationName()] = lowerPool<MaxPoolOp>;
  registry[AveragePoolOp::getOperationName()] = lowerPool<AveragePoolOp>;
  registry[GlobalAveragePoolOp::getOperationName()] = lowerGlobalAveragePool;
}

} // namespace kiln::lowering
