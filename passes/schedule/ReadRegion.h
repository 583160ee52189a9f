// The region of a buffer a block reads during one iteration of a loop, as cache_read copies it
// per iteration and layout_rewrite lays it out for every iteration at once.
#ifndef KILN_PASSES_SCHEDULE_READREGION_H
#define KILN_PASSES_SCHEDULE_READREGION_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/AffineExpr.h"

#include <optional>
#include <string>

namespace kiln::schedule::detail {

// How one dim of the region maps to a compact buffer: global index i sits at
// `(i - shift) mod modulus` (no mod when modulus is 0). The region's start is `shift` plus
// terms of the outer loop vars that are all multiples of `modulus`, and extent <= modulus,
// so the mod removes exactly the start's loop-dependent part; `(i - shift) floordiv modulus`
// numbers the window.
struct CachedDim {
  mlir::AffineExpr start; // over outerVars(loop)
  int64_t extent;
  int64_t shift = 0;
  int64_t modulus = 0;
  mlir::AffineExpr local(mlir::AffineExpr index) const {
    return modulus ? (index - shift) % modulus : index - shift;
  }
};

struct DimRegion;

// The compact form of a region dim of a buffer dim of `size`; null when no mod separates the
// windows of consecutive iterations (a convolution's halo) or the index does not split into
// loop-invariant and varying parts: copying the whole dim would read elements the block never
// reads, which may not be written yet.
std::optional<CachedDim> cachedDim(const std::optional<DimRegion> &region, int64_t size,
                                   mlir::MLIRContext *ctx);

struct ReadRegion {
  mlir::Value buffer;
  mlir::MemRefType type;
  llvm::SmallVector<mlir::affine::AffineLoadOp> loads; // the block's loads of the buffer
  llvm::SmallVector<mlir::AffineMap> maps;             // their indices over the iter vars
  llvm::SmallVector<CachedDim> dims;                   // one per buffer dim
};

// The region of the block's `readIndex`-th read buffer (readBuffers order) read in one
// iteration of `loop`; failure with the reason in `why` when it is not a set of windows that
// iterations of the loop tile (see cache_read in Schedule.h).
mlir::FailureOr<ReadRegion> analyzeReadRegion(loop::BlockOp block, int64_t readIndex,
                                              loop::ForOp loop, std::string &why);

// Replaces `op` (an affine.load or affine.store of a block) by the same access of `buffer`
// at `results` (over the iter vars, the arguments of the op's region entry), passing only the
// iter vars used.
void rewriteAccess(mlir::Operation *op, mlir::Value buffer,
                   llvm::ArrayRef<mlir::AffineExpr> results);

} // namespace kiln::schedule::detail

#endif
