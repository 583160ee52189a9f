/* The C API of a model compiled by Kiln: every model.so exports exactly these symbols.
 *
 * Ownership: objects returned through `out_` parameters belong to the caller and are released
 * with the matching *_destroy / *_free function. Strings returned by query functions point into
 * the model image and stay valid while the .so stays loaded.
 *
 * Thread safety: the model-level query functions are thread-safe. A kiln_context is not: use
 * one context per thread to run concurrently (each owns its workspace and thread pool).
 *
 * Errors: functions return a kiln_status; NULL means success. A non-NULL status carries a code
 * and a one-line message naming the offending thing; free it with kiln_status_free. Nothing in
 * this API aborts the host process on bad input.
 */
#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_API __attribute__((visibility("default")))
#define KILN_ABI_VERSION 2

typedef enum kiln_status_code {
  KILN_STATUS_OK = 0,
  KILN_STATUS_INVALID_ARGUMENT = 1, /* wrong input count, dtype, shape, NULL pointer */
  KILN_STATUS_OUT_OF_MEMORY = 2,
  KILN_STATUS_OUT_OF_RANGE = 3, /* an index past the number of inputs/outputs */
  KILN_STATUS_INTERNAL = 4,
} kiln_status_code;

typedef struct kiln_status_s *kiln_status;
/* A NULL status reads as KILN_STATUS_OK with message "ok"; kiln_status_free(NULL) does nothing. */
KILN_API kiln_status_code kiln_status_get_code(kiln_status status);
KILN_API const char *kiln_status_get_message(kiln_status status);
KILN_API void kiln_status_free(kiln_status status);

typedef enum kiln_dtype {
  KILN_DTYPE_F32 = 1,
  KILN_DTYPE_F16 = 2,
  KILN_DTYPE_BF16 = 3,
  KILN_DTYPE_F64 = 4,
  KILN_DTYPE_I8 = 5,
  KILN_DTYPE_U8 = 6,
  KILN_DTYPE_I32 = 7,
  KILN_DTYPE_I64 = 8,
  KILN_DTYPE_BOOL = 9,
  KILN_DTYPE_I16 = 10,
  KILN_DTYPE_U16 = 11,
  KILN_DTYPE_U32 = 12,
  KILN_DTYPE_U64 = 13,
} kiln_dtype;

/* Size in bytes of one element, 0 for an unknown dtype. */
KILN_API size_t kiln_dtype_size(kiln_dtype dtype);
/* Lower-case name ("float32", "int64", ...), "unknown" otherwise. */
KILN_API const char *kiln_dtype_name(kiln_dtype dtype);

/* Shape and type of a model input or output. `name` is the ONNX value name. A model compiled
 * with symbolic dims (batch, sequence length) runs at every size in each symbol's range: such a
 * dim reads -1 in `shape`, and `dim_names` gives its expression in the symbols. */
typedef struct kiln_tensor_info {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape;         /* `rank` entries; -1 for a symbolic dim */
  const char *const *dim_names; /* NULL when every dim is fixed; else `rank` entries, NULL for a
                                   fixed dim, the expression for a symbolic one ("seq",
                                   "2*seq+1") */
} kiln_tensor_info;

/* The model's description is parsed on first use. If it is malformed (a compiler bug), the
 * counts return -1 and kiln_model_input_info, kiln_model_output_info and kiln_context_create
 * return a KILN_STATUS_INTERNAL status saying what is wrong. */
KILN_API int32_t kiln_model_abi_version(void);
KILN_API int32_t kiln_model_num_inputs(void);
KILN_API int32_t kiln_model_num_outputs(void);
KILN_API kiln_status kiln_model_input_info(int32_t index, kiln_tensor_info *out_info);
KILN_API kiln_status kiln_model_output_info(int32_t index, kiln_tensor_info *out_info);

/* The model's symbolic dims: the ONNX dim_param (or "INPUT:DIM" for an unnamed one) and the
 * sizes [min, max] it may take at run time. Inputs bind them; outputs follow. */
KILN_API int32_t kiln_model_num_symbols(void);
KILN_API kiln_status kiln_model_symbol_info(int32_t index, const char **out_name,
                                            int64_t *out_min, int64_t *out_max);

/* Where a context's worker threads run. Pinned workers take the CPUs of the creating thread's
 * affinity mask other than the one it runs on (wrapping around when there are more workers
 * than CPUs). The calling thread is never pinned: it belongs to the application. But when a
 * run finds it on a pinned worker's CPU, where it would starve the worker, its mask is
 * narrowed to move it off and restored at once (it stays where it was moved). */
typedef enum kiln_thread_affinity {
  /* Pin when the context has one thread per CPU the caller may use (the default thread
   * count): workers left to the OS can share the caller's CPU for tens of milliseconds (the
   * scheduler wakes them where their waker runs), halving a short kernel's speed. */
  KILN_THREAD_AFFINITY_AUTO = 0,
  KILN_THREAD_AFFINITY_NONE = 1,   /* leave placement to the OS */
  KILN_THREAD_AFFINITY_SPREAD = 2, /* always pin */
} kiln_thread_affinity;

typedef struct kiln_context_options {
  uint32_t struct_size; /* sizeof(kiln_context_options), for forward compatibility */
  int32_t num_threads;  /* worker threads including the caller; <= 0 means all cores (the
                           process's CPU affinity); at most 1024 */
  int32_t thread_affinity; /* a kiln_thread_affinity; absent from older callers' structs: AUTO */
} kiln_context_options;

/* Fills the first `size` bytes of `options` (the caller's sizeof(kiln_context_options)) with
 * the defaults and sets struct_size to `size`: a binary built against an older, smaller
 * struct gets only the fields it has. Call it through the macro below. */
KILN_API void kiln_context_options_init_sized(kiln_context_options *options, size_t size);
/* The first version's entry point, for binaries built before the macro: fills the version-1
 * fields (struct_size and num_threads) alone. */
KILN_API void kiln_context_options_init(kiln_context_options *options);
/* Fills `options` with the defaults. */
#define kiln_context_options_init(options) \
  kiln_context_options_init_sized((options), sizeof(*(options)))

typedef struct kiln_context_s *kiln_context;
/* `options` may be NULL for the defaults. */
KILN_API kiln_status kiln_context_create(const kiln_context_options *options,
                                         kiln_context *out_context);
/* Joins the context's worker threads. NULL is ignored. */
KILN_API void kiln_context_destroy(kiln_context context);
/* 0 for a NULL context. */
KILN_API int32_t kiln_context_num_threads(kiln_context context);

/* A dense, row-major tensor the caller owns. `shape` may be NULL when `rank` is 0; `data` must
 * not be NULL, even for a tensor with no elements. */
typedef struct kiln_tensor {
  kiln_dtype dtype;
  int32_t rank;
  const int64_t *shape;
  void *data;
} kiln_tensor;

/* The shape output `index` has when the model runs on `inputs` (checked as kiln_context_run
 * checks them): `rank` entries are written to `out_shape`. Thread-safe. */
KILN_API kiln_status kiln_model_output_shape(const kiln_tensor *inputs, size_t num_inputs,
                                             int32_t index, int64_t *out_shape);

/* Runs the model. `inputs` and `outputs` follow the model's input/output order; outputs must be
 * allocated by the caller with the shapes the model reports (for symbolic dims, the shapes
 * kiln_model_output_shape gives for these inputs). Every input and output is validated
 * (count, dtype, rank, shape, non-NULL data) before any kernel runs; the first mismatch is
 * returned as KILN_STATUS_INVALID_ARGUMENT, e.g.
 * "input 'x': expected shape 1x3x224x224, got 1x3x224x225". Calling it on one context from two
 * threads at once is also reported as KILN_STATUS_INVALID_ARGUMENT rather than racing. */
KILN_API kiln_status kiln_context_run(kiln_context context, const kiln_tensor *inputs,
                                      size_t num_inputs, kiln_tensor *outputs,
                                      size_t num_outputs);

#ifdef __cplusplus
}
#endif
#endif /* KILN_RUNTIME_H */
