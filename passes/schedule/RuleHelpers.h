// Facts the schedule rules (the default schedule and the auto-scheduler's sketch rules) base
// their decisions on.
#ifndef KILN_PASSES_SCHEDULE_RULEHELPERS_H
#define KILN_PASSES_SCHEDULE_RULEHELPERS_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>

namespace kiln::schedule::detail {

// The kernel's block names in program order.
llvm::SmallVector<std::string> blockNames(mlir::func::FuncOp kernel);

// The block's loops when it sits alone in a perfect nest of serial loops whose loop k binds
// iter var k: the shape the lowering emits, before any schedule.
std::optional<llvm::SmallVector<loop::ForOp>> freshNest(loop::BlockOp block);

// Padding selects and transcendentals: recomputed in a reduction's hot loop they cost more
// than the memory traffic of keeping them as a nest of their own.
bool expensiveToRecompute(loop::BlockOp block);

} // namespace kiln::schedule::detail

#endif
