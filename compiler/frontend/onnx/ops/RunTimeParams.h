// Shape-determining parameters computed at run time (Reshape's shape, Expand's shape, ...).
//
// Kiln compiles static shapes. When such a parameter is a graph input or computed, but the
// model declares the node's output shape, Kiln compiles for that declared shape and adds a
// run-time check that the parameter's values mean exactly that shape; a run with other values
// fails with a message naming the input, instead of computing something else.
#ifndef KILN_COMPILER_FRONTEND_ONNX_OPS_RUNTIMEPARAMS_H
#define KILN_COMPILER_FRONTEND_ONNX_OPS_RUNTIMEPARAMS_H

#include "compiler/frontend/onnx/OpBinder.h"

#include <functional>

namespace kiln::onnx_frontend {

// The parameter value to compile with, and per entry every run-time value that means the same
// (e.g. Reshape accepts the dim itself, -1, or 0 where it copies an equal input dim).
struct DerivedParam {
  llvm::SmallVector<int64_t> value;
  llvm::SmallVector<llvm::SmallVector<int64_t, 2>> accepted;
};
using DeriveParam = std::function<mlir::FailureOr<DerivedParam>(llvm::ArrayRef<int64_t>)>;

bool inputIsConstant(OpBinder &b, unsigned i);

// `shape` without the dims at the positions in `axes`.
llvm::SmallVector<int64_t> withoutAxes(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes);

// Input `i` as integers: its constant value, or, when it is computed at run time, the value
// `derive` gets from the declared shape of output 0, checked at run time. `what` names the
// parameter in errors ("Reshape shape").
mlir::FailureOr<llvm::SmallVector<int64_t>>
intsFromDeclaredShape(OpBinder &b, unsigned i, llvm::StringRef what, const DeriveParam &derive);

// Elementwise: whether each entry of `values` equals any of `spellings` (a bool tensor).
mlir::FailureOr<mlir::Value> equalsAny(OpBinder &b, mlir::Value values,
                                       llvm::ArrayRef<int64_t> spellings);

// A run-time check that `values` (an integer tensor) has at most `limit` entries equal to any
// of `spellings`; `message` says what fails.
mlir::LogicalResult checkCountAtMost(OpBinder &b, mlir::Value values,
                                     llvm::ArrayRef<int64_t> spellings, int64_t limit,
                                     const std::string &message);

// A set of axes of a rank-`rank` space given by input `i` at run time (Squeeze/Unsqueeze axes):
// among the sets of as many axes as the input has entries, exactly one must `fit` the declared
// output shape (passed to `fits` with the set, sorted). That set is returned, and the run-time
// values are checked to be it, in any order, negative entries counting from the end.
mlir::FailureOr<llvm::SmallVector<int64_t>>
axisSetFromDeclaredShape(OpBinder &b, unsigned i, llvm::StringRef what, int64_t rank,
                         const std::function<bool(llvm::ArrayRef<int64_t> declared,
                                                  llvm::ArrayRef<int64_t> set)> &fits);

} // namespace kiln::onnx_frontend

#endif
