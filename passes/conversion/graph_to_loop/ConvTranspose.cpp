// Lowering of transposed convolution in ONNX's layout as zero insertion + a stride-1
// convolution. Channels last (the default for constant f32 weights, see ChannelsLast.cpp),
// ConvTransposeChannelsLast.cpp computes each output phase densely instead; this form remains
// for run-time weights and for fewer than 8 output channels.
//
// The scatter form (each input pixel adds its kernel-sized window into the output) writes
// overlapping windows, so it neither vectorizes nor parallelizes over output pixels. The
// gather form over output pixels needs a divisibility test per tap, (o + pad - k * d) mod s,
// which is not affine. Instead the input is spread into a zero buffer U at stride s (with the
// padding needed by the full correlation), and the result is a plain stride-1 convolution of
// U with the flipped kernel: out[o] = sum_k U[o + k * d] * w[K - 1 - k]. Every loop is then a
// dense affine nest whose output-pixel loop vectorizes with unit-stride loads, at the price of
// multiplying the inserted zeros (a factor of prod(strides) in arithmetic).
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

LogicalResult lowerChannelsLastConvTranspose(KernelBuilder &kb, ConvTransposeOp op,
                                             Value out); // ConvTransposeChannelsLast.cpp

// U[n, c, u...] with u = i * stride + offset for input pixel i, zero elsewhere; its spatial
// extents are the output's plus the dilated kernel span minus one.
static Value emitZeroInserted(KernelBuilder &kb, ConvTransposeOp op) {
  auto inType = op.getInput().getType();
  auto weightShape = op.getWeight().getType().getShape();
  size_t spatial = inType.getRank() - 2;
  SmallVector<int64_t> shape = {inType.getDimSize(0), inType.getDimSize(1)};
  SmallVector<int64_t> offset(spatial), first(spatial), count(spatial);
  bool emptyCopy = false;
  for (size_t i = 0; i < spatial; ++i) {
    int64_t span = (weightShape[i + 2] - 1) * op.getDilations()[i];
    int64_t extent = op.getType().getDimSize(i + 2) + span;
    int64_t stride = op.getStrides()[i], size = inType.getDimSize(i + 2);
    shape.push_back(extent);
    offset[i] = span - op.getPads()[i];
    // Input pixels whose position lands inside U (negative pads crop the input).
    first[i] = offset[i] >= 0 ? 0 : (-offset[i] + stride - 1) / stride;
    int64_t last = std::min(size - 1, extent - 1 - offset[i] >= 0
                                          ? (extent - 1 - offset[i]) / stride
                                          : int64_t(-1));
    count[i] = last - first[i] + 1;
    emptyCopy |= count[i] <= 0;
  }
  bool unitStride = llvm::all_of(op.getStrides(), [](int64_t s) { return s == 1; });
  if (unitStride && llvm::all_of(offset, [](int64_t o) { return o >= 0; })) {
    // Stride 1 inserts nothing: U is the input padded with offset / the remaining rows.
    SmallVector<int64_t> pads(offset);
    for (size_t i = 0; i < spatial; ++i)
      pads.push_back(shape[i + 2] - inType.getDimSize(i + 2) - offset[i]);
    if (llvm::all_of(pads, [](int64_t p) { return p >= 0; }))
      return emitPad(kb, op.getInput(), pads, 0.0);
  }
  Type storage = storageType(inType.getElementType());
  Value spread = kb.allocate(MemRefType::get(shape, storage));
  kb.emitBlock("zero_fill", spatialAxes(shape), [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, kb.constantFloat(rb, storage, 0.0), spread, iv);
  });
  if (emptyCopy)
    return spread;
  SmallVector<int64_t> box = {inType.getDimSize(0), inType.getDimSize(1)};
  box.append(count.begin(), count.end());
  kb.emitBlock("zero_insert", spatialAxes(box), [&](OpBuilder &rb, ValueRange iv) {
    SmallVector<AffineExpr> readExprs = {rb.getAffineDimExpr(0), rb.getAffineDimExpr(1)};
    SmallVector<AffineExpr> writeExprs = readExprs;
    for (size_t i = 0; i < spatial; ++i) {
      AffineExpr pixel = rb.getAffineDimExpr(i + 2) + first[i];
      readExprs.push_back(pixel);
      writeExprs.push_back(pixel * op.getStrides()[i] + offset[i]);
    }
    kb.store(rb, kb.load(rb, kb.buffer(op.getInput()), readExprs, iv), spread, writeExprs, iv);
  });
  return spread;
}

static LogicalResult lowerConvTranspose(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ConvTransposeOp>(operation);
  if (op.getChannelsLast())
    return lowerChannelsLastConvTranspose(kb, op, out);
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  if (!isMulAddType(elementType))
    return op.emitOpError("is not supported on element type ") << elementType;
  auto weightShape = op.getWeight().getType().getShape();
  size_t spatial = outType.getRank() - 2;
  int64_t inPerGroup = weightShape[0] / op.getGroup(), outPerGroup = weightShape[1];
  Value spread = emitZeroInserted(kb, op);
  Value weight = kb.buffer(op.getWeight());
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();

  SmallVector<Axis> axes = convolutionAxes(outType, inPerGroup, weightShape.drop_front(2));

  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  unsigned rc = 2 + spatial;
  // Input channel of group f / outPerGroup; the weight is C x F/group x k..., flipped.
  bool grouped = op.getGroup() > 1;
  AffineExpr channel = grouped ? d(1).floorDiv(outPerGroup) * inPerGroup + d(rc) : d(rc);
  SmallVector<AffineExpr> spreadIdx = {d(0), channel};
  SmallVector<AffineExpr> weightIdx = {channel, grouped ? d(1) % outPerGroup : d(1)};
  for (size_t i = 0; i < spatial; ++i) {
    spreadIdx.push_back(d(2 + i) + d(rc + 1 + i) * op.getDilations()[i]);
    weightIdx.push_back(weightShape[i + 2] - 1 - d(rc + 1 + i));
  }
  emitConvolutionBlock(kb, "conv_transpose", axes, spread, spreadIdx, weight, weightIdx, bias,
                       out);
  return success();
}

void populateConvTransposeLowerings(LoweringRegistry &registry) {
  registry[ConvTransposeOp::getOperationName()] = lowerConvTranspose;
}

} // namespace kiln::lowering
