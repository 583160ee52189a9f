// Row-by-row copies between dense tensors and their box in a buffer laid out at the maxima.
#include "runtime/cpu/staging.h"

#include <cstring>
#include <vector>

namespace kiln::rt {

void copyPadded(void *padded, void *dense, const int64_t *shape, const int64_t *maxShape,
                size_t rank, size_t elementSize, bool toPadded) {
  for (size_t d = 0; d < rank; ++d)
    if (shape[d] == 0)
      return;
  if (rank == 0) {
    toPadded ? std::memcpy(padded, dense, elementSize) : std::memcpy(dense, padded, elementSize);
    return;
  }
  // Element strides of the padded layout; rows along the last dim are contiguous in both.
  std::vector<size_t> stride(rank, 1);
  for (size_t d = rank - 1; d > 0; --d)
    stride[d - 1] = stride[d] * size_t(maxShape[d]);
  size_t rowBytes = size_t(shape[rank - 1]) * elementSize;
  std::vector<int64_t> index(rank, 0);
  auto *paddedBytes = static_cast<char *>(padded);
  auto *denseBytes = static_cast<char *>(dense);
  for (;;) {
    size_t offset = 0;
    for (size_t d = 0; d + 1 < rank; ++d)
      offset += size_t(index[d]) * stride[d];
    char *box = paddedBytes + offset * elementSize;
    toPadded ? std::memcpy(box, denseBytes, rowBytes) : std::memcpy(denseBytes, box, rowBytes);
    denseBytes += rowBytes;
    size_t d = rank - 1;
    while (d > 0 && ++index[d - 1] == shape[d - 1])
      index[--d] = 0;
    if (d == 0)
      return;
  }
}

} // namespace kiln::rt
