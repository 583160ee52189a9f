// Shrinks the kernel-level intermediates that a schedule made loop-local (see
// BufferCompaction.cpp): codegen runs it on every scheduled kernel before the kernel's
// remaining intermediates become workspace scratch.
#ifndef KILN_PASSES_SCHEDULE_BUFFERCOMPACTION_H
#define KILN_PASSES_SCHEDULE_BUFFERCOMPACTION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::schedule {

// Replaces each kernel-level allocation whose accesses all lie in one loop, every iteration of
// which writes (first, and exactly) all the elements it touches, by a local buffer of one
// iteration's region allocated in that loop's body. Returns how many it replaced.
unsigned compactIntermediates(mlir::func::FuncOp kernel);

} // namespace kiln::schedule

#endif
