// The row-wise schedule (RowwiseSchedule.h). For layer norm on 128x768 with 4 rows per
// iteration it gives:
//
//   parallel for r0 in 32:                      the consumer's rows, 4 at a time
//     for j0 in 48: for r in 4: vector j1 in 16: mean.rf[r, j1] += x[4 r0 + r, 16 j0 + j1]
//     mean[r] = sum of mean.rf[r, :]            (and var the same way, then 1 / sqrt(var))
//     for r in 4: for j0 in 48: vector j1: y[...] = (x - mean) * rstd * gamma + beta
//
// Before, each stage was a parallel loop of its own over all rows (four fork-joins, the
// input streamed three times from L2), and each row's reduction one chain of dependent adds.
#include "passes/schedule/RowwiseSchedule.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

static SmallVector<int64_t> spatialDomains(BlockOp block) {
  SmallVector<int64_t> domains;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (!block.isReduceVar(k))
      domains.push_back(block.getDomains()[k]);
  return domains;
}

static bool hasRuntimeDomain(BlockOp block) {
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (dynamicDomain(block, k))
      return true;
  return false;
}

bool isRowwiseKernel(func::FuncOp kernel) {
  SmallVector<std::string> names = blockNames(kernel);
  if (names.size() < 2)
    return false;
  BlockOp consumer = findBlock(kernel, names.back());
  ArrayRef<int64_t> shape = consumer.getDomains();
  if (consumer.hasReduction() || shape.size() < 2 || !freshNest(consumer) ||
      hasRuntimeDomain(consumer))
    return false;
  ArrayRef<int64_t> rows = shape.drop_back();
  SmallVector<int64_t> rowsKeepDims(rows);
  rowsKeepDims.push_back(1);
  bool anyReduction = false;
  for (const std::string &name : ArrayRef(names).drop_back()) {
    BlockOp block = findBlock(kernel, name);
    if (!freshNest(block) || hasRuntimeDomain(block))
      return false;
    ArrayRef<int64_t> domains = block.getDomains();
    if (block.hasReduction()) {
      // One reduce var, the last, over a whole row.
      for (unsigned k = 0; k + 1 < block.getNumIterVars(); ++k)
        if (block.isReduceVar(k))
          return false;
      if (!block.isReduceVar(domains.size() - 1) || domains.back() != shape.back() ||
          ArrayRef(spatialDomains(block)) != rows)
        return false;
      anyReduction = true;
    } else if (domains != rows && domains != ArrayRef(rowsKeepDims) && domains != shape) {
      return false;
    }
  }
  return anyReduction;
}

// The loops around `block` inside `outer`, outermost first.
static SmallVector<std::string> loopsInside(BlockOp block, StringRef outer) {
  SmallVector<std::string> names;
  bool inside = false;
  for (ForOp loop : enclosingLoops(block)) {
    if (inside)
      names.push_back(loop.getLoopName().str());
    inside |= loop.getLoopName() == outer;
  }
  return names;
}

// The steps on `s`; failure as soon as one does not apply.
static LogicalResult rowwiseSteps(func::FuncOp kernel, Schedule &s, RowwiseChoice choice) {
  SmallVector<std::string> names = blockNames(kernel);
  std::string consumer = names.back();
  SmallVector<ForOp> loops = *freshNest(findBlock(kernel, consumer));
  // The loops themselves are replaced as they are split: keep what is needed of them.
  int64_t columns = loops.back().getExtent();
  // Rows: the consumer's last row loop split by the row tile, everything outside it parallel.
  SmallVector<std::string> outer;
  for (ForOp loop : ArrayRef(loops).drop_back())
    outer.push_back(loop.getLoopName().str());
  int64_t lastRows = loops[loops.size() - 2].getExtent();
  int64_t rowTile = choice.rows;
  if (rowTile < 1 || lastRows % rowTile != 0 || lastRows <= rowTile)
    rowTile = 1;
  // Split even by 1: the trace's first split is then always the row tile (Decisions.cpp).
  FailureOr<SmallVector<std::string>> parts = s.split(outer.back(), {-1, rowTile});
  if (failed(parts))
    return failure();
  outer.back() = (*parts)[0];
  FailureOr<std::string> rowLoop = outer.size() == 1 ? FailureOr<std::string>(outer[0])
                                                     : s.fuse(outer);
  if (failed(rowLoop))
    return failure();
  vectorizeInnermost(s, findBlock(kernel, consumer));

  // Every producer moves under the row loop, the last first (each before its readers).
  for (const std::string &name : llvm::reverse(ArrayRef(names).drop_back()))
    if (failed(s.computeAt(name, *rowLoop)))
      return failure();
  for (const std::string &name : ArrayRef(names).drop_back()) {
    BlockOp block = findBlock(kernel, name);
    SmallVector<std::string> inner = loopsInside(block, *rowLoop);
    // Exactly the tile's rows: a region analysis that lost track would recompute whole
    // rows of rows.
    int64_t volume = 1;
    for (const std::string &l : ArrayRef(inner).drop_back(block.hasReduction() ? 1 : 0))
      volume *= findLoop(kernel, l).getExtent();
    bool wholeRows = !block.hasReduction() &&
                     block.getDomains() == findBlock(kernel, consumer).getDomains();
    if (volume != rowTile * (wholeRows ? columns : 1))
      return failure();
    if (!block.hasReduction()) {
      vectorizeInnermost(s, block);
      continue;
    }
    // The row's reduction as `lanes` partial sums, the tile's rows inside each step.
    std::string reduceLoop = inner.pop_back_val();
    int64_t extent = findLoop(kernel, reduceLoop).getExtent();
    int64_t lanes = extent % choice.lanes == 0 ? choice.lanes : vectorWidth(extent);
    // Split even when one step covers the row: the first split after a compute_at is then
    // always the lanes (Decisions.cpp).
    if (lanes <= 1)
      continue;
    FailureOr<SmallVector<std::string>> steps = s.split(reduceLoop, {-1, lanes});
    if (failed(steps))
      return failure();
    SmallVector<std::string> order{(*steps)[0]};
    order.append(inner);
    if (!inner.empty() && failed(s.reorder(order)))
      return failure();
    FailureOr<std::string> partial = s.rfactor(name, (*steps)[1]);
    if (failed(partial))
      return failure();
    if (auto init = s.decomposeReduction(*partial, (*steps)[0]); succeeded(init))
      vectorizeInnermost(s, findBlock(kernel, *init));
    if (failed(s.vectorize((*steps)[1])))
      return failure();
  }
  // Parallel last: compute_at moves no reduction under a parallel loop.
  return s.parallel(*rowLoop);
}

bool scheduleRowwise(func::FuncOp kernel, Schedule &s, RowwiseChoice choice) {
  if (!isRowwiseKernel(kernel))
    return false;
  return applyWhole(s, [&](func::FuncOp k, Schedule &t) { return rowwiseSteps(k, t, choice); });
}

} // namespace kiln::schedule
