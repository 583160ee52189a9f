// Fork-join pool: workers spin briefly after a job (kernels come back to back), then sleep on a
// condition variable. Thread t runs chunk t of every job, so a thread finds the rows it touched
// in the previous kernel in its own core's cache (handing chunks out first come, first served
// swapped them between the cores now and then: a 128x768 layer norm then took 14 us instead of
// 7). A thread done with its chunk claims those still unclaimed (one CAS each), so the caller
// picks up the chunks of workers slow to wake instead of waiting for them. Pinned (one thread
// per CPU, by default), workers keep off the CPU the caller was created on, and a caller found
// on a worker's CPU is moved off it: left to the OS, the two shared one CPU for milliseconds at
// a time, where a 128x768 layer norm took 16 us instead of 9.
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

constexpr uint64_t pack(uint32_t generation, uint32_t chunks) {
  return (uint64_t(generation) << 32) | chunks;
}
constexpr uint32_t generationOf(uint64_t word) { return uint32_t(word >> 32); }
constexpr uint32_t chunksOf(uint64_t word) { return uint32_t(word); }

// The CPUs for the workers: those of the process's affinity mask in increasing order, the one
// the caller runs on moved last. A worker on the caller's CPU starves: the caller never blocks
// in parallelFor (it runs the chunks still unclaimed itself), so the worker waits for a
// scheduler tick or a migration, milliseconds in which every job runs on one core. Empty if
// the mask cannot be read.
std::vector<int> workerCpus() {
  cpu_set_t set;
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return cpus;
  int callerCpu = sched_getcpu();
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set) && cpu != callerCpu)
      cpus.push_back(cpu);
  if (callerCpu >= 0 && callerCpu < CPU_SETSIZE && CPU_ISSET(callerCpu, &set))
    cpus.push_back(callerCpu);
  return cpus;
}

bool pinToCpu(pthread_t thread, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(thread, sizeof(set), &set) == 0;
}

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

std::unique_ptr<ThreadPool> ThreadPool::create(int numThreads, bool pinWorkers,
                                               std::string *error) {
  std::unique_ptr<ThreadPool> pool(new ThreadPool(numThreads));
  std::vector<int> cpus = pinWorkers ? workerCpus() : std::vector<int>();
  CPU_ZERO(&pool->workerCpus_);
  try {
    for (int i = 1; i < numThreads; ++i) {
      pool->workers_.emplace_back([p = pool.get(), i] { p->workerLoop(i); });
      pthread_t handle = pool->workers_.back().native_handle();
      pthread_setname_np(handle, "kiln-worker");
      // A placement hint: where the OS refuses it, the worker runs unpinned (and the caller
      // is not kept off its CPU).
      int cpu = cpus.empty() ? -1 : cpus[(i - 1) % cpus.size()];
      if (cpu >= 0 && pinToCpu(handle, cpu))
        CPU_SET(cpu, &pool->workerCpus_);
    }
    // With a CPU the workers do not take, a caller found on a worker's CPU can move.
    cpu_set_t own;
    pool->callerMayLeave_ = CPU_COUNT(&pool->workerCpus_) > 0 &&
                            sched_getaffinity(0, sizeof(own), &own) == 0 &&
                            CPU_COUNT(&own) > CPU_COUNT(&pool->workerCpus_);
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
  if (callerMayLeave_)
    leaveWorkerCpus();
  auto chunks = static_cast<uint32_t>(std::min<int64_t>(numThreads_, n));
  task_ = task;
  args_ = args;
  numIterations_ = n;
  chunksDone_.store(0, std::memory_order_relaxed);
  uint32_t generation = ++generation_;
  // Each chunk is claimable by this generation alone (see chunkStamps_).
  for (uint32_t c = 0; c < chunks; ++c)
    chunkStamps_[c].store(generation - 1, std::memory_order_relaxed);
  {
    // Published under the mutex so a worker checking its wait predicate cannot miss it.
    std::lock_guard<std::mutex> lock(mutex_);
    job_.store(pack(generation, chunks), std::memory_order_release);
  }
  workCv_.notify_all();

  runChunks(generation, 0);

  auto allDone = [&] { return chunksDone_.load(std::memory_order_acquire) == chunks; };
  if (!spinUntil(allDone)) {
    std::unique_lock<std::mutex> lock(mutex_);
    doneCv_.wait(lock, allDone);
  }
}

void ThreadPool::leaveWorkerCpus() {
  int cpu = sched_getcpu();
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &workerCpus_))
    return;
  // The caller's own mask minus the workers' CPUs moves it off at once; the mask it had is
  // restored right after (the thread stays where it was moved).
  cpu_set_t own, elsewhere;
  if (sched_getaffinity(0, sizeof(own), &own) != 0)
    return;
  CPU_XOR(&elsewhere, &own, &workerCpus_);
  CPU_AND(&elsewhere, &elsewhere, &own);
  if (CPU_COUNT(&elsewhere) == 0 || sched_setaffinity(0, sizeof(elsewhere), &elsewhere) != 0)
    return;
  sched_setaffinity(0, sizeof(own), &own);
}

void ThreadPool::runChunks(uint32_t generation, int self) {
  tlsActivePool = this;
  uint64_t job = job_.load(std::memory_order_acquire);
  uint32_t chunks = chunksOf(job);
  for (uint32_t k = 0; generationOf(job) == generation && k < chunks; ++k) {
    // A thread without a chunk of its own (fewer chunks than threads) takes leftovers from
    // the last down, leaving each other thread its own.
    uint32_t c = uint32_t(self) < chunks ? (uint32_t(self) + k) % chunks : chunks - 1 - k;
    uint32_t unclaimed = generation - 1;
    if (chunkStamps_[c].load(std::memory_order_relaxed) != unclaimed ||
        !chunkStamps_[c].compare_exchange_strong(unclaimed, generation,
                                                 std::memory_order_acq_rel))
      continue;
    // Chunk `c` of `chunks`: sizes differ by at most one, larger chunks first.
    int64_t base = numIterations_ / chunks, extra = numIterations_ % chunks;
    int64_t begin = c * base + std::min<int64_t>(c, extra);
    int64_t end = begin + base + (c < extra ? 1 : 0);
    task_(args_, begin, end);
    if (chunksDone_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
      std::lock_guard<std::mutex> lock(mutex_);
      doneCv_.notify_one();
    }
  }
  tlsActivePool = nullptr;
}

void ThreadPool::workerLoop(int self) {
  uint32_t seen = 0;
  auto hasWork = [&] {
    return stop_.load(std::memory_order_relaxed) ||
           generationOf(job_.load(std::memory_order_acquire)) != seen;
  };
  for (;;) {
    if (!spinUntil(hasWork)) {
      std::unique_lock<std::mutex> lock(mutex_);
      workCv_.wait(lock, hasWork);
    }
    if (stop_.load(std::memory_order_relaxed))
      return;
    seen = generationOf(job_.load(std::memory_order_acquire));
    runChunks(seen, self);
  }
}

} // namespace kiln::rt
