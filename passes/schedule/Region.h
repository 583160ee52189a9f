// Access regions: the part of a buffer that a block touches during one iteration of a loop.
//
// compute_at and reverse_compute_at regenerate loops over such regions. A region dim is
// `[start, start + extent)`, `start` an affine function of the loop vars of the target loop
// and its ancestors (the "outer vars"), `extent` a constant.
#ifndef KILN_PASSES_SCHEDULE_REGION_H
#define KILN_PASSES_SCHEDULE_REGION_H

#include "passes/schedule/Utils.h"

#include <optional>

namespace kiln::schedule::detail {

struct DimRegion {
  mlir::AffineExpr start; // over outerVars(loop): dim i is outerVars[i]
  int64_t extent;
  llvm::SmallVector<mlir::Value> innerVars; // loops inside the target loop `start` ranges over
  bool operator==(const DimRegion &other) const {
    return start == other.start && extent == other.extent;
  }
  bool operator!=(const DimRegion &other) const { return !(*this == other); }
};

// The summands of `expr`, constant multiples of sums distributed over them.
void addTerms(mlir::AffineExpr expr, llvm::SmallVectorImpl<mlir::AffineExpr> &terms);

// Induction variables of `loop`'s ancestors and of `loop`, outermost first.
llvm::SmallVector<mlir::Value> outerVars(ForOp loop);

// Region of each buffer dim accessed through `accessMap` (over the iter vars of `block`, which
// lies under `loop`) during one iteration of `loop`. A dim is std::nullopt when its index is
// not `f(outer vars) + g(inner loop vars)`. With `exact`, g must also be a sum of positive
// multiples of distinct inner loop vars that reaches every value of its range, so the region
// is exactly the set of indices accessed; otherwise it is an over-approximation.
llvm::SmallVector<std::optional<DimRegion>> accessRegion(BlockOp block, mlir::AffineMap accessMap,
                                                         ForOp loop, bool exact);

// The smallest region holding both, when their starts differ by a constant.
std::optional<DimRegion> unionRegion(const DimRegion &a, const DimRegion &b, unsigned numOuter);

} // namespace kiln::schedule::detail

#endif
