// Checks the tensors a caller passes to kiln_context_run against the model's metadata.
#ifndef KILN_RUNTIME_CPU_VALIDATE_H
#define KILN_RUNTIME_CPU_VALIDATE_H

#include "kiln/runtime.h"
#include "runtime/cpu/metadata.h"

#include <vector>

namespace kiln::rt {

// NULL when `given[0..count)` match `expected` in count, dtype, rank, shape and non-NULL data;
// otherwise an INVALID_ARGUMENT status naming the first mismatch. `kind` is "input" or "output".
kiln_status validateTensors(const char *kind, const std::vector<TensorMeta> &expected,
                            const kiln_tensor *given, size_t count);

} // namespace kiln::rt

#endif
