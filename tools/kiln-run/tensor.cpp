// HostTensor storage, dtype facts, 16-bit float conversions and random fill for kiln-run.
#include "tools/kiln-run/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace kiln::run {
namespace {

struct DtypeFacts {
  kiln_dtype dtype;
  const char *name;
  size_t size;
};

constexpr DtypeFacts kDtypes[] = {
    {KILN_DTYPE_F32, "float32", 4},   {KILN_DTYPE_F16, "float16", 2},
    {KILN_DTYPE_BF16, "bfloat16", 2}, {KILN_DTYPE_F64, "float64", 8},
    {KILN_DTYPE_I8, "int8", 1},       {KILN_DTYPE_U8, "uint8", 1},
    {KILN_DTYPE_I32, "int32", 4},     {KILN_DTYPE_I64, "int64", 8},
    {KILN_DTYPE_BOOL, "bool", 1},     {KILN_DTYPE_I16, "int16", 2},
    {KILN_DTYPE_U16, "uint16", 2},   {KILN_DTYPE_U32, "uint32", 4},
    {KILN_DTYPE_U64, "uint64", 8},
};

const DtypeFacts *facts(kiln_dtype dtype) {
  for (const DtypeFacts &entry : kDtypes)
    if (entry.dtype == dtype)
      return &entry;
  return nullptr;
}

// splitmix64: tiny, good enough for test data, and identical on every platform (unlike the
// <random> distributions, whose output is implementation-defined).
uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

template <typename T> void store(void *data, size_t i, T value) {
  std::memcpy(static_cast<char *>(data) + i * sizeof(T), &value, sizeof(T));
}

template <typename T> T load(const void *data, size_t i) {
  T value;
  std::memcpy(&value, static_cast<const char *>(data) + i * sizeof(T), sizeof(T));
  return value;
}

} // namespace

size_t dtypeSize(kiln_dtype dtype) {
  const DtypeFacts *entry = facts(dtype);
  return entry ? entry->size : 0;
}

const char *dtypeName(kiln_dtype dtype) {
  const DtypeFacts *entry = facts(dtype);
  return entry ? entry->name : "unknown";
}

bool isFloatDtype(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F32 || dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16 ||
         dtype == KILN_DTYPE_F64;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

bool countElements(const std::vector<int64_t> &shape, size_t *out) {
  size_t count = 1;
  for (int64_t dim : shape)
    if (dim < 0 || __builtin_mul_overflow(count, static_cast<size_t>(dim), &count))
      return false;
  *out = count;
  return true;
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits >> 15) << 31, exponent = (bits >> 10) & 0x1f,
           mantissa = bits & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24); // subnormal
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(float(mantissa | 0x400), int(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

uint16_t floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  float magnitude = std::fabs(value);
  if (std::isnan(value))
    return sign | 0x7e00;
  if (magnitude >= 65520.0f) // rounds to infinity
    return sign | 0x7c00;
  if (magnitude < std::ldexp(1.0f, -14)) // subnormal: units of 2^-24, round to nearest even
    return sign | uint16_t(std::nearbyint(magnitude * std::ldexp(1.0f, 24)));
  int exponent;
  float fraction = std::frexp(magnitude, &exponent); // magnitude = fraction * 2^exponent
  auto mantissa = uint32_t(std::nearbyint((fraction * 2 - 1) * 1024));
  uint32_t biased = uint32_t(exponent - 1 + 15);
  return sign |
         uint16_t((biased << 10) + mantissa); // a carry out of the mantissa bumps the exponent
}

float bfloat16ToFloat(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

uint16_t floatToBfloat16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value))
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1); // round to nearest even
  return uint16_t(bits >> 16);
}

void HostTensor::FreeDeleter::operator()(void *p) const { std::free(p); }

HostTensor::HostTensor(kiln_dtype dtype, std::vector<int64_t> shape)
    : dtype_(dtype), shape_(std::move(shape)) {
  size_t bytes = 0;
  if (!countElements(shape_, &numElements_) ||
      __builtin_mul_overflow(numElements_, dtypeSize(dtype_), &bytes) || bytes > SIZE_MAX - 64)
    throw std::bad_alloc();
  size_t rounded = (bytes + 63) / 64 * 64;
  data_.reset(std::aligned_alloc(64, rounded ? rounded : 64));
  if (!data_)
    throw std::bad_alloc();
  std::memset(data_.get(), 0, rounded);
}

double HostTensor::valueAsDouble(size_t i) const {
  const void *p = data_.get();
  switch (dtype_) {
  case KILN_DTYPE_F32:
    return load<float>(p, i);
  case KILN_DTYPE_F16:
    return halfToFloat(load<uint16_t>(p, i));
  case KILN_DTYPE_BF16:
    return bfloat16ToFloat(load<uint16_t>(p, i));
  case KILN_DTYPE_F64:
    return load<double>(p, i);
  case KILN_DTYPE_I8:
    return load<int8_t>(p, i);
  case KILN_DTYPE_U8:
    return load<uint8_t>(p, i);
  case KILN_DTYPE_I32:
    return load<int32_t>(p, i);
  case KILN_DTYPE_I64:
    return double(load<int64_t>(p, i));
  case KILN_DTYPE_BOOL:
    return load<uint8_t>(p, i) ? 1 : 0;
  case KILN_DTYPE_I16:
    return load<int16_t>(p, i);
  case KILN_DTYPE_U16:
    return load<uint16_t>(p, i);
  case KILN_DTYPE_U32:
    return load<uint32_t>(p, i);
  case KILN_DTYPE_U64:
    return double(load<uint64_t>(p, i));
  }
  return 0;
}

void fillRandom(HostTensor &tensor, uint64_t seed) {
  uint64_t state = seed;
  void *p = tensor.data();
  for (size_t i = 0; i < tensor.numElements(); ++i) {
    uint64_t r = nextRandom(state);
    float uniform = float(r >> 40) * (2.0f / float(1 << 24)) - 1.0f; // 24 bits: exact in float
    int small = int(r % 10);
    switch (tensor.dtype()) {
    case KILN_DTYPE_F32:
      store<float>(p, i, uniform);
      break;
    case KILN_DTYPE_F16:
      store<uint16_t>(p, i, floatToHalf(uniform));
      break;
    case KILN_DTYPE_BF16:
      store<uint16_t>(p, i, floatToBfloat16(uniform));
      break;
    case KILN_DTYPE_F64:
      store<double>(p, i, double(r >> 11) * 0x1p-52 - 1.0);
      break;
    case KILN_DTYPE_I8:
      store<int8_t>(p, i, int8_t(small));
      break;
    case KILN_DTYPE_U8:
      store<uint8_t>(p, i, uint8_t(small));
      break;
    case KILN_DTYPE_I32:
      store<int32_t>(p, i, small);
      break;
    case KILN_DTYPE_I64:
      store<int64_t>(p, i, small);
      break;
    case KILN_DTYPE_BOOL:
      store<uint8_t>(p, i, uint8_t(r & 1));
      break;
    case KILN_DTYPE_I16:
      store<int16_t>(p, i, int16_t(small));
      break;
    case KILN_DTYPE_U16:
      store<uint16_t>(p, i, uint16_t(small));
      break;
    case KILN_DTYPE_U32:
      store<uint32_t>(p, i, uint32_t(small));
      break;
    case KILN_DTYPE_U64:
      store<uint64_t>(p, i, uint64_t(small));
      break;
    }
  }
}

std::string formatValues(const HostTensor &tensor, size_t count) {
  std::string text;
  char buffer[32];
  size_t shown = std::min(count, tensor.numElements());
  for (size_t i = 0; i < shown; ++i) {
    if (tensor.dtype() == KILN_DTYPE_BOOL)
      std::snprintf(buffer, sizeof(buffer), "%s", tensor.valueAsDouble(i) ? "true" : "false");
    else if (tensor.dtype() == KILN_DTYPE_I64) // exact, where a double would round
      std::snprintf(buffer, sizeof(buffer), "%lld", (long long)load<int64_t>(tensor.data(), i));
    else
      std::snprintf(buffer, sizeof(buffer), "%.6g", tensor.valueAsDouble(i));
    text += (i ? " " : "") + std::string(buffer);
  }
  if (shown < tensor.numElements())
    text += " ...";
  return text;
}

} // namespace kiln::run
