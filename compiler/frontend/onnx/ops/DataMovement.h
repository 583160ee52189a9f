// Building blocks shared by the data-movement converters (Shape.cpp, Slice.cpp, Gather.cpp,
// Pad.cpp, Resize.cpp, ...) and their registration, called from populateShapeConverters.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_DATAMOVEMENT_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_DATAMOVEMENT_H

#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

namespace kiln::onnx_frontend {

// kg.gather of `x` along `axis` at constant positions: the copy with a fixed pattern that
// tiling, broadcasting, edge/reflect padding and nearest resizing reduce to.
mlir::FailureOr<mlir::Value> gatherAt(OpBinder &b, mlir::Value x, int64_t axis,
                                      llvm::ArrayRef<int64_t> positions);

// A constant of `x`'s rank that is `values` along `axis` and size 1 elsewhere, so that it
// broadcasts against a tensor that has `values.size()` entries on that axis.
mlir::Value axisConstant(OpBinder &b, mlir::Type elementType, int64_t rank, int64_t axis,
                         llvm::ArrayRef<double> values);

// kg.slice of `x` from ONNX bounds: negative starts/ends count from the end, then clamp.
mlir::FailureOr<mlir::Value> buildSlice(OpBinder &b, mlir::Value x, llvm::ArrayRef<int64_t> starts,
                                        llvm::ArrayRef<int64_t> ends,
                                        std::optional<llvm::SmallVector<int64_t>> axes,
                                        std::optional<llvm::SmallVector<int64_t>> steps);

mlir::LogicalResult setResult(OpBinder &b, mlir::FailureOr<mlir::Value> result);

void populateSliceConverters(ConverterRegistry &registry);
void populateTransposeConverters(ConverterRegistry &registry);
void populateGatherConverters(ConverterRegistry &registry);
void populateScatterConverters(ConverterRegistry &registry);
void populatePadConverters(ConverterRegistry &registry);
void populateResizeConverters(ConverterRegistry &registry);
void populateEinsumConverters(ConverterRegistry &registry);
void populateGeneratorConverters(ConverterRegistry &registry);

} // namespace kiln::onnx_frontend

#endif
