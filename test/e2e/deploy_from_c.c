/* Deploys a compiled model from plain C: two copies of the .so loaded side by side, each run
 * from several threads with one context per thread; every result must match the expected
 * output (raw float32 files written by deploy_from_c.sh from the example's .npy files). */
#include <kiln/runtime.h>

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef kiln_status (*create_fn)(const kiln_context_options *, kiln_context *);
typedef kiln_status (*run_fn)(kiln_context, const kiln_tensor *, size_t, kiln_tensor *, size_t);
typedef kiln_status (*info_fn)(int32_t, kiln_tensor_info *);
typedef void (*destroy_fn)(kiln_context);
typedef const char *(*message_fn)(kiln_status);

struct model {
  create_fn create;
  run_fn run;
  destroy_fn destroy;
  message_fn message;
  void (*free_status)(kiln_status);
  kiln_tensor_info in, out;
};

struct job {
  struct model *m;
  float *x, *y;
  size_t out_count;
  int failed;
};

static size_t count(const kiln_tensor_info *info) {
  size_t n = 1;
  for (int32_t i = 0; i < info->rank; ++i)
    n *= (size_t)info->shape[i];
  return n;
}

static void *worker(void *arg) {
  struct job *j = arg;
  kiln_context_options options;
  memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  options.num_threads = 2;
  kiln_context ctx;
  kiln_status st = j->m->create(&options, &ctx);
  if (st) {
    fprintf(stderr, "create: %s\n", j->m->message(st));
    j->failed = 1;
    return NULL;
  }
  kiln_tensor in = {j->m->in.dtype, j->m->in.rank, j->m->in.shape, j->x};
  kiln_tensor out = {j->m->out.dtype, j->m->out.rank, j->m->out.shape, j->y};
  for (int iter = 0; iter < 5 && !j->failed; ++iter) {
    st = j->m->run(ctx, &in, 1, &out, 1);
    if (st) {
      fprintf(stderr, "run: %s\n", j->m->message(st));
      j->failed = 1;
    }
  }
  j->m->destroy(ctx);
  return NULL;
}

static int load(const char *path, struct model *m) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return 1;
  }
  m->create = (create_fn)dlsym(h, "kiln_context_create");
  m->run = (run_fn)dlsym(h, "kiln_context_run");
  m->destroy = (destroy_fn)dlsym(h, "kiln_context_destroy");
  m->message = (message_fn)dlsym(h, "kiln_status_get_message");
  m->free_status = (void (*)(kiln_status))dlsym(h, "kiln_status_free");
  info_fn input_info = (info_fn)dlsym(h, "kiln_model_input_info");
  info_fn output_info = (info_fn)dlsym(h, "kiln_model_output_info");
  if (!m->create || !m->run || !m->destroy || !m->message || !m->free_status || !input_info ||
      !output_info)
    return 1;
  return input_info(0, &m->in) != NULL || output_info(0, &m->out) != NULL;
}

/* Reads exactly `count` float32 values from a raw file. */
static float *read_floats(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  float *data = malloc(count * sizeof *data);
  size_t got = f ? fread(data, sizeof *data, count, f) : 0;
  if (f)
    fclose(f);
  if (got != count) {
    fprintf(stderr, "%s: expected %zu float32 values\n", path, count);
    exit(1);
  }
  return data;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s COPY1.so COPY2.so INPUT.f32 EXPECTED.f32\n", argv[0]);
    return 2;
  }
  enum { kThreads = 4 };
  struct model models[2];
  for (int i = 0; i < 2; ++i)
    if (load(argv[1 + i], &models[i]))
      return 1;
  size_t in_count = count(&models[0].in), out_count = count(&models[0].out);
  float *x = read_floats(argv[3], in_count);
  float *expected = read_floats(argv[4], out_count);
  float scale = 0;
  for (size_t i = 0; i < out_count; ++i)
    scale = fmaxf(scale, fabsf(expected[i]));
  struct job jobs[2 * kThreads];
  pthread_t threads[2 * kThreads];
  for (int t = 0; t < 2 * kThreads; ++t) {
    jobs[t] = (struct job){&models[t % 2], x, calloc(out_count, sizeof(float)), out_count, 0};
    pthread_create(&threads[t], NULL, worker, &jobs[t]);
  }
  int failed = 0;
  for (int t = 0; t < 2 * kThreads; ++t) {
    pthread_join(threads[t], NULL);
    failed |= jobs[t].failed;
    for (size_t i = 0; i < out_count; ++i)
      if (!(fabsf(jobs[t].y[i] - expected[i]) <= 1e-4f * scale)) {
        fprintf(stderr, "thread %d: output[%zu] = %g, expected %g\n", t, i, jobs[t].y[i], expected[i]);
        failed = 1;
        break;
      }
  }
  /* A wrong shape is refused with a status, not a crash. */
  int64_t bad_shape[8] = {0};
  kiln_tensor in = {models[0].in.dtype, models[0].in.rank, bad_shape, x};
  kiln_tensor out = {models[0].out.dtype, models[0].out.rank, models[0].out.shape, jobs[0].y};
  kiln_context ctx;
  kiln_status st = models[0].create(NULL, &ctx);
  if (st) {
    fprintf(stderr, "create: %s\n", models[0].message(st));
    return 1;
  }
  st = models[0].run(ctx, &in, 1, &out, 1);
  if (!st) {
    fprintf(stderr, "a wrong input shape was accepted\n");
    failed = 1;
  } else {
    printf("wrong shape rejected: %s\n", models[0].message(st));
    models[0].free_status(st);
  }
  models[0].destroy(ctx);
  printf("%s\n", failed ? "FAILED" : "ok: 2 copies x 4 threads match the expected output");
  return failed;
}
