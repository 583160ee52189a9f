// A hand-written stand-in for the code kilnc generates: metadata text plus an entry point that
// runs two "kernels" through kiln_rt_parallel_for and stages data in the workspace.
#include "test/unit/runtime/fake_model.h"

#include "kiln/model_abi.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <pthread.h>
#include <sched.h>
#include <thread>

namespace kiln::test {
std::atomic<int64_t> fakeModelTaskCalls{0};
std::atomic<bool> fakeModelBadWorkspace{false};
std::atomic<bool> fakeModelHold{false}, fakeModelEntered{false};
std::atomic<int64_t> fakeModelPinnedTaskCalls{0};
} // namespace kiln::test

namespace {
int cpusAllowed() {
  cpu_set_t set;
  return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
}
const int kProcessCpus = cpusAllowed(); // read at load, before any test narrows a thread

void recordPlacement() {
  cpu_set_t set;
  if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0 &&
      CPU_COUNT(&set) < kProcessCpus)
    kiln::test::fakeModelPinnedTaskCalls.fetch_add(1);
}
} // namespace

// 16000 bytes of workspace hold the 4x1000 float sum before it is copied out.
extern "C" const char kiln_model_metadata[] = "kiln-model 1\n"
                                              "workspace 16000\n"
                                              "input x float32 2 4 1000\n"
                                              "input y%20in float32 2 4 1000\n"
                                              "output sum/0 float32 2 4 1000\n"
                                              "output row_max float64 1 4\n"
                                              "check x%5B0%5D%20must%20not%20be%20NaN\n";

namespace {

using kiln::test::kFakeCols;

// args: x, y, staging (workspace), sum. Iterations are elements.
void addTask(void *const *args, int64_t begin, int64_t end) {
  kiln::test::fakeModelTaskCalls.fetch_add(1);
  recordPlacement();
  const auto *x = static_cast<const float *>(args[0]);
  const auto *y = static_cast<const float *>(args[1]);
  auto *staging = static_cast<float *>(args[2]);
  auto *sum = static_cast<float *>(args[3]);
  for (int64_t i = begin; i < end; ++i)
    staging[i] = x[i] + y[i];
  std::memcpy(sum + begin, staging + begin, (end - begin) * sizeof(float));
}

// args: staging (workspace), rowMax. Iterations are rows.
void rowMaxTask(void *const *args, int64_t begin, int64_t end) {
  kiln::test::fakeModelTaskCalls.fetch_add(1);
  const auto *staging = static_cast<const float *>(args[0]);
  auto *rowMax = static_cast<double *>(args[1]);
  for (int64_t r = begin; r < end; ++r) {
    double best = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < kFakeCols; ++c)
      best = staging[r * kFakeCols + c] > best ? staging[r * kFakeCols + c] : best;
    rowMax[r] = best;
  }
}

} // namespace

extern "C" int32_t kiln_model_entry(void *const *io, void *workspace, void *rt, const int64_t *) {
  kiln::test::fakeModelEntered.store(true);
  while (kiln::test::fakeModelHold.load())
    std::this_thread::yield();
  if (!workspace || reinterpret_cast<uintptr_t>(workspace) % 64 != 0)
    kiln::test::fakeModelBadWorkspace.store(true);
  void *addArgs[] = {io[0], io[1], workspace, io[2]};
  kiln_rt_parallel_for(rt, addTask, addArgs, kiln::test::kFakeRows * kFakeCols);
  void *rowMaxArgs[] = {workspace, io[3]};
  kiln_rt_parallel_for(rt, rowMaxTask, rowMaxArgs, kiln::test::kFakeRows);
  float first = static_cast<const float *>(io[0])[0];
  return first != first ? 1 : 0; // the metadata's check 1: x[0] is NaN
}
