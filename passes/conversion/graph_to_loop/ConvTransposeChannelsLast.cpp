// Lowering of channels-last transposed convolutions by output phase (sub-pixel convolution).
//
// Output o of a stride-s transposed convolution sums x[i] * w[k] over o = i * s + k * d - pad.
// Split the outputs by phase r = o mod s: only the taps with k * d = r + pad (mod s) reach
// phase r, and over those taps i is an affine function of o's quotient q. Each phase is then a
// dense stride-1 convolution of the (padded) input with its own subset of the kernel, written
// to out[q * s + r]: no multiplications by inserted zeros, and one block of s^spatial per
// output phase, each vectorized along output channels like a channels-last convolution.
#include "ir/graph/GraphDialect.h"
#include "passes/conversion/graph_to_loop/KernelBuilder.h"
#include "passes/conversion/graph_to_loop/MulAdd.h"

#include <numeric>

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

namespace {
// The taps of one output phase along one spatial dim: out[q * s + r] reads, for tap j of
// `count`, x[q + inputBase + j * inputStep] * w[firstTap + (count - 1 - j) * tapStep].
struct PhaseTaps {
  int64_t outputs = 0; // how many o = q * s + r lie inside the output
  int64_t count = 0;   // taps reaching the phase
  int64_t firstTap = 0, tapStep = 1;
  int64_t inputBase = 0, inputStep = 1;
};

PhaseTaps phaseTaps(int64_t phase, int64_t stride, int64_t dilation, int64_t padBegin,
                    int64_t kernel, int64_t outSize) {
  PhaseTaps t;
  t.outputs = phase < outSize ? (outSize - phase + stride - 1) / stride : 0;
  // k * d = r + pad (mod s) holds for k = first, first + step, ... with step = s / gcd(s, d).
  t.tapStep = stride / std::gcd(stride, dilation);
  int64_t first = 0;
  auto reaches = [&](int64_t k) { return ((phase + padBegin - k * dilation) % stride) == 0; };
  while (first < std::min(kernel, t.tapStep) && !reaches(first))
    ++first;
  if (first >= kernel || !reaches(first))
    return t;
  t.firstTap = first;
  t.count = (kernel - 1 - first) / t.tapStep + 1;
  // i = (q * s + r + pad - k * d) / s, exact for the taps that reach the phase.
  int64_t offset = (phase + padBegin - first * dilation) / stride;
  t.inputStep = t.tapStep * dilation / stride;
  t.inputBase = offset - (t.count - 1) * t.inputStep; // taps in increasing input order
  return t;
}

// How a merged dim's first tap and input offset change from one phase to the next.
struct PhaseStep {
  int64_t firstTap, inputBase;
};
} // namespace

LogicalResult lowerChannelsLastConvTranspose(KernelBuilder &kb, ConvTransposeOp op, Value out) {
  auto outType = op.getType();
  Type elementType = outType.getElementType();
  if (!isMulAddType(elementType))
    return op.emitOpError("is not supported on element type ") << elementType;
  auto inShape = op.getInput().getType().getShape();
  auto weightShape = op.getWeight().getType().getShape(); // kernel... x C x F/group
  int64_t rank = outType.getRank();
  size_t spatial = rank - 2;
  int64_t inPerGroup = weightShape[spatial] / op.getGroup(), outPerGroup = weightShape.back();

  // Taps per dim and phase; the input is padded once for every phase's reads.
  SmallVector<SmallVector<PhaseTaps>> taps(spatial);
  SmallVector<int64_t> pads(2 * spatial, 0);
  for (size_t i = 0; i < spatial; ++i)
    for (int64_t r = 0; r < op.getStrides()[i]; ++r) {
      PhaseTaps t = phaseTaps(r, op.getStrides()[i], op.getDilations()[i], op.getPads()[i],
                              weightShape[i], outType.getDimSize(i + 1));
      taps[i].push_back(t);
      if (t.outputs == 0 || t.count == 0)
        continue;
      int64_t last = t.outputs - 1 + t.inputBase + (t.count - 1) * t.inputStep;
      pads[i] = std::max(pads[i], -t.inputBase);
      pads[spatial + i] = std::max(pads[spatial + i], last - (inShape[i + 1] - 1));
    }
  Value padded = emitPad(kb, op.getInput(), pads, 0.0, /*firstSpatial=*/1);
  Value weight = kb.buffer(op.getWeight());
  Value bias = op.getBias() ? kb.buffer(op.getBias()) : Value();

  // A dim whose phases all have the same output and tap counts, and whose first tap and input
  // offset are affine in the phase (always so for stride 2), iterates its phases as a spatial
  // axis of one block; the others take a block per phase.
  SmallVector<std::optional<PhaseStep>> mergedSteps(spatial);
  SmallVector<SmallVector<int64_t>> phaseChoices(spatial);
  for (size_t i = 0; i < spatial; ++i) {
    ArrayRef<PhaseTaps> t = taps[i];
    bool uniform = t.size() > 1 && t[0].outputs > 0 && t[0].count > 0;
    for (size_t r = 1; uniform && r < t.size(); ++r)
      uniform = t[r].outputs == t[0].outputs && t[r].count == t[0].count &&
                t[r].inputBase - t[r - 1].inputBase == t[1].inputBase - t[0].inputBase &&
                t[r].firstTap - t[r - 1].firstTap == t[1].firstTap - t[0].firstTap;
    if (uniform) {
      mergedSteps[i] = PhaseStep{t[1].firstTap - t[0].firstTap, t[1].inputBase - t[0].inputBase};
      phaseChoices[i] = {0};
    } else {
      for (int64_t r = 0; r < op.getStrides()[i]; ++r)
        phaseChoices[i].push_back(r);
    }
  }

  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  for (const SmallVector<int64_t> &phase : cartesianProduct<int64_t>(phaseChoices)) {
    // Axes n, per dim its quotient q (and phase p when merged), f; then rc and the taps.
    std::string name = "conv_transpose";
    SmallVector<Axis> axes = {{"n", outType.getDimSize(0)}};
    SmallVector<AffineExpr> outIdx = {d(0)}, inputIdx = {d(0)}, weightIdx;
    SmallVector<AffineExpr> quotient, phaseExpr;
    bool empty = false, biasOnly = false;
    for (size_t i = 0; i < spatial; ++i) {
      const PhaseTaps &t = taps[i][phase[i]];
      quotient.push_back(d(axes.size()));
      axes.push_back({spatialAxisName(i), t.outputs});
      if (mergedSteps[i]) {
        phaseExpr.push_back(d(axes.size()));
        axes.push_back({spatialAxisName(i, "p"), op.getStrides()[i]});
      } else {
        name += "_p" + std::to_string(phase[i]);
        phaseExpr.push_back(getAffineConstantExpr(phase[i], ctx));
      }
      outIdx.push_back(quotient[i] * op.getStrides()[i] + phaseExpr[i]);
      empty |= t.outputs == 0;
      biasOnly |= t.count == 0;
    }
    if (empty)
      continue;
    AffineExpr f = d(axes.size());
    axes.push_back({"f", outType.getDimSize(rank - 1)});
    outIdx.push_back(f);
    if (biasOnly) { // no tap reaches these outputs (a kernel smaller than the stride)
      emitBiasBlock(kb, name, axes, bias, out, outIdx, /*channelDim=*/rank - 1);
      continue;
    }
    AffineExpr rc = d(axes.size());
    axes.push_back({"rc", inPerGroup, true});
    // The input channel of (f, rc): rc alone without groups, so the read is lane-invariant.
    AffineExpr channel = op.getGroup() == 1 ? rc : f.floorDiv(outPerGroup) * inPerGroup + rc;
    for (size_t i = 0; i < spatial; ++i) {
      const PhaseTaps &t = taps[i][phase[i]];
      AffineExpr tap = d(axes.size());
      axes.push_back({spatialAxisName(i, "r"), t.count, true});
      // A merged dim's first tap and input offset step along the phase axis (phase 0's here).
      int64_t baseStep = mergedSteps[i] ? mergedSteps[i]->inputBase : 0;
      int64_t tapStep = mergedSteps[i] ? mergedSteps[i]->firstTap : 0;
      inputIdx.push_back(quotient[i] + tap * t.inputStep + phaseExpr[i] * baseStep +
                         (t.inputBase + pads[i]));
      weightIdx.push_back(tap * -t.tapStep + phaseExpr[i] * tapStep +
                          (t.firstTap + (t.count - 1) * t.tapStep));
    }
    inputIdx.push_back(channel);
    weightIdx.append({channel, op.getGroup() == 1 ? f : f % outPerGroup});
    emitConvolutionBlock(kb, name, axes, padded, inputIdx, weight, weightIdx, bias, out,
                         /*channelDim=*/rank - 1, outIdx);
  }
  return success();
}

} // namespace kiln::lowering
