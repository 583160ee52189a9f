// Passes of the schedule layer (declared in Passes.td).
#ifndef KILN_PASSES_SCHEDULE_PASSES_H
#define KILN_PASSES_SCHEDULE_PASSES_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::schedule {

#define GEN_PASS_DECL
#include "passes/schedule/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/schedule/Passes.h.inc"

struct Trace;
// Prints (`print`) and round-trip checks (`check`) the trace that scheduled `kernel`;
// `original` is a copy of the kernel before scheduling, used only when checking.
mlir::LogicalResult reportTrace(mlir::func::FuncOp kernel, mlir::func::FuncOp original,
                                const Trace &trace, bool print, bool check);

// GEN_PASS_REGISTRATION above declares registerSchedulePasses(), which registers
// kiln-apply-schedule and kiln-default-schedule.

} // namespace kiln::schedule

#endif
