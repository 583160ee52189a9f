// A reference interpreter for kl kernels, to check that schedules preserve what kernels compute.
//
// Executes kl.for / kl.block with the IR's semantics (bindings, implicit predicates, init when
// all reduce iter vars are 0) over affine/arith/memref ops. Parallel loops run in reverse to
// expose dependences between their iterations, vectorized loops run op by op across all
// lanes (vector semantics), and reading an element nothing
// has written yet is an error, so a schedule that reads a buffer too early fails even when the
// garbage would not change the result.
#ifndef KILN_TEST_UNIT_SCHEDULE_INTERPRETER_H
#define KILN_TEST_UNIT_SCHEDULE_INTERPRETER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace kiln::test {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

// Runs `kernel` on `args` (one tensor per memref argument, outputs included: they are written
// in place). Returns an error message, or "" on success.
std::string interpret(mlir::func::FuncOp kernel, std::vector<Tensor> &args);

// Deterministic small-integer values for every argument (sums of them stay exact).
std::vector<Tensor> makeArgs(mlir::func::FuncOp kernel, unsigned seed);

} // namespace kiln::test

#endif
