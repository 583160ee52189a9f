// Input/output validation for kiln_context_run. Messages name the tensor and show both sides,
// e.g. "input 'x': expected shape 1x3x224x224, got 1x3x224x225".
#include "runtime/cpu/validate.h"

#include "runtime/cpu/dtype.h"
#include "runtime/cpu/status.h"

#include <cstring>

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

kiln_status checkOne(const char *kind, const TensorMeta &want, const kiln_tensor &got) {
  const char *name = want.name.c_str();
  if (rawDtype(got.dtype) != rawDtype(want.dtype))
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': expected dtype %s, got %s", kind,
                       name, kiln_dtype_name(want.dtype), dtypeText(got.dtype).c_str());
  size_t rank = want.shape.size();
  bool sameShape = got.rank >= 0 && static_cast<size_t>(got.rank) == rank &&
                   (rank == 0 || (got.shape && std::memcmp(got.shape, want.shape.data(),
                                                           rank * sizeof(int64_t)) == 0));
  if (!sameShape) {
    if (got.rank > 0 && !got.shape)
      return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': shape is NULL but rank is %d",
                         kind, name, got.rank);
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': expected shape %s, got %s", kind,
                       name, formatShape(want.shape.data(), rank).c_str(),
                       givenShapeText(got).c_str());
  }
  if (!got.data)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s '%s': data is NULL", kind, name);
  return nullptr;
}

} // namespace

kiln_status validateTensors(const char *kind, const std::vector<TensorMeta> &expected,
                            const kiln_tensor *given, size_t count) {
  if (count != expected.size())
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "expected %zu %ss, got %zu", expected.size(),
                       kind, count);
  if (count > 0 && !given)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%ss is NULL but num_%ss is %zu", kind, kind,
                       count);
  for (size_t i = 0; i < count; ++i)
    if (kiln_status status = checkOne(kind, expected[i], given[i]))
      return status;
  return nullptr;
}

} // namespace kiln::rt
