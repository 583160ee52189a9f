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
 *     The runtime parses this strictly and reports any deviation by line number: "kiln-model 1"
 *     must come first, "workspace" exactly once, other record kinds are rejected, dims are
 *     non-negative integers (rank 0 has none), input names are unique. Blank lines are ignored.
 *       check <message>       (zero or more: what run-time check k, counted from 1, verifies;
 *                              percent-encoded like names)
 *       symbol <name> <min> <max>    (zero or more, before the inputs: a symbolic dim of the
 *                                     model; a dim token "$S,A,B" is A * symbol S + B, and
 *                                     tensors are laid out at the symbols' maxima)
 *   - `kiln_model_entry(io, workspace, rt, symbols)`: runs the whole model and returns 0, or the number
 *     of the first "check" record that failed. `io` holds the input data
 *     pointers followed by the output data pointers, each laid out at the maxima; `symbols` the
 *     run's value of each symbol (NULL without symbols); `workspace` is at least `workspace` bytes,
 *     64-byte aligned; `rt` is an opaque runtime handle passed back to kiln_rt_parallel_for.
 *
 * The runtime provides kiln_rt_parallel_for, which the generated code calls for every kernel.
 *
 * Linking a model.so: the generated object, then the whole runtime archive
 * (-Wl,--whole-archive libkiln_runtime.a -Wl,--no-whole-archive: nothing in the generated code
 * references the public API, so a plain archive link would drop it), with
 * -Wl,--version-script=runtime/exports.map so that only the C API of runtime.h is exported.
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
 * iterations are done. Chunks are contiguous; the caller's thread takes part. There are
 * min(num_threads, num_iterations) chunks whose sizes differ by at most one, so a task is called
 * at most once per thread per kernel. Runs `task(args, 0, num_iterations)` inline when
 * num_iterations is 1, the pool has one thread, `rt` is NULL, or when called from inside a task
 * (nested parallelism is not split further). Does nothing when num_iterations <= 0. */
void kiln_rt_parallel_for(void *rt, kiln_task_fn task, void *const *args,
                          int64_t num_iterations);

extern const char kiln_model_metadata[];
/* Runs the model. Returns 0, or k > 0 when the model's run-time check k failed: the k-th
 * "check" record of the metadata says what the inputs got wrong (e.g. a shape-determining
 * input whose values disagree with the shapes the model was compiled for). */
int32_t kiln_model_entry(void *const *io, void *workspace, void *rt, const int64_t *symbols);

#ifdef __cplusplus
}
#endif
#endif /* KILN_MODEL_ABI_H */
