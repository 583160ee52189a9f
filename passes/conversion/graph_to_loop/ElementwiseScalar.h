// The scalar computations inside elementwise kernels. Values are in storage types (signless
// integers); `Type` arguments are kg element types, which carry the signedness.
#ifndef KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_ELEMENTWISESCALAR_H
#define KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_ELEMENTWISESCALAR_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace kiln::lowering {

// Conversion between kg element types following C semantics (ONNX Cast); `x` holds a value of
// kg type `from`.
mlir::Value emitCast(mlir::OpBuilder &rb, mlir::Location loc, mlir::Value x, mlir::Type from,
                     mlir::Type to);

// Binary arithmetic, min/max, remainders, logic, shifts, comparisons and Pow on operands of kg
// type `operandType` (Pow: the base's; its exponent is converted here). Null when `op` is none
// of those.
mlir::Value emitBinaryScalar(mlir::OpBuilder &rb, mlir::Location loc, mlir::Operation *op,
                             mlir::Value lhs, mlir::Value rhs, mlir::Type operandType,
                             mlir::Type exponentType);

// Unary math and activations on a value of kg type `type`; null when `op` is none of those.
mlir::Value emitUnaryScalar(mlir::OpBuilder &rb, mlir::Location loc, mlir::Operation *op,
                            mlir::Value x, mlir::Type type);

// One element of elementwise kg op `op` (KG_Elementwise) from its loaded operands `x`; null
// when the op has no scalar form.
mlir::Value emitElementwiseScalar(mlir::OpBuilder &rb, mlir::Location loc, mlir::Operation *op,
                                  llvm::SmallVector<mlir::Value> x);

// A constant of kg element type `type` (integers in their storage type).
mlir::Value scalarConstant(mlir::OpBuilder &rb, mlir::Location loc, mlir::Type type, double value);

} // namespace kiln::lowering

#endif
