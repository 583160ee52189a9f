// Building kl kernels: loop nests around blocks, buffers for tensors, broadcast loads.
#ifndef KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_KERNELBUILDER_H
#define KILN_PASSES_CONVERSION_GRAPH_TO_LOOP_KERNELBUILDER_H

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <string>

namespace kiln::graph {
class ConvOp;
} // namespace kiln::graph

namespace kiln::lowering {

// One iter var of a block and the loop that binds it.
struct Axis {
  std::string name;
  int64_t extent;
  bool reduce = false;
};

// Float ops in kernels may be reassociated and contracted (vectorized reductions, FMA), but
// keep inf/NaN semantics: max-pooling starts from -inf.
constexpr mlir::arith::FastMathFlags kFastMath =
    mlir::arith::FastMathFlags::reassoc | mlir::arith::FastMathFlags::contract;

// kg keeps ONNX's signedness (ui8, i8, ...) in tensor types; kl buffers and arith ops need
// signless integers, so lowerings store `storageType(t)` and pick the signed or unsigned op
// variant (division, comparison, extension, int<->float) from `isUnsignedInt(t)` of the kg type,
// which holds for bool as well.
mlir::Type storageType(mlir::Type elementType);
bool isUnsignedInt(mlir::Type elementType);
// A buffer type for a kg tensor shape and element type.
mlir::MemRefType bufferType(llvm::ArrayRef<int64_t> shape, mlir::Type elementType);

using RegionFn = std::function<void(mlir::OpBuilder &, mlir::ValueRange iterVars)>;

class KernelBuilder {
public:
  KernelBuilder(mlir::OpBuilder &builder, mlir::Location loc) : b(builder), loc(loc) {}

  mlir::OpBuilder &b;
  mlir::Location loc;

  // A kernel-unique name derived from `base` ("conv", "conv_1", ...).
  std::string uniqueName(llvm::StringRef base);

  // Emits a perfect nest of serial loops "<block>.<axis>" around a block with identity
  // bindings; `init` (optional) runs when all reduce iter vars are 0.
  loop::BlockOp emitBlock(llvm::StringRef baseName, llvm::ArrayRef<Axis> axes,
                          const RegionFn &body, const RegionFn &init = nullptr);

  // The memref holding a tensor value (kernel argument or intermediate).
  mlir::Value buffer(mlir::Value tensor) const { return buffers.lookup(tensor); }
  void bind(mlir::Value tensor, mlir::Value memref) { buffers[tensor] = memref; }
  // A new intermediate buffer at the top of the kernel.
  mlir::Value allocate(mlir::MemRefType type);
  void setAllocPoint(mlir::Block *block) { allocBlock = block; }

  // affine.load of `tensor` at `resultIndex` with numpy broadcasting: `resultIndex` indexes a
  // result of rank >= the tensor's; missing leading dims are dropped, size-1 dims read 0.
  mlir::Value loadBroadcast(mlir::OpBuilder &rb, mlir::Value tensor, mlir::ValueRange resultIndex);
  // The same at a result index given as affine expressions of `dims`.
  mlir::Value loadBroadcast(mlir::OpBuilder &rb, mlir::Value tensor,
                            llvm::ArrayRef<mlir::AffineExpr> resultIndex, mlir::ValueRange dims);
  // affine.load of a memref at affine expressions of `dims`.
  mlir::Value load(mlir::OpBuilder &rb, mlir::Value memref, llvm::ArrayRef<mlir::AffineExpr> exprs,
                   mlir::ValueRange dims);
  void store(mlir::OpBuilder &rb, mlir::Value value, mlir::Value memref, mlir::ValueRange index);
  void store(mlir::OpBuilder &rb, mlir::Value value, mlir::Value memref,
             llvm::ArrayRef<mlir::AffineExpr> exprs, mlir::ValueRange dims);

  mlir::Value constantFloat(mlir::OpBuilder &rb, mlir::Type type, double value);

private:
  llvm::StringMap<int> nameCounts;
  llvm::DenseMap<mlir::Value, mlir::Value> buffers;
  mlir::Block *allocBlock = nullptr;
};

// Axes "i0".."iN" over a shape, all spatial.
llvm::SmallVector<Axis> spatialAxes(llvm::ArrayRef<int64_t> shape);

// Every combination of one element of each of `choices`, the first list slowest.
template <typename T>
llvm::SmallVector<llvm::SmallVector<T>>
cartesianProduct(llvm::ArrayRef<llvm::SmallVector<T>> choices) {
  llvm::SmallVector<llvm::SmallVector<T>> combinations = {{}};
  for (const llvm::SmallVector<T> &options : choices) {
    llvm::SmallVector<llvm::SmallVector<T>> next;
    for (const llvm::SmallVector<T> &prefix : combinations)
      for (const T &option : options) {
        next.push_back(prefix);
        next.back().push_back(option);
      }
    combinations = std::move(next);
  }
  return combinations;
}

// Output positions [first, first + count) along one spatial dim whose windows all read taps
// [tapBegin, tapEnd) inside the unpadded input; their other taps fall in the padding.
struct WindowRange {
  int64_t first, count, tapBegin, tapEnd;
};

// The maximal runs of outputs with equal in-bounds taps, for windows of `kernel` taps spaced
// `dilation` apart, `stride` apart, starting `padBegin` before the input.
llvm::SmallVector<WindowRange> windowRanges(int64_t outSize, int64_t inSize, int64_t kernel,
                                            int64_t stride, int64_t dilation, int64_t padBegin);

// "y", "x", "z", "w", then "s4"...: the name of spatial dim i of a window op, with `prefix`
// ("r" for the window's taps).
std::string spatialAxisName(size_t i, const char *prefix = "");

// A copy of an input with the given pads (begins then ends) of its spatial dims filled with
// `padValue`; the spatial dims start at `firstSpatial` (2 for NCHW, 1 for channels last).
mlir::Value emitPad(KernelBuilder &kb, mlir::Value input, llvm::ArrayRef<int64_t> pads,
                    double padValue, size_t firstSpatial = 2);
// The zero-padded input split by phase for a strided window:
// P[n, c, a..., q...] = padded[n, c, q * stride + a], rows rounded up to whole vectors.
mlir::Value emitPhaseSplitPad(KernelBuilder &kb, mlir::Value input, llvm::ArrayRef<int64_t> pads,
                              llvm::ArrayRef<int64_t> strides);

// One reduction block: the sum (or mean) of `input` over sorted `axes` into `out`.
mlir::LogicalResult emitReduction(KernelBuilder &kb, llvm::StringRef name, mlir::Value input,
                                  llvm::ArrayRef<int64_t> axes, bool keepdims, bool mean,
                                  mlir::Value out);

// Lowers one kg op: reads its operands' buffers from `kb`, writes `out`.
using OpLowering = std::function<mlir::LogicalResult(KernelBuilder &kb, mlir::Operation *op,
                                                     mlir::Value out)>;
using LoweringRegistry = llvm::StringMap<OpLowering>;

void populateElementwiseLowerings(LoweringRegistry &registry);
void populateConvLowerings(LoweringRegistry &registry);
void populateConvTransposeLowerings(LoweringRegistry &registry);
void populatePoolLowerings(LoweringRegistry &registry);
void populateMatMulLowerings(LoweringRegistry &registry);
void populateNormalizationLowerings(LoweringRegistry &registry);
void populateQuantizeLowerings(LoweringRegistry &registry);
void populateReduceLowerings(LoweringRegistry &registry);
void populateDataMovementLowerings(LoweringRegistry &registry);

// The elementwise ops after `producer` that its own blocks can compute on each value before
// storing it (Epilogue.cpp): a chain of single-use, same-shape f32 ops whose other operands
// exist before it. For ops whose output several blocks write.
llvm::SmallVector<mlir::Operation *> fusableEpilogue(mlir::Operation *producer);

// `v`, an element of `produced` at `index`, through `epilogue`: the other operands are loaded
// (broadcast) at `index`. Null, with `unsupported` set, when an op has no f32 scalar form.
mlir::Value applyEpilogue(KernelBuilder &kb, mlir::OpBuilder &rb,
                          llvm::ArrayRef<mlir::Operation *> epilogue, mlir::Value produced,
                          mlir::Value v, llvm::ArrayRef<mlir::AffineExpr> index,
                          mlir::ValueRange iv, mlir::Operation *&unsupported);

// kg.winograd_conv (WinogradConv.cpp). Its output transform also computes `epilogue`
// (fusableEpilogue) on each value before storing it to `out`, the last epilogue op's buffer:
// the output is written once.
mlir::LogicalResult lowerWinogradConv(KernelBuilder &kb, mlir::Operation *winogradConv,
                                      llvm::ArrayRef<mlir::Operation *> epilogue,
                                      mlir::Value out);

// A channels-last convolution that reads its input unpadded, one block per region of equal
// taps (ConvChannelsLast.cpp): a depthwise one with padding.
bool readsInputByRegions(graph::ConvOp op);
// Lowers it with `epilogue` (fusableEpilogue) computed per region: each region's block writes
// a scratch buffer and a block of its own, right after it, applies the epilogue into `out`,
// so that the schedule can run it in the region's loop while the tile is in cache.
mlir::LogicalResult lowerConvByRegions(KernelBuilder &kb, graph::ConvOp op,
                                       llvm::ArrayRef<mlir::Operation *> epilogue,
                                       mlir::Value out);

} // namespace kiln::lowering

#endif
