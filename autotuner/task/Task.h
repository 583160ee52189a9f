// Tuning tasks: the distinct kernels of a lowered model, keyed by their structure.
//
// Two kernels with the same loop structure (shapes, ops, access patterns) are one task: a
// schedule tuned for one applies to the other. The workload key is a hash of the kernel's
// printed form with its symbol name removed, so it is stable across runs, models and
// machines; the target description is kept beside it in a tuning record, not hashed in.
#ifndef KILN_AUTOTUNER_TASK_TASK_H
#define KILN_AUTOTUNER_TASK_TASK_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::autotuner {

// The lowering names a task's kernel "<task>_kernel" (conversion::kernelNameFor).
inline constexpr llvm::StringLiteral kKernelSuffix = "_kernel";

struct TuningTask {
  std::string name;        // the first kernel's task name, e.g. "fused_conv_add_relu_3"
  std::string kernelName;  // its kernel symbol in the lowered module
  std::string workloadKey; // 64 hex digits
  double weight = 0;       // how many kernels of the model share the key
  double flops = 0;        // arithmetic operations of one run of the kernel
  // The workload key of the direct form this task is an algorithm variant of (Variants.h),
  // its own key otherwise: of the tasks sharing it, the model runs the fastest.
  std::string formOf;
};

// The target description tuning records are kept under: "<triple>/<cpu>", with the host's
// triple and CPU name for empty / "native".
std::string targetDescription(const std::string &mcpu, const std::string &mtriple);

// The structural hash of a kernel (a kiln.kernel function, scheduled or not).
std::string workloadKey(mlir::func::FuncOp kernel);

// Floating-point and integer arithmetic operations of one run: each block body's arithmetic
// ops times the product of its iter var domains (what GFLOP/s figures divide).
double countOperations(mlir::func::FuncOp kernel);

// The tasks of a module fresh from the graph-to-loop lowering, in first-use order.
std::vector<TuningTask> extractTasks(mlir::ModuleOp lowered);

// A standalone module that runs one kernel: its task function, its kernel, and an @main whose
// inputs ("in0", ...) and outputs ("out0", ...) are the task's arguments and results. The
// auto-scheduler's builder compiles it, with a candidate schedule, into a model .so.
mlir::FailureOr<std::string> taskModuleText(mlir::ModuleOp lowered, llvm::StringRef kernelName);

} // namespace kiln::autotuner

#endif
