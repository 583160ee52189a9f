// Element sizes and names of kiln_dtype; the names are the ones the metadata text uses.
#include "runtime/cpu/dtype.h"

namespace kiln::rt {
namespace {

struct DtypeEntry {
  kiln_dtype dtype;
  const char *name;
  size_t size;
};

// numpy's names, so that kiln-run and the Python package can map them one to one.
constexpr DtypeEntry kDtypes[] = {
    {KILN_DTYPE_F32, "float32", 4},   {KILN_DTYPE_F16, "float16", 2},
    {KILN_DTYPE_BF16, "bfloat16", 2}, {KILN_DTYPE_F64, "float64", 8},
    {KILN_DTYPE_I8, "int8", 1},       {KILN_DTYPE_U8, "uint8", 1},
    {KILN_DTYPE_I32, "int32", 4},     {KILN_DTYPE_I64, "int64", 8},
    {KILN_DTYPE_BOOL, "bool", 1},     {KILN_DTYPE_I16, "int16", 2},
    {KILN_DTYPE_U16, "uint16", 2},   {KILN_DTYPE_U32, "uint32", 4},
    {KILN_DTYPE_U64, "uint64", 8},
};

const DtypeEntry *findDtype(const kiln_dtype &dtype) {
  for (const DtypeEntry &entry : kDtypes)
    if (static_cast<uint32_t>(entry.dtype) == rawDtype(dtype))
      return &entry;
  return nullptr;
}

} // namespace

const char *knownDtypeName(const kiln_dtype &dtype) {
  const DtypeEntry *entry = findDtype(dtype);
  return entry ? entry->name : nullptr;
}

bool parseDtypeName(std::string_view name, kiln_dtype *out) {
  for (const DtypeEntry &entry : kDtypes) {
    if (name == entry.name) {
      *out = entry.dtype;
      return true;
    }
  }
  return false;
}

} // namespace kiln::rt

extern "C" {

KILN_API size_t kiln_dtype_size(kiln_dtype dtype) {
  const auto *entry = kiln::rt::findDtype(dtype);
  return entry ? entry->size : 0;
}

KILN_API const char *kiln_dtype_name(kiln_dtype dtype) {
  const auto *entry = kiln::rt::findDtype(dtype);
  return entry ? entry->name : "unknown";
}

} // extern "C"
