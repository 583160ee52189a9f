// kiln_context: a thread pool and a workspace sized from the metadata, created once and reused
// by every kiln_context_run, so a run allocates nothing.
#include "kiln/model_abi.h"
#include "kiln/runtime.h"
#include "runtime/cpu/model_info.h"
#include "runtime/cpu/staging.h"
#include "runtime/cpu/status.h"
#include "runtime/cpu/thread_pool.h"
#include "runtime/cpu/validate.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace {

// Generated code may use aligned vector loads on workspace offsets (model_abi.h promises 64).
constexpr size_t kWorkspaceAlignment = 64;

// The fields every version of kiln_context_options has; a smaller struct_size is a caller bug.
constexpr size_t kOptionsV1Size = offsetof(kiln_context_options, num_threads) + sizeof(int32_t);
// Version 2 added thread_affinity.
constexpr size_t kOptionsV2Size =
    offsetof(kiln_context_options, thread_affinity) + sizeof(int32_t);

} // namespace

struct kiln_context_s {
  const kiln::rt::Metadata *metadata = nullptr;
  std::unique_ptr<kiln::rt::ThreadPool> pool;
  void *workspace = nullptr;
  std::vector<void *> io; // input data pointers, then output data pointers
  // Per io slot of a tensor with symbolic dims: its buffer laid out at the maxima (else NULL).
  std::vector<void *> staging;
  std::vector<int64_t> symbolValues;
  // A context is single-threaded by contract; this turns misuse into an error, not a data race.
  std::atomic<bool> running{false};

  ~kiln_context_s() {
    std::free(workspace);
    for (void *buffer : staging)
      std::free(buffer);
  }
};

using kiln::rt::makeStatusf;

namespace {

kiln_status createContext(const kiln_context_options *options, kiln_context *out_context) {
  kiln_context_options defaults;
  kiln_context_options_init(&defaults);
  if (options && options->struct_size < kOptionsV1Size)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT,
                       "options->struct_size is %u, expected at least %zu "
                       "(initialise options with kiln_context_options_init)",
                       options->struct_size, kOptionsV1Size);
  int numThreads = (options ? options : &defaults)->num_threads;
  int availableCpus = kiln::rt::ThreadPool::availableCpus();
  if (numThreads <= 0)
    numThreads = availableCpus;
  if (numThreads > kiln::rt::ThreadPool::kMaxThreads)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "num_threads is %d, at most %d supported",
                       numThreads, kiln::rt::ThreadPool::kMaxThreads);
  int32_t affinity = KILN_THREAD_AFFINITY_AUTO;
  if (options && options->struct_size >= kOptionsV2Size)
    affinity = options->thread_affinity;
  if (affinity != KILN_THREAD_AFFINITY_AUTO && affinity != KILN_THREAD_AFFINITY_NONE &&
      affinity != KILN_THREAD_AFFINITY_SPREAD)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT,
                       "thread_affinity is %d, expected a kiln_thread_affinity (0, 1 or 2)",
                       affinity);
  bool pinWorkers = affinity == KILN_THREAD_AFFINITY_SPREAD ||
                    (affinity == KILN_THREAD_AFFINITY_AUTO && numThreads == availableCpus);

  kiln_status status = nullptr;
  const kiln::rt::Metadata *metadata = kiln::rt::modelMetadata(&status);
  if (!metadata)
    return status;

  auto context = std::make_unique<kiln_context_s>();
  context->metadata = metadata;
  context->io.resize(metadata->inputs.size() + metadata->outputs.size());
  if (size_t bytes = metadata->workspaceBytes) {
    size_t rounded = (bytes + kWorkspaceAlignment - 1) / kWorkspaceAlignment * kWorkspaceAlignment;
    if (rounded < bytes || !(context->workspace = std::aligned_alloc(kWorkspaceAlignment, rounded)))
      return makeStatusf(KILN_STATUS_OUT_OF_MEMORY, "cannot allocate the %zu-byte workspace",
                         bytes);
  }
  context->staging.assign(context->io.size(), nullptr);
  size_t slot = 0;
  for (auto *tensors : {&metadata->inputs, &metadata->outputs})
    for (const kiln::rt::TensorMeta &tensor : *tensors) {
      size_t bytes = (std::max<size_t>(tensor.byteSize, 1) + kWorkspaceAlignment - 1) /
                     kWorkspaceAlignment * kWorkspaceAlignment;
      if (tensor.isSymbolic() &&
          !(context->staging[slot] = std::aligned_alloc(kWorkspaceAlignment, bytes)))
        return makeStatusf(KILN_STATUS_OUT_OF_MEMORY, "cannot allocate %zu bytes for '%s'",
                           bytes, tensor.name.c_str());
      // Kernels compute over the padding too: zeros there, never denormals or NaNs that
      // would slow the arithmetic down.
      if (context->staging[slot])
        std::memset(context->staging[slot], 0, bytes);
      ++slot;
    }
  std::string error;
  context->pool = kiln::rt::ThreadPool::create(numThreads, pinWorkers, &error);
  if (!context->pool)
    return kiln::rt::makeStatus(KILN_STATUS_INTERNAL, error);
  *out_context = context.release();
  return nullptr;
}

kiln_status validateRun(const kiln::rt::Metadata &metadata, const kiln_tensor *inputs,
                        size_t num_inputs, const kiln_tensor *outputs, size_t num_outputs,
                        std::vector<int64_t> &symbolValues) {
  try {
    const int64_t *values = nullptr;
    if (!metadata.symbols.empty()) {
      if (kiln_status status = kiln::rt::bindSymbols(metadata, inputs, num_inputs, symbolValues))
        return status;
      values = symbolValues.data();
    }
    if (kiln_status status =
            kiln::rt::validateTensors("input", metadata.inputs, inputs, num_inputs, values))
      return status;
    return kiln::rt::validateTensors("output", metadata.outputs, outputs, num_outputs, values);
  } catch (const std::bad_alloc &) {
    return makeStatusf(KILN_STATUS_OUT_OF_MEMORY, "out of memory validating the tensors");
  }
}

} // namespace

extern "C" {

KILN_API void kiln_context_options_init_sized(kiln_context_options *options, size_t size) {
  if (!options || size < kOptionsV1Size)
    return;
  options->struct_size = uint32_t(std::min<size_t>(size, UINT32_MAX));
  options->num_threads = 0;
  if (size >= kOptionsV2Size)
    options->thread_affinity = KILN_THREAD_AFFINITY_AUTO;
}

// Parenthesized: the header's macro of the same name must not expand here.
KILN_API void(kiln_context_options_init)(kiln_context_options *options) {
  kiln_context_options_init_sized(options, kOptionsV1Size);
}

KILN_API kiln_status kiln_context_create(const kiln_context_options *options,
                                         kiln_context *out_context) {
  if (!out_context)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "out_context is NULL");
  *out_context = nullptr;
  try {
    return createContext(options, out_context);
  } catch (const std::bad_alloc &) {
    return makeStatusf(KILN_STATUS_OUT_OF_MEMORY, "out of memory creating a context");
  }
}

KILN_API void kiln_context_destroy(kiln_context context) { delete context; }

KILN_API int32_t kiln_context_num_threads(kiln_context context) {
  return context ? context->pool->numThreads() : 0;
}

KILN_API kiln_status kiln_context_run(kiln_context context, const kiln_tensor *inputs,
                                      size_t num_inputs, kiln_tensor *outputs, size_t num_outputs) {
  if (!context)
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "context is NULL");
  if (context->running.exchange(true, std::memory_order_acquire))
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT,
                       "context is already running on another thread (use one per thread)");
  if (kiln_status status = validateRun(*context->metadata, inputs, num_inputs, outputs,
                                       num_outputs, context->symbolValues)) {
    context->running.store(false, std::memory_order_release);
    return status;
  }
  const kiln::rt::Metadata &metadata = *context->metadata;
  // Tensors with symbolic dims go through buffers laid out at the maxima (staging.h).
  auto stage = [&](const kiln::rt::TensorMeta &meta, const kiln_tensor &tensor, size_t slot,
                   bool toPadded) {
    kiln::rt::copyPadded(context->staging[slot], tensor.data, tensor.shape, meta.shape.data(),
                         meta.shape.size(), kiln_dtype_size(meta.dtype), toPadded);
  };
  for (size_t i = 0; i < num_inputs; ++i) {
    context->io[i] = context->staging[i] ? context->staging[i] : inputs[i].data;
    if (context->staging[i])
      stage(metadata.inputs[i], inputs[i], i, true);
  }
  for (size_t i = 0; i < num_outputs; ++i) {
    size_t slot = num_inputs + i;
    context->io[slot] = context->staging[slot] ? context->staging[slot] : outputs[i].data;
  }
  context->pool->resetProfiledStages();
  int32_t failedCheck =
      kiln_model_entry(context->io.data(), context->workspace, context->pool.get(),
                       metadata.symbols.empty() ? nullptr : context->symbolValues.data());
  for (size_t i = 0; i < num_outputs; ++i)
    if (context->staging[num_inputs + i])
      stage(metadata.outputs[i], outputs[i], num_inputs + i, false);
  context->running.store(false, std::memory_order_release);
  const std::vector<std::string> &checks = context->metadata->checks;
  if (failedCheck > 0 && size_t(failedCheck) <= checks.size())
    return makeStatusf(KILN_STATUS_INVALID_ARGUMENT, "%s", checks[failedCheck - 1].c_str());
  if (failedCheck != 0)
    return makeStatusf(KILN_STATUS_INTERNAL, "the model reported unknown check %d", failedCheck);
  return nullptr;
}

} // extern "C"
