// The row-wise schedule: layer norm, softmax and their kin (reductions along the last axis
// whose per-row results feed one elementwise consumer) computed a few rows at a time in one
// parallel loop, each row's statistics right before the row is written, while it is in L1.
#ifndef KILN_PASSES_SCHEDULE_ROWWISESCHEDULE_H
#define KILN_PASSES_SCHEDULE_ROWWISESCHEDULE_H

#include "passes/schedule/Schedule.h"

namespace kiln::schedule {

struct RowwiseChoice {
  // Rows per iteration of the parallel loop: each reduction keeps one accumulator chain per
  // row in flight, which hides the add latency a single row's chain is bound by.
  int64_t rows = 4;
  // Partial sums per row (the rfactor width), a multiple of the vector width.
  int64_t lanes = 16;
};

// True when `kernel` (freshly lowered, producers inlined) is row-wise: its last block is
// all-spatial, and every block before it is a reduction over the last axis alone producing
// one value per row, or spatial over the rows (a per-row 1 / sqrt(var)) or over the
// consumer's whole domain (softmax's exp).
bool isRowwiseKernel(mlir::func::FuncOp kernel);

// Schedules a row-wise kernel through `s` with `choice`; returns false, with the kernel and
// the trace untouched, when it is not row-wise or a step does not apply (the steps are tried
// on a copy first).
bool scheduleRowwise(mlir::func::FuncOp kernel, Schedule &s, RowwiseChoice choice);

} // namespace kiln::schedule

#endif
