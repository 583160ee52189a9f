// ONNX tensors (initializers, Constant values, external data) → MLIR elements attributes.
#ifndef KILN_COMPILER_FRONTEND_ONNX_TENSORIMPORT_H
#define KILN_COMPILER_FRONTEND_ONNX_TENSORIMPORT_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace kiln::onnx_frontend {

// Constants with more elements than this become dense_resource blobs, so the textual IR stays
// small; smaller ones (shapes, scalars) stay inline where folders and tests can read them.
constexpr int64_t kMaxInlineElements = 64;

// The MLIR element type of an ONNX TensorProto::DataType; null when Kiln does not support it.
mlir::Type convertElementType(mlir::MLIRContext *ctx, int32_t onnxType);

// "FLOAT", "INT64", ... for messages.
std::string onnxTypeName(int32_t onnxType);

// The product of `dims`, or -1 when a dim is negative or the product overflows.
int64_t checkedNumElements(llvm::ArrayRef<int64_t> dims);

// Converts a tensor, reading external data from `modelDir`. Emits an error at `loc` that names
// the tensor when its type, size or data location is invalid.
mlir::FailureOr<mlir::ElementsAttr> convertTensor(const onnx::TensorProto &tensor,
                                                  llvm::StringRef modelDir, mlir::Location loc);

} // namespace kiln::onnx_frontend

#endif
