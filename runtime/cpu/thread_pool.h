// A persistent fork-join thread pool, one per kiln_context. The calling thread takes part in
// every parallelFor, so a pool of N threads owns N-1 workers. No global state: pools of
// different contexts never wait on each other.
#ifndef KILN_RUNTIME_CPU_THREAD_POOL_H
#define KILN_RUNTIME_CPU_THREAD_POOL_H

#include "kiln/model_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sched.h>
#include <string>
#include <thread>
#include <vector>

namespace kiln::rt {

class ThreadPool {
public:
  // Upper bound on num_threads (and so on the chunks of a job).
  static constexpr int kMaxThreads = 1024;

  // A pool of `numThreads` threads in [1, kMaxThreads] including the caller; with `pinWorkers`
  // each worker runs on one CPU of the calling thread's mask, the one it runs on taken last.
  // Returns NULL and sets `error` when a worker thread cannot be started.
  static std::unique_ptr<ThreadPool> create(int numThreads, bool pinWorkers, std::string *error);

  // The CPUs this process may run on (its affinity mask), at least 1, at most kMaxThreads.
  static int availableCpus();

  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  int numThreads() const { return numThreads_; }

  // Stage numbering for KILN_PROFILE: reset at the start of each run of the owning context.
  void resetProfiledStages() { profiledStages_ = 0; }
  int nextProfiledStage() { return profiledStages_++; }

  // Runs task(args, begin, end) over contiguous chunks covering [0, n) exactly once and returns
  // when all are done. Runs inline when n <= 1, the pool has one thread, or it is called from
  // inside a task (nested). One caller at a time: the owning context guarantees it.
  void parallelFor(int64_t n, kiln_task_fn task, void *const *args);

private:
  explicit ThreadPool(int numThreads)
      : numThreads_(numThreads), chunkStamps_(new std::atomic<uint32_t>[numThreads]()) {}
  void workerLoop(int self);
  // Moves the calling thread off a pinned worker's CPU, if it is on one: there the worker would
  // starve (see workerCpus in the .cpp) and every job would run on one core.
  void leaveWorkerCpus();
  // Runs chunk `self` of job `generation` if still unclaimed, then claims and runs the others
  // left (those of threads slow to wake) until none are.
  void runChunks(uint32_t generation, int self);

  const int numThreads_;
  std::vector<std::thread> workers_;

  // The current job. The plain fields are written by the caller before it publishes a new
  // generation in `job_`, and read by a thread only after it has claimed a chunk of that
  // generation; the caller cannot start the next job while any claimed chunk is running.
  kiln_task_fn task_ = nullptr;
  void *const *args_ = nullptr;
  int64_t numIterations_ = 0;
  // The published job: generation (32 bits) | number of chunks (32).
  std::atomic<uint64_t> job_{0};
  // Per chunk: generation - 1 while unclaimed by job `generation` (set before it is
  // published), generation once claimed. A late worker holding an older generation expects an
  // older stamp, so it can never claim a chunk of a newer job.
  std::unique_ptr<std::atomic<uint32_t>[]> chunkStamps_;
  std::atomic<int64_t> chunksDone_{0};
  uint32_t generation_ = 0; // caller side only
  int profiledStages_ = 0;  // caller side only

  std::mutex mutex_;
  std::condition_variable workCv_; // a new generation, or stop
  std::condition_variable doneCv_; // the last chunk of a job finished
  std::atomic<bool> stop_{false};
  cpu_set_t workerCpus_; // the CPUs workers are pinned to; empty when they are not
  bool callerMayLeave_ = false; // pinned workers leave the caller a CPU of its own
};

} // namespace kiln::rt

#endif
