// Program features of a scheduled kl kernel: the fixed-length vector the cost model reads.
//
// Every kl.block (one store) yields per-block features in the spirit of Ansor's: op counts
// times iterations, loop annotations (vector lanes, unroll, parallel extent), per-buffer
// access patterns (bytes, footprint, cache lines, stride along the vector or innermost loop,
// reuse type and distance), arithmetic intensity, accumulator placement (BlockStats.h lists
// them all). Magnitudes are scaled by log2(1 + x). The program vector is, in this order:
//   kernel.*  a few whole-kernel facts (blocks, loops, nests, allocations, parallel share);
//   sum.*     every block feature over all blocks: counts summed before scaling, ratios and
//             flags averaged with each block's work (iterations x ops) as its weight;
//   max.*     ratios and flags: the largest over the blocks;
//   top.*     every block feature of the block with the most work, which mostly sets the
//             kernel's time.
#ifndef KILN_AUTOTUNER_FEATURES_PROGRAMFEATURES_H
#define KILN_AUTOTUNER_FEATURES_PROGRAMFEATURES_H

#include <string>
#include <vector>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace kiln::autotuner {

// Feature names in vector order; the size is the feature count.
std::vector<std::string> programFeatureNames();

// Features of a kernel after its schedule ran (a func.func with kiln.kernel nesting kl.for /
// kl.block). Reads the IR only: no cloning, no printing. Always finite; zeros when the
// kernel holds no block.
std::vector<float> extractProgramFeatures(mlir::func::FuncOp scheduledKernel);

} // namespace kiln::autotuner

#endif
