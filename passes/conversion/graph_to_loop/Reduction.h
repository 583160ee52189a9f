// Reductions shared by the reduce, pooling, softmax and loss lowerings.
#ifndef KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_REDUCTION_H
#define KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_REDUCTION_H

#include "passes/conversion/graph_to_loop/KernelBuilder.h"

namespace kiln::lowering {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// `kind` of `input` over sorted `axes` into `out`: one reduction block, plus a block that
// finishes the result in place (L2, LogSum, integer Mean) and, for LogSumExp, a max pass
// first so that exp never overflows.
mlir::LogicalResult emitReductionOfKind(KernelBuilder &kb, llvm::StringRef name, mlir::Value input,
                                        llvm::ArrayRef<int64_t> axes, bool keepdims,
                                        ReduceKind kind, mlir::Value out);

// The largest (`highest`) or lowest value of a kg element type: +-inf for floats.
mlir::Value emitExtreme(KernelBuilder &kb, mlir::OpBuilder &rb, mlir::Type elementType,
                        bool highest);
// max/min of two values of kg element type `elementType` (NaN-propagating for floats).
mlir::Value emitMax(KernelBuilder &kb, mlir::OpBuilder &rb, mlir::Type elementType, mlir::Value a,
                    mlir::Value b);
mlir::Value emitMin(KernelBuilder &kb, mlir::OpBuilder &rb, mlir::Type elementType, mlir::Value a,
                    mlir::Value b);

// An elementwise block over `shape` (one extent-1 axis when it is rank 0, so the block has a
// loop): body(rb, index) gets the index of the element.
void emitPointwise(KernelBuilder &kb, llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                   const std::function<void(mlir::OpBuilder &, mlir::ValueRange)> &body);

// The index along `axis` of the first (or with `last`, the last) maximum (or minimum) of
// `input`, as i64, into `out` of the input's shape with `axis` kept as 1 (keepdims) or dropped.
void emitArgReduction(KernelBuilder &kb, llvm::StringRef name, mlir::Value input, int64_t axis,
                      bool keepdims, bool isMax, bool last, mlir::Value out);

// Registered by populateReduceLowerings / populateNormalizationLowerings, so that the pass's
// list of op families stays as it is.
void populateAxisScanLowerings(LoweringRegistry &registry);
void populateLossLowerings(LoweringRegistry &registry);
void populateSoftmaxLowerings(LoweringRegistry &registry);

} // namespace kiln::lowering

#endif
