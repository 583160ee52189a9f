// Shape arithmetic shared by the kg ops' inference and the lowering.
#ifndef KILN_IR_GRAPH_SHAPEUTILS_H
#define KILN_IR_GRAPH_SHAPEUTILS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace kiln::graph {

// Numpy broadcasting of two shapes; nullopt when they are incompatible.
std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                          llvm::ArrayRef<int64_t> b);

// Output extent of a sliding window (conv or pool) along one dim.
int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode);

int64_t numElements(llvm::ArrayRef<int64_t> shape);

// Row-major strides of a shape.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

// A convolution or pool activation shape in N x C x spatial... order: `shape` itself, or
// with `channelsLast` (N x spatial... x C) its channel dim moved to position 1.
llvm::SmallVector<int64_t> channelsFirstShape(llvm::ArrayRef<int64_t> shape, bool channelsLast);

// "1x3x224x224"
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace kiln::graph

#endif
