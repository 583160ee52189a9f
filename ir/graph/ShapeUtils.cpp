// Shape arithmetic shared by the kg ops' inference and the lowering.
#include "ir/graph/ShapeUtils.h"

#include <algorithm>

#include <string>

namespace kiln::graph {

std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                                          llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int64_t windowOutputSize(int64_t input, int64_t kernel, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t numerator = input + padBegin + padEnd - span;
  if (numerator < 0)
    return 0;
  int64_t out = (ceilMode ? (numerator + stride - 1) / stride : numerator / stride) + 1;
  // With ceil mode the last window must start inside the input or the begin padding.
  if (ceilMode && (out - 1) * stride >= input + padBegin)
    --out;
  return out;
}

int64_t numElements(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

llvm::SmallVector<int64_t> channelsFirstShape(llvm::ArrayRef<int64_t> shape, bool channelsLast) {
  llvm::SmallVector<int64_t> nchw(shape);
  if (channelsLast && nchw.size() > 1)
    std::rotate(nchw.begin() + 1, nchw.end() - 1, nchw.end());
  return nchw;
}

std::string formatShape(llvm::ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += "x";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s.empty() ? std::string("scalar") : s;
}

} // namespace kiln::graph
