/* The contract between code Kiln generates and the runtime linked beside it in model.so.
 * Not a user API: these symbols are hidden by the .so's version script.
 *
 * The compiler emits, per model:
 *   - `kiln_model_metadata`: NUL-terminated text, one record per line:
 *       kiln-model 1
 *       workspace <bytes>            (scratch for intermediates, 64-byte aligned offsets)
 *       input <name> <dtype> <rank> <d0> ... <dN-1>
 *       output <name> <dtype> <rank> <d0> ...
 *     <name> is percent-encoded (bytes outside [A-Za-z0-9_.:/-] as %XX); <dtype> is a
 *     kiln_dtype_name() string such as float32. Inputs and outputs appear in model order.
 *   - `kiln_model_entry(io, workspace, rt)`: runs the whole model. `io` holds the input data
 *     pointers followed by the output data pointers; `workspace` is at least `workspace` bytes,
 *     64-byte aligned; `rt` is an opaque runtime handle passed back to kiln_rt_parallel_for.
 *
 * The runtime provides kiln_rt_parallel_for, which the generated code calls for every kernel.
 */
#ifndef KILN_MODEL_ABI_H
#define KILN_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A kernel's task body: runs iterations [begin, end) of its outermost parallel loop. */
typedef void (*kiln_task_fn)(void *const *args, int64_t begin, int64_t end);

/* Runs `task` over [0, num_iterations) on the context's thread pool and returns when all
 * iterations are done. Chunks are contiguous; the caller's thread takes part. */
void kiln_rt_parallel_for(void *rt, kiln_task_fn task, void *const *args,
                          int64_t num_iterations);

extern const char kiln_model_metadata[];
void kiln_model_entry(void *const *io, void *workspace, void *rt);

#ifdef __cplusplus
}
#endif
#endif /* KILN_MODEL_ABI_H */
