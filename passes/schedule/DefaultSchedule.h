// The rule-based default schedule, used at -O3 until a tuning record exists.
#ifndef KILN_PASSES_SCHEDULE_DEFAULTSCHEDULE_H
#define KILN_PASSES_SCHEDULE_DEFAULTSCHEDULE_H

#include "passes/schedule/Schedule.h"

namespace kiln::schedule {

// Schedules `kernel` (freshly lowered: one perfect loop nest per block, identity bindings)
// through `s`, so that s.trace() replays the result. Nests that do not have that shape are
// left as they are. Fails only if the result does not verify.
mlir::LogicalResult applyDefaultSchedule(mlir::func::FuncOp kernel, Schedule &s);

// The default schedule of one spatial block in a nest of its own (a copy): its outer loops
// fused and parallel, its innermost vectorized.
void scheduleNest(Schedule &s, llvm::StringRef blockName);

} // namespace kiln::schedule

#endif
