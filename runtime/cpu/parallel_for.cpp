// kiln_rt_parallel_for: the one runtime entry point generated kernels call.
#include "kiln/model_abi.h"
#include "runtime/cpu/thread_pool.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

// KILN_PROFILE=1 prints the wall time of every kernel stage, in call order, to stderr: the
// order matches the kernels of `kilnc --emit=loop` and their stages.
bool profilingEnabled() {
  static const bool enabled = [] {
    const char *v = std::getenv("KILN_PROFILE");
    return v && *v && *v != '0';
  }();
  return enabled;
}

void run(kiln::rt::ThreadPool *pool, kiln_task_fn task, void *const *args, int64_t n) {
  // Inline for the trivial cases, so a 1-thread context never touches the pool's atomics. A NULL
  // `rt` (a kernel run outside any context, e.g. by a measurement harness) also runs inline.
  if (n == 1 || !pool || pool->numThreads() == 1)
    task(args, 0, n);
  else
    pool->parallelFor(n, task, args);
}

} // namespace

extern "C" void kiln_rt_parallel_for(void *rt, kiln_task_fn task, void *const *args,
                                     int64_t num_iterations) {
  if (num_iterations <= 0)
    return;
  auto *pool = static_cast<kiln::rt::ThreadPool *>(rt);
  if (!profilingEnabled()) {
    run(pool, task, args, num_iterations);
    return;
  }
  auto start = std::chrono::steady_clock::now();
  run(pool, task, args, num_iterations);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "kiln-profile: stage %p iterations %lld %.3f ms\n",
               reinterpret_cast<void *>(task), static_cast<long long>(num_iterations), ms);
}
