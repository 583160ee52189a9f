// The thread pool: every index exactly once in contiguous balanced chunks, for many sizes and
// thread counts; repeated, idle-then-woken, nested use, and pools used from two threads.
#include "runtime/cpu/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <thread>
#include <utility>
#include <vector>

namespace kiln::rt {
namespace {

std::unique_ptr<ThreadPool> makePool(int threads, bool pinWorkers = false) {
  std::string error;
  auto pool = ThreadPool::create(threads, pinWorkers, &error);
  EXPECT_TRUE(pool) << error;
  return pool;
}

struct Coverage {
  std::vector<std::atomic<int>> hits;
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  explicit Coverage(int64_t n) : hits(n) {}
};

void recordTask(void *const *args, int64_t begin, int64_t end) {
  auto *coverage = static_cast<Coverage *>(args[0]);
  for (int64_t i = begin; i < end; ++i)
    coverage->hits[i].fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(coverage->mutex);
  coverage->chunks.emplace_back(begin, end);
}

TEST(ThreadPool, CoversEveryIndexOnceInBalancedContiguousChunks) {
  for (int threads : {1, 2, 3, 4, 8, 16}) {
    auto pool = makePool(threads);
    ASSERT_TRUE(pool);
    EXPECT_EQ(pool->numThreads(), threads);
    for (int64_t n : {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 64, 1000, 100003}) {
      Coverage coverage(n);
      void *args[] = {&coverage};
      pool->parallelFor(n, recordTask, args);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(coverage.hits[i].load(), 1) << "index " << i << " n=" << n << " t=" << threads;
      auto &chunks = coverage.chunks;
      std::sort(chunks.begin(), chunks.end());
      EXPECT_EQ(int64_t(chunks.size()), std::min<int64_t>(n, threads)) << "n=" << n;
      for (size_t c = 0; c < chunks.size(); ++c) {
        EXPECT_LT(chunks[c].first, chunks[c].second);
        if (c > 0)
          EXPECT_EQ(chunks[c - 1].second, chunks[c].first);
        // Balanced: sizes differ by at most one.
        EXPECT_LE(chunks[c].second - chunks[c].first, n / int64_t(chunks.size()) + 1);
        EXPECT_GE(chunks[c].second - chunks[c].first, n / int64_t(chunks.size()));
      }
    }
  }
}

void sumTask(void *const *args, int64_t begin, int64_t end) {
  auto *total = static_cast<std::atomic<int64_t> *>(args[0]);
  int64_t local = 0;
  for (int64_t i = begin; i < end; ++i)
    local += i;
  total->fetch_add(local);
}

int64_t runSums(ThreadPool &pool, int jobs, int64_t n) {
  int64_t wrong = 0;
  for (int job = 0; job < jobs; ++job) {
    std::atomic<int64_t> total{0};
    void *args[] = {&total};
    pool.parallelFor(n, sumTask, args);
    wrong += total.load() != n * (n - 1) / 2;
  }
  return wrong;
}

TEST(ThreadPool, ManyBackToBackJobs) {
  // Tiny jobs in a tight loop exercise the hand-over between generations.
  auto pool = makePool(4);
  EXPECT_EQ(runSums(*pool, 20000, 8), 0);
  EXPECT_EQ(runSums(*pool, 2000, 3), 0);
}

TEST(ThreadPool, WorkersWakeAfterSleeping) {
  auto pool = makePool(3);
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5)); // past the spin: workers sleep
    EXPECT_EQ(runSums(*pool, 1, 1000), 0);
  }
}

// Which thread ran each chunk of a 2-thread job, after a short busy loop.
struct ChunkOwners {
  std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> onCaller[2];
};

void ownerTask(void *const *args, int64_t begin, int64_t) {
  auto *owners = static_cast<ChunkOwners *>(args[0]);
  auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
  while (std::chrono::steady_clock::now() < until) {
  }
  owners->onCaller[begin].store(std::this_thread::get_id() == owners->caller);
}

// Thread t runs chunk t: the rows a thread wrote in one kernel are the ones it reads in the
// next, from its own core's cache. The caller claims chunk 0 first, the worker chunk 1; either
// takes the other's chunk only once its own is claimed, so the two never swap. First come,
// first served, a spinning worker took chunk 0 (and the caller chunk 1) in a fifth to two
// fifths of the jobs.
TEST(ThreadPool, ThreadsNeverSwapChunks) {
  auto pool = makePool(2);
  int swapped = 0;
  for (int job = 0; job < 200; ++job) {
    ChunkOwners owners;
    void *args[] = {&owners};
    pool->parallelFor(2, ownerTask, args);
    swapped += !owners.onCaller[0] && owners.onCaller[1];
  }
  EXPECT_EQ(swapped, 0);
}

void nestedTask(void *const *args, int64_t begin, int64_t end) {
  auto *pool = static_cast<ThreadPool *>(args[0]);
  auto *total = static_cast<std::atomic<int64_t> *>(args[1]);
  for (int64_t i = begin; i < end; ++i) {
    void *inner[] = {total};
    pool->parallelFor(10, sumTask, inner); // runs inline on this thread
  }
}

TEST(ThreadPool, NestedCallsRunInline) {
  auto pool = makePool(4);
  std::atomic<int64_t> total{0};
  void *args[] = {pool.get(), &total};
  pool->parallelFor(16, nestedTask, args);
  EXPECT_EQ(total.load(), 16 * 45);
}

TEST(ThreadPool, PoolsInDifferentThreadsRunConcurrently) {
  std::vector<std::thread> callers;
  std::atomic<int64_t> wrong{0};
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&, t] {
      auto pool = makePool(2 + t);
      wrong += runSums(*pool, 3000, 100 + t);
    });
  for (auto &caller : callers)
    caller.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ThreadPool, ParallelForEntryPoint) {
  auto pool = makePool(4);
  for (void *rt : {static_cast<void *>(pool.get()), static_cast<void *>(nullptr)}) {
    Coverage coverage(100);
    void *args[] = {&coverage};
    kiln_rt_parallel_for(rt, recordTask, args, 100);
    EXPECT_EQ(coverage.chunks.size(), rt ? 4u : 1u);
    kiln_rt_parallel_for(rt, recordTask, args, 0);
    kiln_rt_parallel_for(rt, recordTask, args, -5);
    EXPECT_EQ(coverage.chunks.size(), rt ? 4u : 1u);
  }
}

// Per chunk: the CPUs its thread may run on, the one it ran on, and whether it was the caller.
struct ChunkCpus {
  std::thread::id caller = std::this_thread::get_id();
  std::mutex mutex;
  struct Seen {
    bool onCaller;
    int64_t begin;
    int cpu;
    cpu_set_t mask;
  };
  std::vector<Seen> seen;
};

void cpusTask(void *const *args, int64_t begin, int64_t) {
  auto *record = static_cast<ChunkCpus *>(args[0]);
  ChunkCpus::Seen seen{std::this_thread::get_id() == record->caller, begin, sched_getcpu(), {}};
  pthread_getaffinity_np(pthread_self(), sizeof(seen.mask), &seen.mask);
  std::this_thread::sleep_for(std::chrono::milliseconds(2)); // let the worker claim its chunk
  std::lock_guard<std::mutex> lock(record->mutex);
  record->seen.push_back(seen);
}

void moveCallerTo(int cpu, const cpu_set_t &restored) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
  ASSERT_EQ(sched_setaffinity(0, sizeof(restored), &restored), 0);
}

// With a single CPU allowed, a pinned worker shares it with the caller, and the caller, having
// nowhere to go, is never moved: its mask stays as it was.
void expectOneCpuPoolSharesIt() {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  ASSERT_EQ(CPU_COUNT(&allowed), 1);
  auto pool = makePool(2, /*pinWorkers=*/true);
  ChunkCpus record;
  void *args[] = {&record};
  for (int job = 0; job < 5; ++job)
    pool->parallelFor(2, cpusTask, args);
  for (const ChunkCpus::Seen &seen : record.seen)
    EXPECT_TRUE(CPU_EQUAL(&seen.mask, &allowed)) << (seen.onCaller ? "caller" : "worker");
}

// Run from a thread limited to one CPU, so that the case is checked on any machine.
TEST(ThreadPool, PinnedWorkerOnOneCpuLeavesTheCallerAlone) {
  cpu_set_t allowed, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) {
      CPU_SET(cpu, &one);
      break;
    }
  std::thread caller([&] {
    ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
    expectOneCpuPoolSharesIt();
  });
  caller.join();
}

// Pinned, the worker runs on one CPU alone, and a caller found on that CPU moves off it (there
// it would starve the worker) with its own mask intact; unpinned, nobody's mask changes.
TEST(ThreadPool, PinnedWorkersKeepOffTheCallersCpu) {
  cpu_set_t allowed;
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  if (CPU_COUNT(&allowed) == 1) // no CPU to move to: the contract is the one-CPU one
    return expectOneCpuPoolSharesIt();
  for (bool pin : {false, true}) {
    auto pool = makePool(2, pin);
    ChunkCpus record;
    void *args[] = {&record};
    // A loaded machine may run the caller's chunk and then the worker's before the worker wakes.
    auto workerRan = [&] {
      return std::any_of(record.seen.begin(), record.seen.end(),
                         [](const ChunkCpus::Seen &seen) { return !seen.onCaller; });
    };
    for (int job = 0; job < 50 && !workerRan(); ++job)
      pool->parallelFor(2, cpusTask, args);
    int workerCpu = -1;
    for (const ChunkCpus::Seen &seen : record.seen)
      if (!seen.onCaller && pin) {
        ASSERT_EQ(CPU_COUNT(&seen.mask), 1);
        workerCpu = seen.cpu;
      } else {
        EXPECT_TRUE(CPU_EQUAL(&seen.mask, &allowed)) << (seen.onCaller ? "caller" : "worker");
      }
    if (!pin)
      continue;
    ASSERT_GE(workerCpu, 0) << "the worker never ran a chunk";
    record.seen.clear();
    for (int job = 0; job < 10; ++job) {
      moveCallerTo(workerCpu, allowed);
      pool->parallelFor(2, cpusTask, args);
    }
    // The OS may move the caller back while it waits for a CPU (other tests running beside
    // this one); without the move it stays on the worker's CPU in every job.
    int callerOnWorkerCpu = 0;
    for (const ChunkCpus::Seen &seen : record.seen) {
      if (!seen.onCaller) {
        EXPECT_EQ(seen.cpu, workerCpu);
        continue;
      }
      // Chunk 0 runs right after the move; a worker slow to wake leaves the caller chunk 1
      // too, after a sleep from which the OS may wake it anywhere.
      callerOnWorkerCpu += seen.begin == 0 && seen.cpu == workerCpu;
      EXPECT_TRUE(CPU_EQUAL(&seen.mask, &allowed)) << "the caller's mask was not restored";
    }
    EXPECT_LE(callerOnWorkerCpu, 3) << "the caller stayed on the worker's CPU " << workerCpu;
  }
}

TEST(ThreadPool, AvailableCpus) {
  EXPECT_GE(ThreadPool::availableCpus(), 1);
  EXPECT_LE(ThreadPool::availableCpus(), ThreadPool::kMaxThreads);
}

} // namespace
} // namespace kiln::rt
