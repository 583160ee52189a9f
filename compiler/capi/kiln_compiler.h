/* The C API of the Kiln compiler: what tools and the Python package call.
 *
 * Strings returned through `out_` parameters are owned by the caller and released with
 * kiln_compiler_free_string. Functions return 0 on success; on failure they return non-zero and
 * set *out_error to a message naming the offending file, node, op or shape. The compiler never
 * leaves a partial output file behind. Calls are independent and may run on different threads.
 */
#ifndef KILN_COMPILER_CAPI_H
#define KILN_COMPILER_CAPI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kiln_compile_options {
  uint32_t struct_size; /* sizeof(kiln_compile_options) */
  const char *target;   /* "cpu" (default when NULL) */
  int32_t opt_level;    /* 0..3 */
  const char *mcpu;     /* "native" (default when NULL) or an LLVM CPU name */
  const char *mtriple;  /* NULL for the host triple */
  int32_t num_input_shapes;
  const char *const *input_shapes; /* "NAME=1x3x224x224" entries, specialise symbolic dims */
  const char *tuning_db; /* NULL: default schedules; else kernels with a record in this tuning
                            database (JSON lines) use its fastest schedule */
  int32_t num_dim_ranges;
  const char *const *dim_ranges; /* "SYMBOL=MIN:MAX" entries: the sizes a symbolic dim takes at
                                    run time (default 1:128); MIN == MAX fixes it */
  const char *conv_layout; /* "nhwc" (default when NULL): convolutions run channels last at
                              -O1 and above; "nchw" keeps ONNX's layout */
  const char *conv_algorithm; /* "auto" (default when NULL): with a tuning database, each
                                 3x3 stride-1 convolution runs direct or by Winograd, whichever
                                 its records found fastest; "direct"; "winograd": every such
                                 convolution by Winograd (channels last only) */
} kiln_compile_options;

void kiln_compile_options_init(kiln_compile_options *options);

/* Compiles the ONNX model at `model_path` into a shared object at `output_path`. */
int kiln_compile_file(const char *model_path, const kiln_compile_options *options,
                      const char *output_path, char **out_error);

/* Compiles the model into a relocatable object file (any --mtriple, no linking). */
int kiln_compile_object(const char *model_path, const kiln_compile_options *options,
                        const char *output_path, char **out_error);

/* Compiles to an intermediate form: emit is "graph", "loop", "llvm" or "asm". */
int kiln_compile_emit(const char *model_path, const kiln_compile_options *options,
                      const char *emit, char **out_text, char **out_error);

/* Preflight: checks that the model would compile without generating code. Returns 0 when it
 * would; otherwise non-zero with *out_report listing every unsupported op and shape problem,
 * one per line. */
int kiln_compile_check(const char *model_path, const kiln_compile_options *options,
                       char **out_report);

typedef struct kiln_tune_options {
  uint32_t struct_size;    /* sizeof(kiln_tune_options) */
  int64_t trials;          /* search trials in the database for the model's tasks, in all
                              (records from earlier runs count: a rerun resumes) */
  int64_t trials_per_task; /* 0: no cap */
  int32_t threads;         /* threads candidates are timed with; 0: every core */
  int32_t progress;        /* non-zero: live progress display on stderr */
  uint64_t seed;
  const char *work_dir;    /* scratch folder; NULL: a temporary one */
} kiln_tune_options;

void kiln_tune_options_init(kiln_tune_options *options);

#define KILN_TUNE_INTERRUPTED 2

/* Tunes every task of the model, appending each measured candidate to options->tuning_db
 * (created when missing) as soon as it is measured. Returns 0 when done, KILN_TUNE_INTERRUPTED
 * when SIGINT/SIGTERM stopped it (every record so far is kept), 1 on failure. *out_report
 * receives the final per-task table in both of the first two cases. Compile with the same
 * tuning_db afterwards to use the records. */
int kiln_tune(const char *model_path, const kiln_compile_options *options,
              const kiln_tune_options *tune_options, char **out_report, char **out_error);

/* Draws the tuning curves of a database: an HTML page with one chart per task and the
 * end-to-end estimate, or only the end-to-end chart when output_path ends in ".svg". */
int kiln_tune_report(const char *tuning_db, const char *output_path, char **out_error);

void kiln_compiler_free_string(char *str);

#ifdef __cplusplus
}
#endif
#endif /* KILN_COMPILER_CAPI_H */
