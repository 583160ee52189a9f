// Tuning tasks: the workload key ignores the kernel's name but not its shapes, extractTasks
// merges equal kernels in first-use order, operation counts match the arithmetic, and a task
// module parses back with the @main the measurement worker expects.
#include "autotuner/task/Task.h"
#include "test/unit/autotuner/task/LoweredModel.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::autotuner;

namespace {

using TaskTest = test::LoweredModel;

TEST_F(TaskTest, WorkloadKeyIgnoresTheNameButNotTheShape) {
  std::string a = workloadKey(kernel("mm_relu_a"));
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_EQ(a, workloadKey(kernel("mm_relu_b")));
  EXPECT_NE(a, workloadKey(kernel("mm_relu_wide")));
  EXPECT_NE(a, workloadKey(kernel("mm_alone")));
  // Stable: hashing does not touch the kernel.
  EXPECT_EQ(a, workloadKey(kernel("mm_relu_a")));
  EXPECT_EQ(kernel("mm_relu_a").getSymName(), "mm_relu_a_kernel");
}

TEST_F(TaskTest, ExtractTasksMergesEqualKernelsInFirstUseOrder) {
  std::vector<TuningTask> tasks = extractTasks(*module);
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].name, "mm_relu_a");
  EXPECT_EQ(tasks[0].kernelName, "mm_relu_a_kernel");
  EXPECT_EQ(tasks[0].weight, 2);
  EXPECT_EQ(tasks[0].workloadKey, workloadKey(kernel("mm_relu_b")));
  EXPECT_EQ(tasks[1].name, "mm_alone");
  EXPECT_EQ(tasks[1].weight, 1);
  EXPECT_EQ(tasks[2].name, "mm_relu_wide");
  EXPECT_EQ(tasks[2].weight, 1);
  for (const TuningTask &task : tasks)
    EXPECT_EQ(task.flops, countOperations(kernel(task.name))) << task.name;
}

TEST_F(TaskTest, CountOperations) {
  // A matmul is a multiply and an add per (i, j, k); the zero init is not arithmetic.
  EXPECT_EQ(countOperations(kernel("mm_alone")), 2.0 * 6 * 5 * 8);
  // Relu adds a compare and a select per element.
  EXPECT_EQ(countOperations(kernel("mm_relu_a")), 2.0 * 4 * 3 * 8 + 2.0 * 4 * 3);
  EXPECT_EQ(countOperations(kernel("mm_relu_wide")), 2.0 * 4 * 5 * 8 + 2.0 * 4 * 5);
}

TEST_F(TaskTest, TaskModuleParsesWithNamedMainArguments) {
  FailureOr<std::string> text = taskModuleText(*module, "mm_relu_wide_kernel");
  ASSERT_TRUE(succeeded(text));
  OwningOpRef<ModuleOp> task = parseSourceString<ModuleOp>(*text, &context);
  ASSERT_TRUE(task) << *text;
  ASSERT_TRUE(succeeded(verify(*task))) << *text;

  auto main = task->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(main) << *text;
  ASSERT_EQ(main.getNumArguments(), 2u);
  ASSERT_EQ(main.getNumResults(), 1u);
  for (unsigned i = 0; i < 2; ++i) {
    auto name = main.getArgAttrOfType<StringAttr>(i, "kg.name");
    ASSERT_TRUE(name) << "argument " << i;
    EXPECT_EQ(name.getValue(), "in" + std::to_string(i));
  }
  auto out = main.getResultAttrOfType<StringAttr>(0, "kg.name");
  ASSERT_TRUE(out);
  EXPECT_EQ(out.getValue(), "out0");
  EXPECT_EQ(main.getFunctionType(),
            module->lookupSymbol<func::FuncOp>("mm_relu_wide").getFunctionType());

  // Only this task: its function and kernel, no other task's.
  EXPECT_TRUE(task->lookupSymbol<func::FuncOp>("mm_relu_wide"));
  auto copied = task->lookupSymbol<func::FuncOp>("mm_relu_wide_kernel");
  ASSERT_TRUE(copied);
  EXPECT_EQ(workloadKey(copied), workloadKey(kernel("mm_relu_wide")));
  EXPECT_FALSE(task->lookupSymbol<func::FuncOp>("mm_relu_a_kernel"));
}

TEST_F(TaskTest, TaskModuleOfAnUnknownKernelFails) {
  EXPECT_TRUE(failed(taskModuleText(*module, "no_such_kernel")));
  // A task function is not a kernel.
  EXPECT_TRUE(failed(taskModuleText(*module, "mm_relu_a")));
}

TEST(TargetDescription, NamesTripleAndCpu) {
  EXPECT_EQ(targetDescription("skylake", "x86_64-unknown-linux-gnu"),
            "x86_64-unknown-linux-gnu/skylake");
  std::string host = targetDescription("native", "");
  EXPECT_EQ(host, targetDescription("", ""));
  EXPECT_NE(host.find('/'), std::string::npos) << host;
  EXPECT_NE(host.back(), '/') << host;
}

} // namespace
