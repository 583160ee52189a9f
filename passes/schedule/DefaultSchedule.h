// The rule-based default schedule, used at -O3 until a tuning record exists.
#ifndef KILN_PASSES_SCHEDULE_DEFAULTSCHEDULE_H
#define KILN_PASSES_SCHEDULE_DEFAULTSCHEDULE_H

#include "ir/loop/LoopDialect.h"
#include "passes/schedule/Schedule.h"

namespace kiln::schedule {

// Schedules `kernel` (freshly lowered: one perfect loop nest per block, identity bindings)
// through `s`, so that s.trace() replays the result. Nests that do not have that shape are
// left as they are. Fails only if the result does not verify.
mlir::LogicalResult applyDefaultSchedule(mlir::func::FuncOp kernel, Schedule &s);

// The default schedule of one spatial block in a nest of its own (a copy): its outer loops
// fused and parallel, its innermost vectorized.
void scheduleNest(Schedule &s, llvm::StringRef blockName);

// Vector width for a loop of extent n: all of it up to 16, else 16 or 8 lanes when they
// divide n, else the largest divisor up to 16.
int64_t vectorWidth(int64_t n);

// Vectorizes the loop directly around `block`, splitting off a vector-width loop when it is
// longer than 64; returns false when it cannot be vectorized.
bool vectorizeInnermost(Schedule &s, loop::BlockOp block);

} // namespace kiln::schedule

#endif
