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
#include <string>
#include <thread>
#include <vector>

namespace kiln::rt {

class ThreadPool {
public:
  // Upper bound on num_threads; also keeps the chunk count inside its 16-bit field.
  static constexpr int kMaxThreads = 1024;

  // A pool of `numThreads` threads in [1, kMaxThreads] including the caller. Returns NULL and
  // sets `error` when a worker thread cannot be started.
  static std::unique_ptr<ThreadPool> create(int numThreads, std::string *error);

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
  explicit ThreadPool(int numThreads) : numThreads_(numThreads) {}
  void workerLoop();
  // Claims and runs chunks of job `generation` until none are left.
  void runChunks(uint32_t generation);

  const int numThreads_;
  std::vector<std::thread> workers_;

  // The current job. The plain fields are written by the caller before it publishes a new
  // generation in `claim_`, and read by a thread only after it has claimed a chunk of that
  // generation; the caller cannot start the next job while any claimed chunk is running.
  kiln_task_fn task_ = nullptr;
  void *const *args_ = nullptr;
  int64_t numIterations_ = 0;
  // generation (32 bits) | number of chunks (16) | next unclaimed chunk (16). One word, so a
  // late worker's claim fails once the generation moves on, never touching a newer job.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int64_t> chunksDone_{0};
  uint32_t generation_ = 0; // caller side only
  int profiledStages_ = 0;  // caller side only

  std::mutex mutex_;
  std::condition_variable workCv_; // a new generation, or stop
  std::condition_variable doneCv_; // the last chunk of a job finished
  std::atomic<bool> stop_{false};
};

} // namespace kiln::rt

#endif
