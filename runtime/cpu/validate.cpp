// Input/output validation for kiln_context_run. Messages name the tensor and show both sides,
// e.g. "input 'x': expected shape 1x3x224x224, got 1x3x224x225".
#include "runtime/cpu/validate.h"

#include "runtime/cpu/dtype.h"
#include "runtime/cpu/status.h"

#include <cstring>
#include <string>

namespace kiln::rt {
namespace {

// Beyond this a rank is surely garbage; we report the number rather than read that many dims.
constexpr int32_t kMaxPrintableRank = 32;

std::string dtypeText(const kiln_dtype &dtype) {
  const char *name = knownDtypeName(dtype);
  return name ? name : "unknown dtype " + std::to_string(static_cast<int32_t>(rawDtype(dtype)));
}

std::string givenShapeText(const kiln_tensor &tensor) {
  if (tensor.rank < 0 || tensor.rank > kMaxPrintableRank || (tensor.rank > 0 && !tensor.shape))
    return "rank " + std::to_string(tensor.rank);
  return formatShape(tensor.shape, static_cast<size_t>(tensor.rank));
}

kiln_status checkOne(const char *kind, const TensorMeta &want, const kiln_tensor &got,
                     const int64_t *symbolValues) {
  const char *name = want.name.c_str();
  if (rawDtype(got.dtype) != rawDtype(want.dtype))
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': expected dtype %s, got %s", kind,
                       name, kiln_dtype_name(want.dtype), dtypeText(got.dtype).c_str());
  size_t rank = want.shape.size();
  // This runs every call: fixed shapes compare as stored, symbolic dims one at a time, and
  // the expected shape is only built for an error message.
  bool symbolic = symbolValues && want.isSymbolic();
  bool sameShape = got.rank >= 0 && static_cast<size_t>(got.rank) == rank &&
                   (rank == 0 || got.shape);
  if (sameShape && !symbolic)
    sameShape =
        rank == 0 || std::memcmp(got.shape, want.shape.data(), rank * sizeof(int64_t)) == 0;
  for (size_t d = 0; sameShape && symbolic && d < rank; ++d)
    sameShape = got.shape[d] == want.dims[d].at(symbolValues);
  if (!sameShape) {
    if (got.rank > 0 && !got.shape)
      return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': shape is NULL but rank is %d",
                         kind, name, got.rank);
    std::vector<int64_t> shape = symbolic ? expectedShape(want, symbolValues) : want.shape;
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': expected shape %s, got %s", kind,
                       name, formatShape(shape.data(), rank).c_str(),
                       givenShapeText(got).c_str());
  }
  if (!got.data)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': data is NULL", kind, name);
  return nullptr;
}

} // namespace

std::vector<int64_t> expectedShape(const TensorMeta &tensor, const int64_t *symbolValues) {
  if (!symbolValues)
    return tensor.shape;
  std::vector<int64_t> shape;
  for (const DimMeta &dim : tensor.dims)
    shape.push_back(dim.at(symbolValues));
  return shape;
}

kiln_status bindSymbols(const Metadata &metadata, const kiln_tensor *inputs, size_t count,
                        std::vector<int64_t> &values) {
  values.assign(metadata.symbols.size(), -1);
  // Per symbol, the (input, dim) that bound it; messages are only built for an error.
  std::vector<std::pair<size_t, size_t>> boundBy(metadata.symbols.size());
  auto where = [&](size_t i, size_t d) {
    return "input '" + metadata.inputs[i].name + "' dim " + std::to_string(d);
  };
  if (count != metadata.inputs.size() || (count > 0 && !inputs))
    return validateTensors("input", metadata.inputs, inputs, count, nullptr);
  for (size_t i = 0; i < count; ++i) {
    const TensorMeta &want = metadata.inputs[i];
    const kiln_tensor &got = inputs[i];
    // A rank or shape problem is reported by the full check once the symbols are bound.
    if (got.rank < 0 || size_t(got.rank) != want.dims.size() || (got.rank > 0 && !got.shape))
      continue;
    for (size_t d = 0; d < want.dims.size(); ++d) {
      const DimMeta &dim = want.dims[d];
      if (dim.symbol < 0)
        continue;
      const SymbolMeta &symbol = metadata.symbols[dim.symbol];
      int64_t size = got.shape[d], value = (size - dim.offset) / dim.scale;
      if (size < 0 || (size - dim.offset) % dim.scale != 0 || value < symbol.min ||
          value > symbol.max)
        return makeStatusf(KILN_STATUS_INVALID_ARGUMENT,
                           "%s ('%s') is %lld, outside the sizes the model was compiled for "
                           "(%s in %lld..%lld; recompile with kilnc --dim-range %s=MIN:MAX)",
                           where(i, d).c_str(), want.dimNames[d], (long long)size,
                           symbol.name.c_str(), (long long)symbol.min, (long long)symbol.max,
                           symbol.name.c_str());
      int64_t &bound = values[dim.symbol];
      if (bound >= 0 && bound != value) {
        auto [bi, bd] = boundBy[dim.symbol];
        return makeStatusf(KILN_STATUS_INVALID_ARGUMENT,
                           "%s ('%s') is %lld, but %s sets '%s' to %lld", where(i, d).c_str(),
                           want.dimNames[d], (long long)size, where(bi, bd).c_str(),
                           symbol.name.c_str(), (long long)bound);
      }
      bound = value;
      boundBy[dim.symbol] = {i, d};
    }
  }
  for (size_t s = 0; s < values.size(); ++s)
    if (values[s] < 0) // bound by no input: only an input with a wrong rank could skip it
      values[s] = metadata.symbols[s].max;
  return nullptr;
}

kiln_status validateTensors(const char *kind, const std::vector<TensorMeta> &expected,
                            const kiln_tensor *given, size_t count, const int64_t *symbolValues) {
  if (count != expected.size())
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "expected %zu %ss, got %zu", expected.size(),
                       kind, count);
  if (count > 0 && !given)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%ss is NULL but num_%ss is %zu", kind, kind,
                       count);
  for (size_t i = 0; i < count; ++i)
    if (kiln_status status = checkOne(kind, expected[i], given[i], symbolValues))
      return status;
  return nullptr;
}

} // namespace kiln::rt
