// The public C API against the fake model linked in statically: queries, options, validation
// messages (and that no kernel runs on bad input), results with 1 and 4 threads.
#include "kiln/runtime.h"
#include "test/unit/runtime/fake_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <cstring>
#include <thread>
#include <vector>

// Out-of-range dtypes come from C (c_callers.c): in C++ merely forming such an enum value is
// undefined behaviour, in C it is an ordinary int.
extern "C" {
size_t kilnTestDtypeSize(int dtype);
const char *kilnTestDtypeName(int dtype);
void kilnTestSetDtype(kiln_tensor *tensor, int dtype);
}

namespace kiln::test {
namespace {

// Takes ownership of a status; "" for success.
std::string message(kiln_status status) {
  std::string text = status ? kiln_status_get_message(status) : "";
  kiln_status_free(status);
  return text;
}

kiln_context makeContext(int threads) {
  kiln_context_options options;
  kiln_context_options_init(&options);
  options.num_threads = threads;
  kiln_context context = nullptr;
  EXPECT_EQ(message(kiln_context_create(&options, &context)), "");
  return context;
}

// Inputs, outputs and the kiln_tensor views of them, valid unless a test breaks one.
struct Io {
  std::vector<int64_t> shape{kFakeRows, kFakeCols}, rowShape{kFakeRows};
  std::vector<float> x, y, sum;
  std::vector<double> rowMax;
  kiln_tensor inputs[2], outputs[2];

  explicit Io(float offset = 0)
      : x(kFakeRows * kFakeCols), y(x.size()), sum(x.size(), -1.0f), rowMax(kFakeRows, -1.0) {
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = float(i % 97) * 0.5f + offset;
      y[i] = float(i % 13) - 6.0f;
    }
    inputs[0] = {KILN_DTYPE_F32, 2, shape.data(), x.data()};
    inputs[1] = {KILN_DTYPE_F32, 2, shape.data(), y.data()};
    outputs[0] = {KILN_DTYPE_F32, 2, shape.data(), sum.data()};
    outputs[1] = {KILN_DTYPE_F64, 1, rowShape.data(), rowMax.data()};
  }
  kiln_status run(kiln_context context) { return kiln_context_run(context, inputs, 2, outputs, 2); }
  bool correct() const {
    for (int64_t r = 0; r < kFakeRows; ++r) {
      double best = -INFINITY;
      for (int64_t c = 0; c < kFakeCols; ++c) {
        size_t i = r * kFakeCols + c;
        if (sum[i] != x[i] + y[i])
          return false;
        best = std::max(best, double(sum[i]));
      }
      if (rowMax[r] != best)
        return false;
    }
    return true;
  }
};

TEST(CApi, StatusAndDtypeHelpers) {
  EXPECT_EQ(kiln_status_get_code(nullptr), KILN_STATUS_OK);
  EXPECT_STREQ(kiln_status_get_message(nullptr), "ok");
  kiln_status_free(nullptr);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_BF16), 2u);
  EXPECT_EQ(kiln_dtype_size(KILN_DTYPE_I64), 8u);
  EXPECT_EQ(kilnTestDtypeSize(42), 0u);
  EXPECT_STREQ(kiln_dtype_name(KILN_DTYPE_BOOL), "bool");
  EXPECT_STREQ(kilnTestDtypeName(0), "unknown");
}

TEST(CApi, ModelQueries) {
  EXPECT_EQ(kiln_model_abi_version(), KILN_ABI_VERSION);
  ASSERT_EQ(kiln_model_num_inputs(), 2);
  ASSERT_EQ(kiln_model_num_outputs(), 2);
  kiln_tensor_info info;
  ASSERT_EQ(message(kiln_model_input_info(1, &info)), "");
  EXPECT_STREQ(info.name, "y in"); // percent-decoded
  EXPECT_EQ(info.dtype, KILN_DTYPE_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.shape[0], kFakeRows);
  EXPECT_EQ(info.shape[1], kFakeCols);
  ASSERT_EQ(message(kiln_model_output_info(1, &info)), "");
  EXPECT_STREQ(info.name, "row_max");
  EXPECT_EQ(info.dtype, KILN_DTYPE_F64);

  kiln_status status = kiln_model_output_info(2, &info);
  EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_OUT_OF_RANGE);
  EXPECT_EQ(message(status), "output index 2 is out of range (the model has 2 outputs)");
  status = kiln_model_input_info(-1, &info);
  EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_OUT_OF_RANGE);
  kiln_status_free(status);
  status = kiln_model_input_info(0, nullptr);
  EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_INVALID_ARGUMENT);
  kiln_status_free(status);
}

TEST(CApi, ContextOptions) {
  kiln_context context = nullptr;
  ASSERT_EQ(message(kiln_context_create(nullptr, &context)), "");
  EXPECT_GE(kiln_context_num_threads(context), 1);
  kiln_context_destroy(context);
  kiln_context_destroy(nullptr);
  EXPECT_EQ(kiln_context_num_threads(nullptr), 0);

  kiln_context_options options;
  kiln_context_options_init(&options);
  EXPECT_EQ(options.struct_size, sizeof(options));
  EXPECT_EQ(options.num_threads, 0);
  options.struct_size = 0;
  kiln_status status = kiln_context_create(&options, &context);
  EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(context, nullptr);
  kiln_status_free(status);
  kiln_context_options_init(&options);
  options.num_threads = 5000;
  EXPECT_EQ(message(kiln_context_create(&options, &context)),
            "num_threads is 5000, at most 1024 supported");
  EXPECT_EQ(message(kiln_context_create(&options, nullptr)), "out_context is NULL");

  kiln_context_options_init(&options);
  EXPECT_EQ(options.thread_affinity, KILN_THREAD_AFFINITY_AUTO);
  options.thread_affinity = 7;
  EXPECT_EQ(message(kiln_context_create(&options, &context)),
            "thread_affinity is 7, expected a kiln_thread_affinity (0, 1 or 2)");
  // A binary built against the first version of the struct calls the unsized entry point:
  // it fills that struct's 8 bytes alone (more would overwrite the caller's memory), and
  // the context gets the default affinity.
  constexpr size_t v1Size = offsetof(kiln_context_options, thread_affinity);
  unsigned char bytes[sizeof(kiln_context_options)];
  std::memset(bytes, 0xab, sizeof(bytes));
  (kiln_context_options_init)(reinterpret_cast<kiln_context_options *>(bytes));
  std::memcpy(&options, bytes, sizeof(options));
  EXPECT_EQ(options.struct_size, v1Size);
  EXPECT_EQ(options.num_threads, 0);
  for (size_t i = v1Size; i < sizeof(bytes); ++i)
    EXPECT_EQ(bytes[i], 0xab) << "byte " << i << " written past a version-1 struct";
  ASSERT_EQ(message(kiln_context_create(&options, &context)), "");
  kiln_context_destroy(context);
  // The sized form fills as much as it is told.
  std::memset(bytes, 0xab, sizeof(bytes));
  kiln_context_options_init_sized(reinterpret_cast<kiln_context_options *>(bytes), v1Size);
  EXPECT_EQ(bytes[v1Size], 0xab);
  kiln_context_options_init(&options);
  options.struct_size = v1Size;
  options.thread_affinity = 7; // not read from a version-1 struct
  ASSERT_EQ(message(kiln_context_create(&options, &context)), "");
  kiln_context_destroy(context);
  for (int32_t affinity : {KILN_THREAD_AFFINITY_NONE, KILN_THREAD_AFFINITY_SPREAD}) {
    kiln_context_options_init(&options);
    options.num_threads = 2;
    options.thread_affinity = affinity;
    ASSERT_EQ(message(kiln_context_create(&options, &context)), "");
    EXPECT_EQ(kiln_context_num_threads(context), 2);
    kiln_context_destroy(context);
  }
}

// Chunks of the fake model that ran on a pinned worker over `runs` runs of a fresh context.
int64_t pinnedChunks(int threads, int32_t affinity, int runs) {
  kiln_context_options options;
  kiln_context_options_init(&options);
  options.num_threads = threads;
  options.thread_affinity = affinity;
  kiln_context context = nullptr;
  EXPECT_EQ(message(kiln_context_create(&options, &context)), "");
  int64_t before = fakeModelPinnedTaskCalls.load();
  Io io;
  for (int i = 0; i < runs; ++i)
    EXPECT_EQ(message(io.run(context)), "");
  EXPECT_TRUE(io.correct());
  kiln_context_destroy(context);
  return fakeModelPinnedTaskCalls.load() - before;
}

// AUTO pins the workers exactly when the context has a thread per CPU; NONE never, SPREAD
// always (on one CPU a pinned worker's mask equals the process's: nothing to tell apart).
TEST(CApi, ThreadAffinityDecidesWhoIsPinned) {
  int cpus = 0;
  kiln_context probe = makeContext(0);
  ASSERT_TRUE(probe);
  cpus = kiln_context_num_threads(probe);
  kiln_context_destroy(probe);
  constexpr int kRuns = 50; // the worker claims its chunk in most of them
  EXPECT_EQ(pinnedChunks(cpus + 1, KILN_THREAD_AFFINITY_AUTO, kRuns), 0);
  EXPECT_EQ(pinnedChunks(cpus, KILN_THREAD_AFFINITY_NONE, kRuns), 0);
  if (cpus == 1)
    return;
  EXPECT_GT(pinnedChunks(cpus, KILN_THREAD_AFFINITY_AUTO, kRuns), 0);
  EXPECT_GT(pinnedChunks(cpus + 1, KILN_THREAD_AFFINITY_SPREAD, kRuns), 0);
}

TEST(CApi, RejectsBadTensorsBeforeAnyKernelRuns) {
  kiln_context context = makeContext(4);
  ASSERT_TRUE(context);
  int64_t callsBefore = fakeModelTaskCalls.load();
  auto expectError = [&](Io &io, const std::string &expected, size_t numInputs = 2,
                         size_t numOutputs = 2) {
    kiln_status status = kiln_context_run(context, io.inputs, numInputs, io.outputs, numOutputs);
    EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_INVALID_ARGUMENT);
    EXPECT_EQ(message(status), expected);
  };
  {
    Io io;
    expectError(io, "expected 2 inputs, got 1", 1);
    expectError(io, "expected 2 outputs, got 3", 2, 3);
    EXPECT_EQ(message(kiln_context_run(context, nullptr, 2, io.outputs, 2)),
              "inputs is NULL but num_inputs is 2");
    EXPECT_EQ(message(kiln_context_run(nullptr, io.inputs, 2, io.outputs, 2)), "context is NULL");
  }
  {
    Io io;
    io.inputs[0].dtype = KILN_DTYPE_I64;
    expectError(io, "input 'x': expected dtype float32, got int64");
    kilnTestSetDtype(&io.inputs[0], 77);
    expectError(io, "input 'x': expected dtype float32, got unknown dtype 77");
  }
  {
    Io io;
    int64_t wrong[] = {kFakeRows, kFakeCols - 1};
    io.inputs[1].shape = wrong;
    expectError(io, "input 'y in': expected shape 4x1000, got 4x999");
    int64_t flat[] = {kFakeRows * kFakeCols};
    io.inputs[1].shape = flat;
    io.inputs[1].rank = 1;
    expectError(io, "input 'y in': expected shape 4x1000, got 4000");
    io.inputs[1].rank = 0;
    expectError(io, "input 'y in': expected shape 4x1000, got scalar");
    io.inputs[1].rank = -3;
    expectError(io, "input 'y in': expected shape 4x1000, got rank -3");
    io.inputs[1].rank = 2;
    io.inputs[1].shape = nullptr;
    expectError(io, "input 'y in': shape is NULL but rank is 2");
  }
  {
    Io io;
    io.outputs[1].data = nullptr;
    expectError(io, "output 'row_max': data is NULL");
    io.outputs[1].data = io.rowMax.data();
    io.outputs[0].dtype = KILN_DTYPE_F16;
    expectError(io, "output 'sum/0': expected dtype float32, got float16");
    EXPECT_EQ(io.sum[0], -1.0f); // untouched
  }
  EXPECT_EQ(fakeModelTaskCalls.load(), callsBefore);
  kiln_context_destroy(context);
}

TEST(CApi, RunsWithOneAndFourThreads) {
  for (int threads : {1, 4}) {
    kiln_context context = makeContext(threads);
    ASSERT_TRUE(context);
    EXPECT_EQ(kiln_context_num_threads(context), threads);
    for (int repeat = 0; repeat < 3; ++repeat) {
      Io io{float(repeat)};
      int64_t callsBefore = fakeModelTaskCalls.load();
      ASSERT_EQ(message(io.run(context)), "");
      EXPECT_TRUE(io.correct()) << threads << " threads";
      // One chunk per thread for each of the two kernels (4000 elements, then 4 rows).
      EXPECT_EQ(fakeModelTaskCalls.load() - callsBefore, 2 * threads);
    }
    kiln_context_destroy(context);
  }
  EXPECT_FALSE(fakeModelBadWorkspace.load());
}

TEST(CApi, AFailedRunTimeCheckIsAnErrorWithItsMessage) {
  kiln_context context = makeContext(2);
  ASSERT_TRUE(context);
  Io io;
  io.x[0] = NAN;
  kiln_status status = io.run(context);
  EXPECT_EQ(kiln_status_get_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(message(status), "x[0] must not be NaN");
  io.x[0] = 1.0f; // the context stays usable
  EXPECT_EQ(message(io.run(context)), "");
  EXPECT_TRUE(io.correct());
  kiln_context_destroy(context);
}

TEST(CApi, RefusesASecondRunOnABusyContext) {
  kiln_context context = makeContext(2);
  ASSERT_TRUE(context);
  fakeModelEntered.store(false);
  fakeModelHold.store(true);
  std::thread first([&] {
    Io io{1.0f};
    EXPECT_EQ(message(io.run(context)), "");
  });
  while (!fakeModelEntered.load())
    std::this_thread::yield();
  Io io{2.0f};
  EXPECT_EQ(message(io.run(context)),
            "context is already running on another thread (use one per thread)");
  fakeModelHold.store(false);
  first.join();
  Io after{3.0f};
  EXPECT_EQ(message(after.run(context)), "");
  EXPECT_TRUE(after.correct());
  kiln_context_destroy(context);
}

TEST(CApi, ContextsInTwoThreadsRunConcurrently) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 2; ++t)
    callers.emplace_back([&, t] {
      kiln_context context = makeContext(2);
      for (int repeat = 0; repeat < 200; ++repeat) {
        Io io{float(t * 1000 + repeat)};
        if (!message(io.run(context)).empty() || !io.correct())
          ++wrong;
      }
      kiln_context_destroy(context);
    });
  for (auto &caller : callers)
    caller.join();
  EXPECT_EQ(wrong.load(), 0);
}

} // namespace
} // namespace kiln::test
