// Facts the schedule rules (the default schedule and the auto-scheduler's sketch rules) base
// their decisions on.
#ifndef KILN_PASSES_SCHEDULE_RULEHELPERS_H
#define KILN_PASSES_SCHEDULE_RULEHELPERS_H

#include "ir/loop/LoopDialect.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>

namespace kiln::schedule::detail {

// Runs `steps` on a copy of s's kernel first: when every step applies, replays their trace on
// `s` and returns true; otherwise leaves `s` (kernel and trace) untouched. A rule of several
// primitives that only makes sense whole (the row-wise and channel-slice forms) uses it.
bool applyWhole(Schedule &s,
                llvm::function_ref<mlir::LogicalResult(mlir::func::FuncOp, Schedule &)> steps);

// The kernel's block names in program order.
llvm::SmallVector<std::string> blockNames(mlir::func::FuncOp kernel);

// The block's loops when it sits alone in a perfect nest of serial loops whose loop k binds
// iter var k: the shape the lowering emits, before any schedule.
std::optional<llvm::SmallVector<loop::ForOp>> freshNest(loop::BlockOp block);

// Padding selects and transcendentals: recomputed in a reduction's hot loop they cost more
// than the memory traffic of keeping them as a nest of their own.
bool expensiveToRecompute(loop::BlockOp block);

// True when inlining `producer` into `reader` would recompute it more often than it runs now:
// the reader is a reduction, or its domain is larger (it broadcasts the producer's values,
// as a per-row 1 / sqrt(var) is read by every element of the row).
bool inliningMultipliesWork(loop::BlockOp producer, loop::BlockOp reader);

// True when `buffer` is a kernel argument the lowering marked constant (kiln.constant_args:
// every call passes a weight), so layout_rewrite's copy runs at compile time.
bool isConstantArgument(mlir::Value buffer);

// Run-time operands at least this large are worth laying out in panels once per call: the
// copy streams them once, and every row tile then reads a panel contiguously (a 1024x1024
// GEMM's B: 17.8 -> 10.0 ms with the default schedule).
inline constexpr int64_t kRuntimeLayoutMinBytes = 1 << 20;

// A constant argument `block` reads (laid out at compile time), or a run-time one of at least
// kRuntimeLayoutMinBytes that it reads element by element (no windows).
bool worthLayingOut(loop::BlockOp block, mlir::Value buffer);

// The read index (readBuffers order) of an argument worth laying out that the block reads
// with its last index following iter var `vec` alone (the vector lanes: B of a matmul), the
// operand to lay out in vector panels; nullopt when there is none.
std::optional<int64_t> panelOperand(loop::BlockOp block, unsigned vec);

// The spatial iter vars by which the body indexes both read buffer `panel` (readBuffers
// order) and another read buffer: the batch dims of a batched matmul (the transform
// coordinates of a Winograd convolution's GEMMs), along which neither operand is reused.
llvm::SmallVector<unsigned> batchIterVars(loop::BlockOp block, int64_t panel);

// For a reduction in a fresh nest: the index of its innermost loop when rfactor along it
// is the way to vector code, i.e. the loop binds a reduce iter var along which every read is
// contiguous (or invariant), every spatial loop comes first, and the innermost spatial loop
// cannot be vectorized (a row reduction such as a layer norm's mean or a softmax's sum, or
// a dot product against a transposed operand). nullopt otherwise.
std::optional<unsigned> rfactorLoop(loop::BlockOp block, llvm::ArrayRef<loop::ForOp> loops);

// The partial counts rfactor may use for a loop of `extent`: the divisors among 64, 32, 16
// and 8 (several vector accumulators hide the latency of the adds), largest first.
llvm::SmallVector<int64_t> rfactorWidths(int64_t extent);

} // namespace kiln::schedule::detail

#endif
