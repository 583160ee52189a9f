// Reading and building constant tensors, for folders and graph passes.
#ifndef KILN_IR_GRAPH_CONSTANTDATA_H
#define KILN_IR_GRAPH_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace kiln::graph {

// Folders only evaluate constants up to this many elements: shape arithmetic, not weights.
constexpr int64_t kMaxFoldElements = 1 << 16;

// Raw little-endian bytes of a dense or dense_resource constant (one element if splat).
std::optional<llvm::ArrayRef<char>> getRawBytes(mlir::ElementsAttr attr, bool &isSplat);

// Every element converted to double / int64 (splats expanded). Empty optional when the
// attribute is not readable (unknown element type or an elided resource).
std::optional<std::vector<double>> readAsDouble(mlir::Attribute attr);
std::optional<std::vector<int64_t>> readAsInt64(mlir::Attribute attr);

// A dense constant of `type` holding `values` converted to its element type.
mlir::DenseElementsAttr makeDense(mlir::ShapedType type, llvm::ArrayRef<double> values);
mlir::DenseElementsAttr makeDenseInt(mlir::ShapedType type, llvm::ArrayRef<int64_t> values);

// A dense_resource constant owning a copy of `floats`, for large folded weights.
mlir::ElementsAttr makeResourceF32(mlir::ShapedType type, llvm::ArrayRef<float> floats,
                                   llvm::StringRef name);

} // namespace kiln::graph

#endif
