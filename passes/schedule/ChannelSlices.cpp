// The channel-slice schedule (ChannelSlices.h). For a 14x14x384 depthwise 3x3 convolution
// with ReLU6, 16 lanes:
//
//   parallel for c0 in 24:                                 one slice of 16 channels
//     corner:   for pixel: acc = taps of the pixel (vector of 16 lanes); clip into out
//     top edge: for pixel in 12: ...
//     ... the nine regions in turn, the interior's 12x12 pixels with all nine taps
#include "passes/schedule/ChannelSlices.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/RuleHelpers.h"
#include "passes/schedule/Utils.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// The block's last spatial iter var, if every reduce iter var comes after the spatial ones.
static std::optional<unsigned> channelVar(BlockOp block) {
  std::optional<unsigned> last;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    if (!block.isReduceVar(k)) {
      if (last && block.isReduceVar(*last))
        return std::nullopt;
      last = k;
    } else if (!last) {
      return std::nullopt;
    }
  }
  return last && !block.isReduceVar(*last) ? last : std::nullopt;
}

std::optional<int64_t> sliceableChannels(func::FuncOp kernel) {
  SmallVector<std::string> names = blockNames(kernel);
  std::optional<int64_t> channels;
  unsigned reductions = 0;
  int64_t outputBytes = 0; // what the regions' reductions write, about the output's size
  for (const std::string &name : names) {
    BlockOp block = findBlock(kernel, name);
    std::optional<unsigned> c = channelVar(block);
    if (!freshNest(block) || !c || (channels && *channels != block.getDomains()[*c]) ||
        dynamicDomain(block, *c))
      return std::nullopt;
    channels = block.getDomains()[*c];
    reductions += block.hasReduction();
    if (block.hasReduction()) {
      int64_t points = 1;
      for (unsigned k = 0; k < block.getNumIterVars(); ++k)
        if (!block.isReduceVar(k))
          points *= block.getDomains()[k];
      outputBytes += points * 4;
    }
  }
  if (outputBytes > kMaxSliceOutputBytes)
    return std::nullopt;
  if (reductions < 2 || *channels < 2)
    return std::nullopt;
  return channels;
}

// A block's nest: channel sliced by `lanes`, [slice, spatial..., reduce..., lanes], a
// reduction's init hoisted over the reduce loops; returns the slice loop and the loop of the
// last spatial dim before the channel (the pixel loop an epilogue goes under).
static FailureOr<std::pair<std::string, std::string>> sliceNest(Schedule &s, BlockOp block,
                                                                int64_t lanes) {
  std::string name = block.getBlockName().str();
  SmallVector<ForOp> loops = *freshNest(block);
  unsigned c = *channelVar(block);
  std::string channel = loops[c].getLoopName().str();
  SmallVector<std::string> spatial, reduce;
  for (auto [k, loop] : llvm::enumerate(loops))
    if (k != c)
      (block.isReduceVar(k) ? reduce : spatial).push_back(loop.getLoopName().str());
  std::string slice = channel, lane;
  if (lanes < loops[c].getExtent()) {
    FailureOr<SmallVector<std::string>> parts = s.split(channel, {-1, lanes});
    if (failed(parts))
      return failure();
    slice = (*parts)[0];
    lane = (*parts)[1];
  }
  SmallVector<std::string> order{slice};
  order.append(spatial);
  order.append(reduce);
  if (!lane.empty())
    order.push_back(lane);
  if (failed(s.reorder(order)) || failed(s.parallel(slice)))
    return failure();
  std::string vector = lane.empty() ? slice : lane;
  if (!reduce.empty())
    if (auto init = s.decomposeReduction(name, reduce.front()); succeeded(init))
      vectorizeInnermost(s, findBlock(s.getKernel(), *init));
  if (!lane.empty())
    (void)s.vectorize(lane);
  return std::make_pair(slice, spatial.empty() ? slice : spatial.back());
}

static LogicalResult channelSliceSteps(func::FuncOp kernel, Schedule &s, int64_t lanes) {
  SmallVector<std::string> names = blockNames(kernel);
  SmallVector<std::string> sliceLoops;
  std::optional<std::string> pixelLoop; // of the last reduction: where its epilogue goes
  SmallVector<Value> produced;
  for (const std::string &name : names) {
    BlockOp block = findBlock(kernel, name);
    // A spatial block reading the last reduction's output (an epilogue) runs per pixel under
    // it; a reduction, or a spatial block that cannot (a bias-only region), gets a slice loop.
    bool epilogue = !block.hasReduction() && pixelLoop &&
                    llvm::any_of(readBuffers(block),
                                 [&](Value v) { return llvm::is_contained(produced, v); });
    if (epilogue && succeeded(s.reverseComputeAt(name, *pixelLoop))) {
      vectorizeInnermost(s, findBlock(kernel, name));
      continue;
    }
    auto loops = sliceNest(s, block, lanes);
    if (failed(loops))
      return failure();
    sliceLoops.push_back(loops->first);
    pixelLoop = loops->second;
    produced = writtenBuffers(findBlock(kernel, name));
  }
  for (size_t i = 1; i < sliceLoops.size(); ++i)
    if (failed(s.fuseSiblings(sliceLoops.front(), sliceLoops[i])))
      return failure();
  return success();
}

bool scheduleChannelSlices(func::FuncOp kernel, Schedule &s, int64_t lanes) {
  // At least two slices: one would leave a single parallel iteration.
  std::optional<int64_t> channels = sliceableChannels(kernel);
  if (!channels || *channels % lanes != 0 || *channels / lanes < 2)
    return false;
  return applyWhole(s, [&](func::FuncOp k, Schedule &t) { return channelSliceSteps(k, t, lanes); });
}

} // namespace kiln::schedule
