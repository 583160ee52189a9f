// Resize and Upsample with constant scales or sizes, separably per axis (as the ONNX reference
// computes them): each output position maps to input coordinates, whose taps become constant
// gathers along that axis, weighted by constant per-position coefficients (linear, cubic) and
// summed. Nearest mode is a single gather, so it works on every element type.
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include <cmath>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Scales computed at run time: the model is compiled for the scales that turn the input into
// the declared output exactly (declared / input dim), and the run-time scales must equal them.
// (Scales that round to the same output size but move the sample points are refused at run
// time rather than computed with the wrong coordinates.)
FailureOr<SmallVector<double>> scalesFromDeclaredShape(OpBinder &b, unsigned i,
                                                       ArrayRef<int64_t> in) {
  std::optional<SmallVector<int64_t>> declared = b.declaredOutputShape(0);
  Value scales = b.input(i);
  auto type = b.typeOf(scales);
  if (!declared || declared->size() != in.size() || type.getRank() != 1 ||
      type.getDimSize(0) != int64_t(in.size()))
    return b.emitError() << "Resize scales (input '" << b.inputName(i) << "') are computed at run "
                         << "time and the model declares no static output shape of the input's "
                         << "rank; Kiln needs one of them to compile static shapes";
  SmallVector<double> values;
  std::string text;
  for (auto [d, dim] : llvm::enumerate(*declared)) {
    if (in[d] == 0)
      return b.emitError() << "cannot derive the scale of an empty dim";
    values.push_back(double(dim) / double(in[d]));
    text += (d ? ", " : "") + std::to_string(values.back());
  }
  Value expected = b.constant(kg::makeDense(type, values));
  auto ok = b.create<kg::EqualOp>(scales, expected);
  if (failed(ok) ||
      failed(b.addRunTimeCheck(*ok, "input '" + b.inputName(i).str() + "' (Resize scales of node " +
                                        b.nodeName() + ") must hold [" + text +
                                        "]: the model was compiled for its declared output "
                                        "shape " + kg::formatShape(*declared))))
    return failure();
  return values;
}

struct ResizeAttrs {
  std::string mode, transform, nearest;
  double cubicA = -0.75, extrapolation = 0;
  bool excludeOutside = false;
};

// Per output position along one axis: the taps' input positions and weights, and whether the
// position lies outside the input (tf_crop_and_resize: it takes the extrapolation value).
struct AxisTaps {
  SmallVector<SmallVector<int64_t>> positions; // [tap][o]
  SmallVector<SmallVector<double>> weights;    // [tap][o]
  SmallVector<double> outside;                 // [o], 1 or 0
};

// `out` is the resized length before flooring (scale * input length), as in the ONNX reference:
// align_corners on a non-integral downscale depends on it.
double inputCoordinate(const ResizeAttrs &a, int64_t o, double scale, int64_t in, double out,
                       double roiStart, double roiEnd) {
  const std::string &m = a.transform;
  if (m == "half_pixel")
    return (o + 0.5) / scale - 0.5;
  if (m == "pytorch_half_pixel")
    return out > 1 ? (o + 0.5) / scale - 0.5 : 0;
  if (m == "align_corners")
    return out == 1 ? 0 : double(o) * (in - 1) / (out - 1);
  if (m == "tf_half_pixel_for_nn")
    return (o + 0.5) / scale;
  if (m == "tf_crop_and_resize")
    return out > 1 ? roiStart * (in - 1) + o * (roiEnd - roiStart) * (in - 1) / (out - 1)
                   : 0.5 * (roiStart + roiEnd) * (in - 1);
  return o / scale; // asymmetric
}

int64_t nearestIndex(StringRef mode, double x) {
  if (mode == "floor")
    return int64_t(std::floor(x));
  if (mode == "ceil")
    return int64_t(std::ceil(x));
  if (mode == "round_prefer_ceil")
    return int64_t(std::floor(x + 0.5));
  return int64_t(std::ceil(x - 0.5)); // round_prefer_floor
}

SmallVector<double> cubicWeights(double a, double t) {
  auto near = [&](double s) { return ((a + 2) * s - (a + 3)) * s * s + 1; };
  auto far = [&](double s) { return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a; };
  return {far(t + 1), near(t), near(1 - t), far(2 - t)};
}

AxisTaps planAxis(const ResizeAttrs &a, int64_t in, int64_t out, double scale, double roiStart,
                  double roiEnd) {
  int64_t numTaps = a.mode == "nearest" ? 1 : a.mode == "linear" ? 2 : 4;
  AxisTaps taps;
  taps.positions.assign(numTaps, SmallVector<int64_t>(out, 0));
  taps.weights.assign(numTaps, SmallVector<double>(out, 0.0));
  taps.outside.assign(out, 0.0);
  auto clampIn = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
  for (int64_t o = 0; o < out; ++o) {
    double x = inputCoordinate(a, o, scale, in, scale * in, roiStart, roiEnd);
    if (a.transform == "tf_crop_and_resize" && (x < 0 || x > in - 1)) {
      taps.outside[o] = 1;
      continue;
    }
    if (numTaps == 1) {
      taps.positions[0][o] = clampIn(nearestIndex(a.nearest, x));
      taps.weights[0][o] = 1;
      continue;
    }
    int64_t base = int64_t(std::floor(x));
    double t = x - base;
    SmallVector<double> w = numTaps == 2 ? SmallVector<double>{1 - t, t} : cubicWeights(a.cubicA, t);
    int64_t first = numTaps == 2 ? base : base - 1;
    double total = 0;
    for (int64_t k = 0; k < numTaps; ++k) {
      int64_t i = first + k;
      if (a.excludeOutside && (i < 0 || i >= in))
        w[k] = 0;
      total += w[k];
    }
    for (int64_t k = 0; k < numTaps; ++k) {
      taps.positions[k][o] = clampIn(first + k);
      taps.weights[k][o] = a.excludeOutside && total != 0 ? w[k] / total : w[k];
    }
  }
  return taps;
}

FailureOr<Value> resizeAxis(OpBinder &b, const ResizeAttrs &a, Value x, int64_t axis,
                            const AxisTaps &taps) {
  int64_t rank = b.typeOf(x).getRank();
  Type et = b.typeOf(x).getElementType();
  bool anyOutside = llvm::is_contained(taps.outside, 1.0);
  if (a.mode == "nearest") {
    auto g = gatherAt(b, x, axis, taps.positions[0]);
    if (failed(g) || !anyOutside)
      return g;
    SmallVector<double> inside;
    for (double v : taps.outside)
      inside.push_back(1 - v);
    return b.create<kg::WhereOp>(axisConstant(b, b.builder().getI1Type(), rank, axis, inside), *g,
                                 b.scalar(et, a.extrapolation));
  }
  Value sum;
  for (size_t k = 0; k < taps.positions.size(); ++k) {
    if (llvm::all_of(taps.weights[k], [](double w) { return w == 0; }) && (sum || k + 1 < taps.positions.size()))
      continue; // a tap that never contributes
    auto g = gatherAt(b, x, axis, taps.positions[k]);
    if (failed(g))
      return failure();
    auto term = b.create<kg::MulOp>(*g, axisConstant(b, et, rank, axis, taps.weights[k]));
    if (failed(term))
      return failure();
    auto next = sum ? b.create<kg::AddOp>(sum, *term) : FailureOr<Value>(*term);
    if (failed(next))
      return failure();
    sum = *next;
  }
  if (anyOutside && a.extrapolation != 0) {
    SmallVector<double> fill;
    for (double v : taps.outside)
      fill.push_back(v * a.extrapolation);
    return b.create<kg::AddOp>(sum, axisConstant(b, et, rank, axis, fill));
  }
  return sum;
}

bool isIdentity(const AxisTaps &taps, int64_t in) {
  if (int64_t(taps.outside.size()) != in || llvm::is_contained(taps.outside, 1.0))
    return false;
  for (size_t k = 0; k < taps.positions.size(); ++k)
    for (int64_t o = 0; o < in; ++o) {
      double expected = taps.positions[k][o] == o ? 1.0 : 0.0;
      if (taps.weights[k][o] != 0 && (taps.weights[k][o] != expected))
        return false;
    }
  return true;
}

// Resize-10 and Upsample: asymmetric coordinates, nearest rounds down. Resize-11+: all inputs.
template <int version> LogicalResult convertResize(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  ResizeAttrs a;
  a.mode = b.stringAttr("mode", "nearest");
  bool modern = version >= 11;
  a.transform = modern ? b.stringAttr("coordinate_transformation_mode", "half_pixel") : "asymmetric";
  a.nearest = modern ? b.stringAttr("nearest_mode", "round_prefer_floor") : "floor";
  a.cubicA = b.floatAttr("cubic_coeff_a", -0.75);
  a.excludeOutside = b.intAttr("exclude_outside", 0) != 0;
  a.extrapolation = b.floatAttr("extrapolation_value", 0);
  if (!llvm::is_contained({"nearest", "linear", "cubic"}, a.mode) ||
      (!modern && a.mode == "cubic"))
    return b.emitError() << "mode '" << a.mode << "' is not supported";
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                           "tf_half_pixel_for_nn", "tf_crop_and_resize"},
                          a.transform))
    return b.emitError() << "coordinate_transformation_mode '" << a.transform
                         << "' is not supported";
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}, a.nearest))
    return b.emitError() << "nearest_mode '" << a.nearest << "' is not supported";
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  int64_t rank = shape.size();
  Type et = b.typeOf(*x).getElementType();
  if (a.mode != "nearest" && !llvm::isa<FloatType>(et))
    return b.emitError() << a.mode << " resizing needs a floating-point input";

  // Scales (attribute for Upsample-7, input 1 for Upsample-9 / Resize-10, input 2 for 11+),
  // or sizes (input 3); an empty tensor counts as absent.
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
  auto readFloats = [&](unsigned i, StringRef what, SmallVector<double> &to) -> LogicalResult {
    if (b.numInputs() <= i || !b.input(i))
      return success();
    if (what == "Resize scales" && !inputIsConstant(b, i) &&
        b.typeOf(b.input(i)).getNumElements() != 0) {
      auto derived = scalesFromDeclaredShape(b, i, shape);
      if (failed(derived))
        return failure();
      to = *derived;
      return success();
    }
    auto values = b.constantFloats(i, what);
    if (failed(values))
      return failure();
    to = *values;
    return success();
  };
  if (version == 7) {
    for (float s : b.floatsAttr("scales").value_or(SmallVector<float>()))
      scales.push_back(s);
  } else if (failed(readFloats(modern ? 2 : 1, "Resize scales", scales))) {
    return failure();
  }
  if (modern && a.transform == "tf_crop_and_resize" && failed(readFloats(1, "Resize roi", roi)))
    return failure();
  if (modern && b.numInputs() > 3 && b.input(3)) {
    // Sizes computed at run time: the declared output shape, checked.
    auto values = intsFromDeclaredShape(b, 3, "Resize sizes", [](ArrayRef<int64_t> declared) {
      DerivedParam param{SmallVector<int64_t>(declared), {}};
      for (int64_t dim : declared)
        param.accepted.push_back({dim});
      return FailureOr<DerivedParam>(param);
    });
    if (failed(values))
      return failure();
    sizes = *values;
  }
  if (!sizes.empty() && !scales.empty())
    return b.emitError() << "takes scales or sizes, not both";
  if (int64_t(sizes.empty() ? scales.size() : sizes.size()) != rank)
    return b.emitError() << "needs one scale or size per dim of the rank-" << rank << " input";
  if (!roi.empty() && int64_t(roi.size()) != 2 * rank)
    return b.emitError() << "roi needs 2 * rank entries";

  Value result = *x;
  for (int64_t d = 0; d < rank; ++d) {
    double roiStart = roi.empty() ? 0 : roi[d], roiEnd = roi.empty() ? 1 : roi[d + rank];
    int64_t in = shape[d], out;
    double scale;
    if (!sizes.empty()) {
      out = sizes[d];
      scale = in ? double(out) / in : 1;
    } else {
      scale = scales[d];
      if (!(scale > 0))
        return b.emitError() << "scale " << scale << " must be positive";
      double extent = a.transform == "tf_crop_and_resize" ? (roiEnd - roiStart) : 1;
      out = int64_t(std::floor(in * extent * scale));
    }
    if (out < 0 || (out > 0 && in == 0))
      return b.emitError() << "cannot resize dim " << d << " from " << in << " to " << out;
    AxisTaps taps = planAxis(a, in, out, scale, roiStart, roiEnd);
    if (isIdentity(taps, in))
      continue;
    auto next = resizeAxis(b, a, result, d, taps);
    if (failed(next))
      return failure();
    result = *next;
  }
  return b.setResults({result});
}

} // namespace

void populateResizeConverters(ConverterRegistry &r) {
  r.add("Upsample", 7, convertResize<7>);
  r.add("Upsample", 9, convertResize<9>);
  r.add("Resize", 10, convertResize<10>);
  r.add("Resize", 11, convertResize<11>);
}

} // namespace kiln::onnx_frontend
