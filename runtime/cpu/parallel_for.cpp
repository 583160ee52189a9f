// kiln_rt_parallel_for: the one runtime entry point generated kernels call.
#include "kiln/model_abi.h"
#include "runtime/cpu/thread_pool.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>

namespace {

// KILN_PROFILE=1 prints the wall time of every kernel stage, in call order, to stderr: the
// order matches the kernels of `kilnc --emit=loop` and their stages. Each line also names the
// stage's task function as file+offset: its symbol in the .so's symbol table
// (`<kernel>_s<k>_task`, which `nm` lists) says which kernel ran, as bench/layer_profile.py reads.
bool profilingEnabled() {
  static const bool enabled = [] {
    const char *v = std::getenv("KILN_PROFILE");
    return v && *v && *v != '0';
  }();
  return enabled;
}

// A NULL `rt` (a kernel run outside any context, e.g. by a measurement harness) runs inline;
// the pool itself runs trivial cases (one iteration, one thread) inline.
void run(kiln::rt::ThreadPool *pool, kiln_task_fn task, void *const *args, int64_t n) {
  if (pool)
    pool->parallelFor(n, task, args);
  else
    task(args, 0, n);
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
  // The index counts stages from 0 in each run: stage k is the k-th top-level loop nest of
  // `kilnc --emit=loop`.
  Dl_info where{};
  bool located = dladdr(reinterpret_cast<void *>(task), &where) && where.dli_fname;
  std::fprintf(stderr, "kiln-profile: stage %d iterations %lld %.3f ms task %s+0x%llx\n",
               pool ? pool->nextProfiledStage() : -1, static_cast<long long>(num_iterations), ms,
               located ? where.dli_fname : "?",
               located ? static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(task) -
                                                         reinterpret_cast<uintptr_t>(where.dli_fbase))
                       : 0ull);
}
