// Raw per-store (per-block) statistics of a scheduled kernel and their fixed feature layout.
//
// BlockStats is filled by analyzeBlock (BlockAnalysis.cpp) from the loop IR; describeBlock
// walks it in the one fixed order that both the feature names and the feature values use,
// so the two can never drift apart. Plain C++: no MLIR types here.
#ifndef KILN_AUTOTUNER_FEATURES_BLOCKSTATS_H
#define KILN_AUTOTUNER_FEATURES_BLOCKSTATS_H

#include <array>

namespace kiln::autotuner::detail {

// How a feature is scaled and aggregated over the blocks of a kernel (ProgramFeatures.cpp).
enum class FeatureKind {
  Count, // a magnitude: log2(1 + x); summed over blocks before scaling
  Ratio, // a non-additive magnitude: log2(1 + x); work-weighted mean and max over blocks
  Flag,  // 0/1 or a small class: as is; work-weighted mean and max over blocks
};

// Buffers described per block, the most bytes touched first.
constexpr unsigned kMaxBuffers = 5;
// Footprints of the innermost 1..kInnerLevels loops.
constexpr unsigned kInnerLevels = 4;

// One buffer as the block accesses it (every load/store of it in the body and init).
struct BufferStats {
  bool present = false; // a slot past the block's buffers stays all zero
  bool read = false, write = false;
  bool local = false; // a memref.alloc of the kernel, not an argument
  double elemBytes = 0;
  double accessesPerIter = 0; // load/store ops on it per block iteration
  double bytes = 0;           // touched, counting repeats
  double uniqueBytes = 0;     // footprint over the whole nest
  double lines = 0;           // 64-byte lines touched, each innermost-loop run counted anew
  double uniqueLines = 0;     // lines of the footprint
  double stride = 0;          // elements per step of the vector loop (else the innermost)
  int strideClass = 0;        // 0: invariant, 1: unit, 2: larger
  int reuseType = 0;          // 0: none, 1: invariant along a loop, 2: several accesses
  double reuseDistIters = 0;  // iterations between reuses (loops inside the reuse loop)
  double reuseDistBytes = 0;  // bytes the block touches in between
  double reuseCount = 0;      // extent of the reuse loop
  double bytesPerReuse = 0;   // bytes / reuseCount
};

// Operation counts, each already multiplied by how often the op runs.
struct OpCounts {
  double addSub = 0, mul = 0, div = 0, fmaLike = 0, math = 0, floatCmp = 0, minMax = 0;
  double select = 0, intArith = 0, intCmp = 0, cast = 0;
};

struct BlockStats {
  OpCounts ops;
  double flops = 0; // float arithmetic, compares and math calls
  double iterations = 0, points = 0, paddingRatio = 0;
  bool predicated = false, hasInit = false, reduction = false;
  double reduceVars = 0;
  double outputBytes = 0;
  bool outputLocal = false;
  double intensityUnique = 0, intensityTouched = 0;

  double numLoops = 0, vectorLanes = 0;
  bool vectorInnermost = false, vectorOverReduce = false;
  double unrollProduct = 0, numUnrolled = 0;
  bool unrollInnermost = false;
  double parallelExtent = 0, numParallel = 0;
  bool outerParallel = false;
  double workPerThread = 0;
  double innermostExtent = 0, innermostSpatialExtent = 0, innermostReduceExtent = 0;
  bool reduceInnermost = false;
  double accumulatorTile = 0;
  bool accumulatorInRegisters = false;
  std::array<double, kInnerLevels> innerFootprint{}, innerIntensity{};
  double parallelIterFootprint = 0; // bytes one iteration of the outermost parallel loop touches

  std::array<BufferStats, kMaxBuffers> buffers{};
  unsigned numBuffers = 0;

  // Not features: the aggregation weight and kernel-level facts.
  double work = 0; // iterations * (ops + accesses) per iteration
  bool underParallel = false;
};

// Calls add(slot, name, kind, rawValue) for every per-block feature in the fixed order; slot
// is -1 for block features and the buffer index for buffer features ("buf<slot>.<name>").
template <typename Add>
void describeBlock(const BlockStats &s, Add &&add) {
  using K = FeatureKind;
  const OpCounts &o = s.ops;
  add(-1, "float_addsub", K::Count, o.addSub);
  add(-1, "float_mul", K::Count, o.mul);
  add(-1, "float_div", K::Count, o.div);
  add(-1, "float_fma_like", K::Count, o.fmaLike);
  add(-1, "float_math", K::Count, o.math);
  add(-1, "float_cmp", K::Count, o.floatCmp);
  add(-1, "float_minmax", K::Count, o.minMax);
  add(-1, "select", K::Count, o.select);
  add(-1, "int_arith", K::Count, o.intArith);
  add(-1, "int_cmp", K::Count, o.intCmp);
  add(-1, "cast", K::Count, o.cast);
  add(-1, "flops", K::Count, s.flops);
  add(-1, "iterations", K::Count, s.iterations);
  add(-1, "points", K::Count, s.points);
  add(-1, "padding_ratio", K::Ratio, s.paddingRatio);
  add(-1, "predicated", K::Flag, s.predicated);
  add(-1, "has_init", K::Flag, s.hasInit);
  add(-1, "reduction", K::Flag, s.reduction);
  add(-1, "reduce_vars", K::Ratio, s.reduceVars);
  add(-1, "output_bytes", K::Count, s.outputBytes);
  add(-1, "output_local", K::Flag, s.outputLocal);
  add(-1, "intensity_unique", K::Ratio, s.intensityUnique);
  add(-1, "intensity_touched", K::Ratio, s.intensityTouched);
  add(-1, "num_loops", K::Ratio, s.numLoops);
  add(-1, "vector_lanes", K::Ratio, s.vectorLanes);
  add(-1, "vector_innermost", K::Flag, s.vectorInnermost);
  add(-1, "vector_over_reduce", K::Flag, s.vectorOverReduce);
  add(-1, "unroll_product", K::Ratio, s.unrollProduct);
  add(-1, "num_unrolled", K::Ratio, s.numUnrolled);
  add(-1, "unroll_innermost", K::Flag, s.unrollInnermost);
  add(-1, "parallel_extent", K::Ratio, s.parallelExtent);
  add(-1, "num_parallel", K::Ratio, s.numParallel);
  add(-1, "outer_parallel", K::Flag, s.outerParallel);
  add(-1, "work_per_thread", K::Count, s.workPerThread);
  add(-1, "innermost_extent", K::Ratio, s.innermostExtent);
  add(-1, "innermost_spatial_extent", K::Ratio, s.innermostSpatialExtent);
  add(-1, "innermost_reduce_extent", K::Ratio, s.innermostReduceExtent);
  add(-1, "reduce_innermost", K::Flag, s.reduceInnermost);
  add(-1, "accumulator_tile", K::Ratio, s.accumulatorTile);
  add(-1, "accumulator_in_registers", K::Flag, s.accumulatorInRegisters);
  static const char *const footprintNames[kInnerLevels] = {
      "footprint_inner1", "footprint_inner2", "footprint_inner3", "footprint_inner4"};
  static const char *const intensityNames[kInnerLevels] = {
      "intensity_inner1", "intensity_inner2", "intensity_inner3", "intensity_inner4"};
  for (unsigned k = 0; k < kInnerLevels; ++k)
    add(-1, footprintNames[k], K::Ratio, s.innerFootprint[k]);
  for (unsigned k = 0; k < kInnerLevels; ++k)
    add(-1, intensityNames[k], K::Ratio, s.innerIntensity[k]);
  add(-1, "parallel_iter_footprint", K::Ratio, s.parallelIterFootprint);

  for (unsigned i = 0; i < kMaxBuffers; ++i) {
    const BufferStats &b = s.buffers[i];
    int slot = static_cast<int>(i);
    add(slot, "read", K::Flag, b.read);
    add(slot, "write", K::Flag, b.write);
    add(slot, "local", K::Flag, b.local);
    add(slot, "elem_bytes", K::Ratio, b.elemBytes);
    add(slot, "accesses_per_iter", K::Ratio, b.accessesPerIter);
    add(slot, "bytes", K::Count, b.bytes);
    add(slot, "unique_bytes", K::Count, b.uniqueBytes);
    add(slot, "lines", K::Count, b.lines);
    add(slot, "unique_lines", K::Count, b.uniqueLines);
    add(slot, "stride", K::Ratio, b.stride);
    add(slot, "stride_zero", K::Flag, b.present && b.strideClass == 0);
    add(slot, "stride_unit", K::Flag, b.strideClass == 1);
    add(slot, "stride_large", K::Flag, b.strideClass == 2);
    add(slot, "reuse_none", K::Flag, b.present && b.reuseType == 0);
    add(slot, "reuse_loop", K::Flag, b.reuseType == 1);
    add(slot, "reuse_serial", K::Flag, b.reuseType == 2);
    add(slot, "reuse_dist_iters", K::Ratio, b.reuseDistIters);
    add(slot, "reuse_dist_bytes", K::Ratio, b.reuseDistBytes);
    add(slot, "reuse_count", K::Ratio, b.reuseCount);
    add(slot, "bytes_per_reuse", K::Count, b.bytesPerReuse);
  }
}

} // namespace kiln::autotuner::detail

#endif
