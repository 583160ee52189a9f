// The channel-slice schedule: a depthwise convolution lowered by regions (one reduction block
// per region of equal taps, each maybe followed by its epilogue block) runs as one parallel
// loop over slices of channels, every region's block computed for a slice in turn. Scheduled
// one by one, the nine regions of a 3x3 convolution were nine fork-joins of a few microseconds
// of work each (MobileNetV2's 14x14 and 7x7 depthwise layers: 0.4-0.7x onnxruntime).
#ifndef KILN_PASSES_SCHEDULE_CHANNELSLICES_H
#define KILN_PASSES_SCHEDULE_CHANNELSLICES_H

#include "passes/schedule/Schedule.h"

namespace kiln::schedule {

// Slices split the image by channel while the kernels around it split it by rows: each core
// then reads the half of the image the other core wrote. Past this output size that costs
// more than the fork-joins saved (MobileNetV2's 56x56 and 112x112 layers, 1.2-1.8 MB: 131 ->
// 216 us in the model, though faster timed alone; its 28x28x192 layer, 0.6 MB, broke even),
// so larger convolutions keep per-region loops.
inline constexpr int64_t kMaxSliceOutputBytes = 1 << 20;

// The channel count when `kernel` (freshly lowered) has at least two reduction blocks, every
// block in a fresh nest, and every block's last spatial iter var (the channel) of one static
// extent, the reduce iter vars after the spatial ones, writing at most kMaxSliceOutputBytes;
// std::nullopt otherwise.
std::optional<int64_t> sliceableChannels(mlir::func::FuncOp kernel);

// Schedules such a kernel through `s`: each reduction splits its channel by `lanes` (the
// vector), the slice loop outermost and parallel, its taps inside each pixel; each spatial
// block after a reduction that reads it (an epilogue) runs per pixel under it; then the slice
// loops of all nests merge (fuse_siblings). Returns false, with the kernel and trace
// untouched, when it does not apply or `lanes` does not split the channels into two or more
// slices (the steps are tried on a copy first).
bool scheduleChannelSlices(mlir::func::FuncOp kernel, Schedule &s, int64_t lanes);

// The default schedule slices by 16 lanes from this many channels on: with fewer, each slice
// reads a fraction of every input line across the whole image (112x112x32 in 8-lane slices:
// 39 -> 183 us), and the regions' own parallel loops do better.
inline constexpr int64_t kMinDefaultSliceChannels = 64;

} // namespace kiln::schedule

#endif
