// The model-level queries of the C API, answered from the metadata the compiler emitted.
#include "runtime/cpu/model_info.h"

#include "kiln/model_abi.h"
#include "runtime/cpu/status.h"
#include "runtime/cpu/validate.h"

#include <algorithm>
#include <new>

#include <mutex>

namespace kiln::rt {
namespace {

struct LoadedMetadata {
  bool ok = false;
  Metadata metadata;
  std::string error;
};

// Parsed lazily rather than in a static constructor so a malformed text surfaces as a status
// from the first API call instead of as a failure inside dlopen().
const LoadedMetadata &loadedMetadata() {
  static LoadedMetadata loaded;
  static std::once_flag once;
  std::call_once(once, [] {
    try {
      loaded.ok = parseMetadata(kiln_model_metadata, &loaded.metadata, &loaded.error);
    } catch (const std::bad_alloc &) {
      loaded.ok = false;
      loaded.error = "out of memory";
    }
  });
  return loaded;
}

kiln_status tensorInfo(const char *kind, const std::vector<TensorMeta> &tensors, int32_t index,
                       kiln_tensor_info *out_info) {
  if (!out_info)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "out_info is NULL");
  if (index < 0 || static_cast<size_t>(index) >= tensors.size())
    return makeStatusf(KILN_STATUS_OUT_OF_RANGE,
                       "%s index %d is out of range (the model has %zu %ss)", kind, index,
                       tensors.size(), kind);
  const TensorMeta &tensor = tensors[index];
  out_info->name = tensor.name.c_str();
  out_info->dtype = tensor.dtype;
  out_info->rank = static_cast<int32_t>(tensor.shape.size());
  out_info->shape = tensor.reportedShape.data();
  out_info->dim_names = tensor.isSymbolic() ? tensor.dimNames.data() : nullptr;
  return nullptr;
}

} // namespace

const Metadata *modelMetadata(kiln_status *out_status) {
  const LoadedMetadata &loaded = loadedMetadata();
  if (loaded.ok)
    return &loaded.metadata;
  if (out_status)
    *out_status =
        makeStatusf(KILN_STATUS_INTERNAL, "malformed model metadata: %s", loaded.error.c_str());
  return nullptr;
}

} // namespace kiln::rt

using kiln::rt::modelMetadata;

extern "C" {

KILN_API int32_t kiln_model_abi_version(void) { return KILN_ABI_VERSION; }

KILN_API int32_t kiln_model_num_inputs(void) {
  const auto *metadata = modelMetadata(nullptr);
  return metadata ? static_cast<int32_t>(metadata->inputs.size()) : -1;
}

KILN_API int32_t kiln_model_num_outputs(void) {
  const auto *metadata = modelMetadata(nullptr);
  return metadata ? static_cast<int32_t>(metadata->outputs.size()) : -1;
}

KILN_API kiln_status kiln_model_input_info(int32_t index, kiln_tensor_info *out_info) {
  kiln_status status = nullptr;
  const auto *metadata = modelMetadata(&status);
  return metadata ? kiln::rt::tensorInfo("input", metadata->inputs, index, out_info) : status;
}

KILN_API kiln_status kiln_model_output_info(int32_t index, kiln_tensor_info *out_info) {
  kiln_status status = nullptr;
  const auto *metadata = modelMetadata(&status);
  return metadata ? kiln::rt::tensorInfo("output", metadata->outputs, index, out_info) : status;
}

KILN_API int32_t kiln_model_num_symbols(void) {
  const auto *metadata = modelMetadata(nullptr);
  return metadata ? static_cast<int32_t>(metadata->symbols.size()) : -1;
}

KILN_API kiln_status kiln_model_symbol_info(int32_t index, const char **out_name,
                                            int64_t *out_min, int64_t *out_max) {
  kiln_status status = nullptr;
  const auto *metadata = modelMetadata(&status);
  if (!metadata)
    return status;
  if (index < 0 || static_cast<size_t>(index) >= metadata->symbols.size())
    return kiln::rt::makeStatusf(KILN_STATUS_OUT_OF_RANGE,
                                 "symbol index %d is out of range (the model has %zu symbols)",
                                 index, metadata->symbols.size());
  const kiln::rt::SymbolMeta &symbol = metadata->symbols[index];
  if (out_name)
    *out_name = symbol.name.c_str();
  if (out_min)
    *out_min = symbol.min;
  if (out_max)
    *out_max = symbol.max;
  return nullptr;
}

KILN_API kiln_status kiln_model_output_shape(const kiln_tensor *inputs, size_t num_inputs,
                                             int32_t index, int64_t *out_shape) {
  kiln_status status = nullptr;
  const auto *metadata = modelMetadata(&status);
  if (!metadata)
    return status;
  if (index < 0 || static_cast<size_t>(index) >= metadata->outputs.size())
    return kiln::rt::makeStatusf(KILN_STATUS_OUT_OF_RANGE,
                                 "output index %d is out of range (the model has %zu outputs)",
                                 index, metadata->outputs.size());
  if (!out_shape && !metadata->outputs[index].shape.empty())
    return kiln::rt::makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "out_shape is NULL");
  try {
    std::vector<int64_t> values;
    const int64_t *bound = nullptr;
    if (!metadata->symbols.empty()) {
      if ((status = kiln::rt::bindSymbols(*metadata, inputs, num_inputs, values)))
        return status;
      bound = values.data();
    }
    if ((status = kiln::rt::validateTensors("input", metadata->inputs, inputs, num_inputs, bound)))
      return status;
    std::vector<int64_t> shape = kiln::rt::expectedShape(metadata->outputs[index], bound);
    std::copy(shape.begin(), shape.end(), out_shape);
  } catch (const std::bad_alloc &) {
    return kiln::rt::makeStatusf(KILN_STATUS_OUT_OF_MEMORY, "out of memory");
  }
  return nullptr;
}

} // extern "C"
