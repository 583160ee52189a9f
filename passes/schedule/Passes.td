// Passes of the schedule layer: apply schedules to kl kernels.
#ifndef KILN_PASSES_SCHEDULE_PASSES_TD
#define KILN_PASSES_SCHEDULE_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

def ApplySchedule : Pass<"kiln-apply-schedule", "mlir::ModuleOp"> {
  let summary = "Replays a schedule trace on kernels";
  let description = [{
    Replays `trace` (a JSON array of steps, see passes/schedule/Trace.h) or the contents of
    `trace-file` on the kiln.kernel function named `kernel` (the only kernel when omitted).
    Without either option, replays on every kernel its `kiln.trace` attribute: the same steps
    as MLIR attributes, `[ {primitive = "split", names = ["i"], ints = [-1, 8]} ]` (then removed).
    A step that is illegal stops the pass with an error naming the loop or block. With
    `print-trace` the recorded trace is printed as `// kiln-trace @<kernel>: <json>`; with
    `check-roundtrip` it is serialised, parsed back, replayed on a copy of the input kernel and
    the result compared with the scheduled kernel (an error on any difference).
  }];
  let options = [
    Option<"kernel", "kernel", "std::string", /*default=*/"\"\"",
           "Name of the kernel function to schedule">,
    Option<"trace", "trace", "std::string", /*default=*/"\"\"",
           "Schedule trace as JSON text">,
    Option<"traceFile", "trace-file", "std::string", /*default=*/"\"\"",
           "File holding the schedule trace as JSON">,
    Option<"printTrace", "print-trace", "bool", /*default=*/"false",
           "Print the recorded trace to stdout">,
    Option<"checkRoundTrip", "check-roundtrip", "bool", /*default=*/"false",
           "Check that replaying the serialised trace reproduces the result">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect", "kiln::loop::KilnLoopDialect"];
}

def DefaultSchedule : Pass<"kiln-default-schedule", "mlir::ModuleOp"> {
  let summary = "Applies the rule-based default schedule to every kernel";
  let description = [{
    The schedule used at -O3 before tuning: inline elementwise producers, tile each reduction
    (parallel outer loop, reduce loops, unrolled register block, vectorized inner loop), fuse
    epilogues into its parallel loop, and parallelize/vectorize the remaining nests. See
    passes/schedule/DefaultSchedule.cpp.
  }];
  let options = [
    Option<"printTrace", "print-trace", "bool", /*default=*/"false",
           "Print each kernel's trace to stdout">,
    Option<"checkRoundTrip", "check-roundtrip", "bool", /*default=*/"false",
           "Check that replaying the serialised trace reproduces the result">,
  ];
  let dependentDialects = ["mlir::affine::AffineDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect", "kiln::loop::KilnLoopDialect"];
}

#endif
