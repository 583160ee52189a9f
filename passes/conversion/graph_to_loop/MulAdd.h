// The multiply-accumulate step shared by the conv and matmul reduction blocks.
#ifndef KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_MULADD_H
#define KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_MULADD_H

#include "passes/conversion/graph_to_loop/KernelBuilder.h"

namespace kiln::lowering {

// acc + a * b: reassociable float ops (vectorized reductions, FMA), or wrapping integer ops,
// which are the same for signed and unsigned storage.
inline mlir::Value emitMulAdd(mlir::OpBuilder &rb, mlir::Location loc, mlir::Value acc,
                              mlir::Value a, mlir::Value b) {
  if (llvm::isa<mlir::FloatType>(acc.getType())) {
    auto fm = mlir::arith::FastMathFlagsAttr::get(rb.getContext(), kFastMath);
    mlir::Value prod = rb.create<mlir::arith::MulFOp>(loc, a, b, fm);
    return rb.create<mlir::arith::AddFOp>(loc, acc, prod, fm);
  }
  mlir::Value prod = rb.create<mlir::arith::MulIOp>(loc, a, b);
  return rb.create<mlir::arith::AddIOp>(loc, acc, prod);
}

// Whether the reduction blocks support `elementType`: floats and integers wider than i1.
inline bool isMulAddType(mlir::Type elementType) {
  return llvm::isa<mlir::FloatType>(elementType) ||
         (elementType.isInteger() && !elementType.isInteger(1));
}

// The axes of a direct convolution block: n, f, the output's spatial dims, then the reduce
// axes rc (input channels per group) and r<spatial> (kernel taps).
llvm::SmallVector<Axis> convolutionAxes(mlir::RankedTensorType outType, int64_t channelsPerGroup,
                                        llvm::ArrayRef<int64_t> kernel);

// out[outIdx] = bias[f] (or 0) + sum over the reduce axes of input * weight, read at
// `inputIdx` / `weightIdx` (affine in `axes`); the output channel f is out's dim `channelDim`.
// An empty `outIdx` means the leading spatial axes index `out` in order.
void emitConvolutionBlock(KernelBuilder &kb, llvm::StringRef name, llvm::ArrayRef<Axis> axes,
                          mlir::Value input, llvm::ArrayRef<mlir::AffineExpr> inputIdx,
                          mlir::Value weight, llvm::ArrayRef<mlir::AffineExpr> weightIdx,
                          mlir::Value bias, mlir::Value out, unsigned channelDim = 1,
                          llvm::ArrayRef<mlir::AffineExpr> outIdx = {});

// out[outIdx] = bias[f] (or 0) over spatial `axes`: outputs of a convolution no tap reaches.
void emitBiasBlock(KernelBuilder &kb, llvm::StringRef name, llvm::ArrayRef<Axis> axes,
                   mlir::Value bias, mlir::Value out, llvm::ArrayRef<mlir::AffineExpr> outIdx,
                   unsigned channelDim);

} // namespace kiln::lowering

#endif
