// The free choices of a sketch, keyed by the loop or block they concern, and how to read them
// back from a trace. Keys: "tile:<loop>" (split factors), "par:<loop>" (loops fused into the
// parallel loop starting at <loop>), "unroll:<loop>", "vec:<loop>" (flags), "loc:<block>"
// (reverse_compute_at target, "" for none), "inline:<block>", "cache:<block>" (flags),
// "pack:<block>:<read index>" (cache_read or layout_rewrite location, "" for none),
// "layout:<block>:<read index>" (flag: layout_rewrite rather than cache_read, for weights),
// "rfactor:<block>" (the loop rfactored, "" for none), "outer:<loop>" (flag: the loop leads
// its reorder; the rules use it to put a weight's panel loop first), "rowwise" (flag: the
// row-wise form of a layer norm or softmax), "rowwise:rows" and "rowwise:lanes" (indices into
// kRowwiseRows and kRowwiseLanes), "slices" (flag: the channel-slice form of a depthwise
// convolution by regions), "slices:lanes" (index into kSliceLanes).
#ifndef KILN_AUTOTUNER_RULES_DECISIONS_H
#define KILN_AUTOTUNER_RULES_DECISIONS_H

#include "passes/schedule/Trace.h"

#include <map>
#include <string>

namespace kiln::autotuner::detail {

// The row-wise form's choices: rows per step of the parallel loop, partial sums per row.
inline constexpr int64_t kRowwiseRows[] = {1, 2, 4, 8};
inline constexpr int64_t kRowwiseLanes[] = {16, 32, 64};
// The channel-slice form's lanes per slice ("slices" flag, "slices:lanes" index).
inline constexpr int64_t kSliceLanes[] = {8, 16, 32};

struct Decision {
  llvm::SmallVector<int64_t> ints; // tile factors (-1: inferred), a count, or a flag (0/1)
  std::string name;                // a location
  bool operator==(const Decision &o) const { return ints == o.ints && name == o.name; }
};

struct Decisions {
  std::map<std::string, Decision> values;
  // Read from a trace: a choice the trace does not mention was not taken (no split, flag
  // off, no fusion, not moved) instead of being drawn at random.
  bool fromTrace = false;
  // Read from another task's trace (same loops, other extents): a tile keeps its inner
  // factors where they divide this task's extent, its outer level recomputed.
  bool adaptTiles = false;

  const Decision *find(const std::string &key) const {
    auto it = values.find(key);
    return it == values.end() ? nullptr : &it->second;
  }
};

// The choices `trace` made, in the keys above.
Decisions decodeDecisions(const schedule::Trace &trace);

} // namespace kiln::autotuner::detail

#endif
