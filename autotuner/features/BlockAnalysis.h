// Per-block analysis of a scheduled kernel: the raw statistics the program features are made of.
#ifndef KILN_AUTOTUNER_FEATURES_BLOCKANALYSIS_H
#define KILN_AUTOTUNER_FEATURES_BLOCKANALYSIS_H

#include "autotuner/features/BlockStats.h"
#include "ir/loop/LoopDialect.h"

#include "mlir/IR/AffineMap.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln::autotuner::detail {

// Statistics of one kl.block (one store) in its loop nest: operation counts, loop
// annotations, and how it touches each buffer (see BlockStats.h). Reads the IR only.
BlockStats analyzeBlock(loop::BlockOp block);

// The loop nest around a block, outermost loop first.
struct Nest {
  llvm::SmallVector<loop::ForOp> loops;
  llvm::SmallVector<int64_t> extents;
  llvm::SmallVector<llvm::StringRef> kinds; // ForOp::kSerial, kParallel, ...
  // The block's bindings as a map over loop positions (dim l is loops[l]'s variable).
  mlir::AffineMap bindings;
  // Whether loop l feeds a spatial / reduce iter var of the block.
  llvm::SmallVector<bool> spatial, reduce;
  int strideLoop = -1;        // the innermost vectorized loop, else the innermost loop
  int outerParallelLoop = -1; // the outermost parallel loop
  double iterations = 1;      // product of the loop extents
  double spatialPoints = 1;   // how often the init runs: product of spatial domains
};

// Fills the buffer statistics of `stats` (buffers, numBuffers, innerFootprint,
// parallelIterFootprint, outputBytes, outputLocal) and returns the bytes touched and the
// unique bytes over all buffers.
std::pair<double, double> analyzeBuffers(loop::BlockOp block, const Nest &nest,
                                         BlockStats &stats);

// Operation counts of one execution of `region` (scaled by the caller).
OpCounts countOps(mlir::Region &region);

} // namespace kiln::autotuner::detail

#endif
