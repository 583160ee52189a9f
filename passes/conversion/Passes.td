// Conversions between Kiln's IR levels.
#ifndef KILN_PASSES_CONVERSION_PASSES_TD
#define KILN_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerGraphToLoop : Pass<"kiln-lower-graph-to-loop", "mlir::ModuleOp"> {
  let summary = "lower each kg task function to a kl kernel on memrefs";
  let description = [{
    For every `kiln.task` function, emits `<task>_kernel` taking the task's inputs and its
    output as memrefs, with one loop nest and block per kg op (a few for multi-stage ops such
    as softmax); intermediates are memref.alloc at the top of the kernel.
  }];
  let dependentDialects = ["kiln::loop::KilnLoopDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::memref::MemRefDialect", "mlir::func::FuncDialect"];
}

#endif
