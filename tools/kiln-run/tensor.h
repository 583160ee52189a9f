// Host tensors for kiln-run: an aligned buffer with a dtype and shape, plus the dtype facts
// (sizes, numpy names) kiln-run needs without linking the runtime.
#ifndef KILN_TOOLS_KILN_RUN_TENSOR_H
#define KILN_TOOLS_KILN_RUN_TENSOR_H

#include "kiln/runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::run {

// Element size in bytes, 0 for an unknown dtype.
size_t dtypeSize(kiln_dtype dtype);
// "float32", ...; "unknown" otherwise. Same names as kiln_dtype_name().
const char *dtypeName(kiln_dtype dtype);
bool isFloatDtype(kiln_dtype dtype);

// "1x3x224x224", "scalar" for rank 0 (as in the runtime's messages).
std::string formatShape(const std::vector<int64_t> &shape);
// Elements of `shape`; false on overflow or a negative dim.
bool countElements(const std::vector<int64_t> &shape, size_t *out);

float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
float bfloat16ToFloat(uint16_t bits);
uint16_t floatToBfloat16(float value);

// A dense row-major tensor in a 64-byte aligned buffer. The buffer is never NULL, even for
// zero elements, because the runtime rejects NULL data.
class HostTensor {
public:
  HostTensor() = default;
  // Allocates zeroed storage; throws std::bad_alloc when it cannot.
  HostTensor(kiln_dtype dtype, std::vector<int64_t> shape);

  kiln_dtype dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  size_t numElements() const { return numElements_; }
  size_t byteSize() const { return numElements_ * dtypeSize(dtype_); }
  void *data() const { return data_.get(); }

  // Element `i` converted to double, for printing.
  double valueAsDouble(size_t i) const;

private:
  struct FreeDeleter {
    void operator()(void *p) const;
  };
  kiln_dtype dtype_ = KILN_DTYPE_F32;
  std::vector<int64_t> shape_;
  size_t numElements_ = 0;
  std::unique_ptr<void, FreeDeleter> data_;
};

// Fills `tensor` with deterministic pseudo-random values from `seed`: uniform [-1, 1) for
// floats, integers in [0, 10) for ints (safe as indices into small dims), 0/1 for bool.
void fillRandom(HostTensor &tensor, uint64_t seed);

// The first `count` values as "v0 v1 ...", for printing.
std::string formatValues(const HostTensor &tensor, size_t count);

} // namespace kiln::run

#endif
