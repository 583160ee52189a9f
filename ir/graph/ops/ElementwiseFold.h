// Shared by the elementwise kg ops: broadcasting type inference and constant evaluation.
#ifndef KILN_IR_GRAPH_OPS_ELEMENTWISEFOLD_H
#define KILN_IR_GRAPH_OPS_ELEMENTWISEFOLD_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpDefinition.h"

namespace kiln::graph {

// The numpy broadcast of the operands' shapes with `elementType`; an error names both shapes.
mlir::LogicalResult inferBroadcast(std::optional<mlir::Location> loc,
                                   llvm::ArrayRef<mlir::Value> operands, mlir::Type elementType,
                                   llvm::SmallVectorImpl<mlir::Type> &results);

// The flat index into an operand of `shape` that broadcasts to flat `index` of the result.
int64_t broadcastSource(int64_t index, llvm::ArrayRef<int64_t> resultShape,
                        llvm::ArrayRef<int64_t> shape);

// Integer types whose constants the folders read exactly as int64 (ConstantData reads wider
// unsigned types as signed values, which would fold comparisons wrongly).
bool isFoldableInt(mlir::Type elementType);

} // namespace kiln::graph

#endif
