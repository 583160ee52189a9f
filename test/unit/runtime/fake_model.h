// What the hand-written fake model computes and records, for the tests that link it statically.
#ifndef KILN_TEST_UNIT_RUNTIME_FAKE_MODEL_H
#define KILN_TEST_UNIT_RUNTIME_FAKE_MODEL_H

#include <atomic>
#include <cstdint>

namespace kiln::test {

// Inputs 'x' and 'y in' are float32 4x1000; outputs 'sum/0' = x + y (float32 4x1000) and
// 'row_max' = max over each row of the sum (float64 4).
constexpr int64_t kFakeRows = 4, kFakeCols = 1000;

// Task bodies run so far (one per chunk), and whether any run saw a misaligned workspace.
extern std::atomic<int64_t> fakeModelTaskCalls;
extern std::atomic<bool> fakeModelBadWorkspace;

// Task bodies run on a thread whose CPU mask is narrower than the process's was at load: on a
// pinned worker.
extern std::atomic<int64_t> fakeModelPinnedTaskCalls;

// While `fakeModelHold` is set, a run waits inside the model after setting `fakeModelEntered`:
// lets a test call into a context that is busy.
extern std::atomic<bool> fakeModelHold, fakeModelEntered;

} // namespace kiln::test

#endif
