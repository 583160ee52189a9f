// Checks the tensors a caller passes to kiln_context_run against the model's metadata.
#ifndef KILN_RUNTIME_CPU_VALIDATE_H
#define KILN_RUNTIME_CPU_VALIDATE_H

#include "kiln/runtime.h"
#include "runtime/cpu/metadata.h"

#include <vector>

namespace kiln::rt {

// NULL when `given[0..count)` match `expected` in count, dtype, rank, shape and non-NULL data;
// otherwise an INVALID_ARGUMENT status naming the first mismatch. `kind` is "input" or "output".
// `symbolValues` (NULL for a model without symbols) gives the symbolic dims their sizes.
kiln_status validateTensors(const char *kind, const std::vector<TensorMeta> &expected,
                            const kiln_tensor *given, size_t count, const int64_t *symbolValues);

// The value of each symbol of the model for these inputs. An input size outside a symbol's
// range, or two inputs that disagree on a symbol, is an INVALID_ARGUMENT status naming both.
kiln_status bindSymbols(const Metadata &metadata, const kiln_tensor *inputs, size_t count,
                        std::vector<int64_t> &values);

// The shape of `tensor` at the symbol values (its fixed shape when `symbolValues` is NULL).
std::vector<int64_t> expectedShape(const TensorMeta &tensor, const int64_t *symbolValues);

} // namespace kiln::rt

#endif
