// Fork-join pool: workers spin briefly after a job (kernels come back to back), then sleep on a
// condition variable. Chunks are claimed with one CAS each, so the caller picks up the chunks of
// workers that are slow to wake instead of waiting for them.
#include "runtime/cpu/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <pthread.h>
#include <sched.h>
#include <system_error>

namespace kiln::rt {
namespace {

// Nested parallelFor calls (from inside a task) run inline rather than deadlock.
thread_local const ThreadPool *tlsActivePool = nullptr;

// How long an idle thread polls before sleeping: long enough to catch the next kernel of the
// same run, short enough not to burn a core between runs.
constexpr auto kSpinTime = std::chrono::microseconds(50);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `done` for up to kSpinTime; true as soon as it holds.
template <typename Pred> bool spinUntil(Pred done) {
  auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done())
        return true;
      cpuRelax();
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return done();
  }
}

constexpr uint64_t pack(uint32_t generation, uint32_t chunks, uint32_t next) {
  return (uint64_t(generation) << 32) | (uint64_t(chunks) << 16) | next;
}
constexpr uint32_t generationOf(uint64_t word) { return uint32_t(word >> 32); }
constexpr uint32_t chunksOf(uint64_t word) { return uint32_t(word >> 16) & 0xffff; }
constexpr uint32_t nextOf(uint64_t word) { return uint32_t(word) & 0xffff; }

} // namespace

int ThreadPool::availableCpus() {
  cpu_set_t set;
  int count = 0;
  if (sched_getaffinity(0, sizeof(set), &set) == 0)
    count = CPU_COUNT(&set);
  if (count <= 0)
    count = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(count, 1, kMaxThreads);
}

std::unique_ptr<ThreadPool> ThreadPool::create(int numThreads, std::string *error) {
  std::unique_ptr<ThreadPool> pool(new ThreadPool(numThreads));
  try {
    for (int i = 1; i < numThreads; ++i) {
      pool->workers_.emplace_back([p = pool.get()] { p->workerLoop(); });
      pthread_setname_np(pool->workers_.back().native_handle(), "kiln-worker");
    }
  } catch (const std::system_error &e) {
    // The destructor stops and joins the workers already started.
    *error = "cannot start worker thread " + std::to_string(pool->workers_.size() + 1) + " of " +
             std::to_string(numThreads) + ": " + e.what();
    return nullptr;
  }
  return pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true, std::memory_order_relaxed);
  }
  workCv_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

void ThreadPool::parallelFor(int64_t n, kiln_task_fn task, void *const *args) {
  if (n <= 0)
    return;
  // One caller at a time: the pool belongs to one context, and kiln_context_run refuses a
  // second concurrent run on it.
  if (n == 1 || numThreads_ == 1 || tlsActivePool) {
    task(args, 0, n);
    return;
  }
  auto chunks = static_cast<uint32_t>(std::min<int64_t>(numThreads_, n));
  task_ = task;
  args_ = args;
  numIterations_ = n;
  chunksDone_.store(0, std::memory_order_relaxed);
  uint32_t generation = ++generation_;
  {
    // Published under the mutex so a worker checking its wait predicate cannot miss it.
    std::lock_guard<std::mutex> lock(mutex_);
    claim_.store(pack(generation, chunks, 0), std::memory_order_release);
  }
  workCv_.notify_all();

  runChunks(generation);

  auto allDone = [&] { return chunksDone_.load(std::memory_order_acquire) == chunks; };
  if (!spinUntil(allDone)) {
    std::unique_lock<std::mutex> lock(mutex_);
    doneCv_.wait(lock, allDone);
  }
}

void ThreadPool::runChunks(uint32_t generation) {
  tlsActivePool = this;
  uint64_t word = claim_.load(std::memory_order_acquire);
  for (;;) {
    if (generationOf(word) != generation || nextOf(word) >= chunksOf(word))
      break;
    if (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire))
      continue; // `word` now holds the current value
    // Chunk `c` of `chunks`: sizes differ by at most one, larger chunks first.
    int64_t chunks = chunksOf(word), c = nextOf(word);
    int64_t base = numIterations_ / chunks, extra = numIterations_ % chunks;
    int64_t begin = c * base + std::min(c, extra);
    int64_t end = begin + base + (c < extra ? 1 : 0);
    task_(args_, begin, end);
    if (chunksDone_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      doneCv_.notify_one();
    }
    word = claim_.load(std::memory_order_acquire);
  }
  tlsActivePool = nullptr;
}

void ThreadPool::workerLoop() {
  uint32_t seen = 0;
  auto hasWork = [&] {
    return stop_.load(std::memory_order_relaxed) ||
           generationOf(claim_.load(std::memory_order_acquire)) != seen;
  };
  for (;;) {
    if (!spinUntil(hasWork)) {
      std::unique_lock<std::mutex> lock(mutex_);
      workCv_.wait(lock, hasWork);
    }
    if (stop_.load(std::memory_order_relaxed))
      return;
    seen = generationOf(claim_.load(std::memory_order_acquire));
    runChunks(seen);
  }
}

} // namespace kiln::rt
