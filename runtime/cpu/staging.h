// Moving tensors between the caller's dense layout and the model's layout at the maxima.
//
// A model with symbolic dims lays out every tensor at the symbols' maxima: element
// (i0, ..., in) of a run with smaller sizes sits where it sits at the maxima. The context
// copies inputs into such buffers and outputs out of them.
#ifndef KILN_RUNTIME_CPU_STAGING_H
#define KILN_RUNTIME_CPU_STAGING_H

#include <cstddef>
#include <cstdint>

namespace kiln::rt {

// Copies a dense tensor of `shape` into (`toPadded`) or out of its box in `padded`, a buffer
// laid out at `maxShape` (each dim of `shape` at most the same dim of `maxShape`).
void copyPadded(void *padded, void *dense, const int64_t *shape, const int64_t *maxShape,
                size_t rank, size_t elementSize, bool toPadded);

} // namespace kiln::rt

#endif
