// kiln_rt_parallel_for: the one runtime entry point generated kernels call.
#include "kiln/model_abi.h"
#include "runtime/cpu/thread_pool.h"

extern "C" void kiln_rt_parallel_for(void *rt, kiln_task_fn task, void *const *args,
                                     int64_t num_iterations) {
  if (num_iterations <= 0)
    return;
  auto *pool = static_cast<kiln::rt::ThreadPool *>(rt);
  // Inline for the trivial cases, so a 1-thread context never touches the pool's atomics. A NULL
  // `rt` (a kernel run outside any context, e.g. by a measurement harness) also runs inline.
  if (num_iterations == 1 || !pool || pool->numThreads() == 1) {
    task(args, 0, num_iterations);
    return;
  }
  pool->parallelFor(num_iterations, task, args);
}
