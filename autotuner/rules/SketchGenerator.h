// Applies the sketch rules to a kernel, resolving each free choice from given decisions or at
// random, and records the choice points met on the way (what a mutation may change).
#ifndef KILN_AUTOTUNER_RULES_SKETCHGENERATOR_H
#define KILN_AUTOTUNER_RULES_SKETCHGENERATOR_H

#include "autotuner/rules/Decisions.h"
#include "autotuner/rules/TileSampling.h"
#include "passes/schedule/Schedule.h"

namespace kiln::autotuner::detail {

// The longest loop the rules vectorize (codegen splits it into machine vectors).
inline constexpr int64_t kMaxVectorLanes = 64;

struct ChoicePoint {
  enum class Kind { Tile, Flag, Count, Location };
  Kind kind;
  std::string key;
  int64_t extent = 0;                   // Tile: the loop's extent
  int64_t maxInnermost = 0;             // Tile: cap on the innermost factor (0: none)
  int64_t maxCount = 0;                 // Count: values 0..maxCount
  llvm::SmallVector<std::string> candidates; // Location
};

class SketchGenerator {
public:
  // `kernel` (a clone, modified in place) is scheduled under `decisions`, which receives every
  // choice drawn at random.
  SketchGenerator(mlir::func::FuncOp kernel, Decisions &decisions, Rng &rng)
      : kernel(kernel), decisions(decisions), rng(rng), s(kernel) {}

  void run();
  const schedule::Trace &trace() const { return s.trace(); }
  llvm::ArrayRef<ChoicePoint> choicePoints() const { return points; }

private:
  // --- choices (SketchChoices.cpp)
  void addPoint(ChoicePoint point); // once per key
  bool flag(const std::string &key, double pOn);
  // A value in [0, weights.size()), drawn with the given weights.
  int64_t count(const std::string &key, llvm::ArrayRef<double> weights);
  std::string location(const std::string &key, llvm::ArrayRef<std::string> candidates,
                       llvm::ArrayRef<double> weights);
  // A recorded tile of `levels` factors for the loop, or nullopt (to be drawn). A 2-level
  // decision read from another schedule is widened to `levels`, its inner factor at level
  // `innerLevel`. Without a decision in a trace read back, the loop stays whole (outermost).
  std::optional<llvm::SmallVector<int64_t>> knownTile(const std::string &key, int64_t extent,
                                                      unsigned levels, unsigned innerLevel);
  void recordTile(const std::string &key, int64_t extent, int64_t maxInnermost,
                  llvm::ArrayRef<int64_t> tile);

  // --- rules (SketchRules.cpp, MultiLevelTiling.cpp)
  void inlineProducers();
  // The row-wise form (passes/schedule/RowwiseSchedule.h) of a layer norm or softmax, with
  // its row tile and partial sums drawn; false when not taken (the kernel is untouched).
  bool scheduleRowwise();
  // The channel-slice form (passes/schedule/ChannelSlices.h) of a depthwise convolution by
  // regions, its lanes drawn; false when not taken (the kernel is untouched). Its traces do
  // not decode back into this choice: a mutation of one falls back to per-region loops.
  bool scheduleChannelSlices();
  // Merges adjacent top-level parallel loops of one extent (row-wise stages) where legal.
  void fuseSiblingLoops();
  void scheduleSpatial(llvm::SmallVector<loop::ForOp> loops);
  // Tiles a reduction block SSRSRS; returns the loops above its reduce loops (outermost
  // first) where consumers may be computed.
  llvm::SmallVector<std::string> tileReduction(loop::BlockOp block,
                                               llvm::SmallVector<loop::ForOp> loops);
  // The rfactor rule (RfactorRule.cpp) for a reduction whose loop `r` rfactorLoop picked;
  // false when the choice is not to (the nest is untouched). Fills the loops consumers may
  // move under.
  bool rfactorReduction(loop::BlockOp block, llvm::SmallVector<loop::ForOp> loops, unsigned r,
                        llvm::SmallVector<std::string> &locations);
  llvm::SmallVector<llvm::SmallVector<int64_t>>
  drawSpatialTiles(loop::BlockOp block, llvm::ArrayRef<loop::ForOp> loops,
                   llvm::ArrayRef<unsigned> spatial, unsigned vec, bool vectorizable);
  // For each buffer the block reads whose last index follows iter var `vec` (the vector
  // lanes: B of a matmul, a convolution's weights), optionally copies the region read under
  // one of `locations` into a compact local buffer (cache_read) and vectorizes the copy.
  void packLaneOperands(const std::string &block, unsigned vec,
                        llvm::ArrayRef<std::string> locations);
  // Moves `consumer` under one of `locations` (or leaves it); true when it moved.
  bool fuseConsumer(const std::string &consumer, llvm::ArrayRef<std::string> locations);
  // Fuses the first `count` loops of `chain` and parallelizes the result; returns its name.
  // `count` grows past loops that would leave the parallel extent at 1.
  std::optional<std::string> fuseParallel(llvm::ArrayRef<std::string> chain, int64_t &count);
  // Vectorizes the loop around `block` (split by a vector width when longer than 64) if the
  // decision keyed by that loop says so.
  void vectorizeInnermost(const std::string &block, bool choice);

  mlir::func::FuncOp kernel;
  Decisions &decisions;
  Rng &rng;
  schedule::Schedule s;
  llvm::SmallVector<ChoicePoint> points;
};

// The vector width the default schedule prefers for a loop of `extent` (whole up to 16, else
// 16 or 8 when dividing, else the largest divisor up to 16).
int64_t preferredVectorWidth(int64_t extent);

} // namespace kiln::autotuner::detail

#endif
