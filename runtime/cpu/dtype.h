// Internal dtype helpers shared by the metadata parser and the input validation.
#ifndef KILN_RUNTIME_CPU_DTYPE_H
#define KILN_RUNTIME_CPU_DTYPE_H

#include "kiln/runtime.h"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kiln::rt {

// The integer a caller stored in a kiln_dtype. C callers may store any int there, and in C++
// loading an enum outside its enumerators' range is undefined, so compare these bits instead.
inline uint32_t rawDtype(const kiln_dtype &dtype) {
  static_assert(sizeof(kiln_dtype) == sizeof(uint32_t), "kiln_dtype is an int-sized C enum");
  uint32_t bits;
  std::memcpy(&bits, &dtype, sizeof(bits));
  return bits;
}

// kiln_dtype_name() for a known dtype, NULL otherwise; never loads `dtype` as an enum.
const char *knownDtypeName(const kiln_dtype &dtype);

// The dtype whose kiln_dtype_name() is `name`; false when there is none.
bool parseDtypeName(std::string_view name, kiln_dtype *out);

} // namespace kiln::rt

#endif
