// The metadata of the model this runtime is linked into, parsed once on first use.
#ifndef KILN_RUNTIME_CPU_MODEL_INFO_H
#define KILN_RUNTIME_CPU_MODEL_INFO_H

#include "kiln/runtime.h"
#include "runtime/cpu/metadata.h"

namespace kiln::rt {

// The parsed `kiln_model_metadata`, or NULL when it is malformed; then `*out_status` (when not
// NULL) receives an INTERNAL status naming the problem. Thread-safe; parses only once.
const Metadata *modelMetadata(kiln_status *out_status);

} // namespace kiln::rt

#endif
