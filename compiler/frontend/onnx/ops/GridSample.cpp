// GridSample: samples X (N, C, d1..dr) at the normalized positions of grid (N, o1..or, r),
// composed from elementwise kg ops and kg.gather_nd. Per spatial axis, the coordinate is
// denormalized, padded (border/reflection) and split into taps (an index, a weight and, for
// zeros padding, an in-bounds mask); every combination of one tap per axis is one gather from
// channels-last X, weighted and summed. Follows the ONNX reference (and onnxruntime): nearest
// rounds before padding, and each tap is padded again as an integer position (so cubic with
// border padding differs from PyTorch, which only clamps the taps).
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/ValueChain.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

struct GridSampleAttrs {
  std::string mode, padding; // mode: "nearest", "linear" or "cubic"
  bool alignCorners = false;
};

// The coordinates' ops, on their float type.
struct CoordinateOps : ValueChain {
  // Reflects x at the borders lo and hi until it lies within them.
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    if (range <= 0)
      return op<kg::MulOp>(x, c(0)); // a single position: every coordinate maps to it
    Value below = op<kg::LessOp>(x, c(lo));
    Value outside = op<kg::OrOp>(below, op<kg::GreaterOp>(x, c(hi)));
    Value distance = op<kg::WhereOp>(below, op<kg::SubOp>(c(lo), x), add(x, -hi));
    Value flips = op<kg::FloorOp>(op<kg::DivOp>(distance, c(range)));
    Value rest = op<kg::SubOp>(distance, op<kg::MulOp>(flips, c(range)));
    Value half = op<kg::FloorOp>(op<kg::MulOp>(flips, c(0.5)));
    Value odd = op<kg::NotOp>(op<kg::EqualOp>(flips, op<kg::MulOp>(half, c(2))));
    // Below the range an even number of flips ends measured from lo, above it from hi.
    Value fromLo = op<kg::XorOp>(below, odd);
    Value reflected = op<kg::WhereOp>(fromLo, add(rest, lo), op<kg::SubOp>(c(hi), rest));
    return op<kg::WhereOp>(outside, reflected, x);
  }
};

// One tap along one axis: the clamped index (i64), its weight (null for nearest) and whether
// it lies inside the input (null unless zeros padding).
struct Tap {
  Value index, weight, inside;
};

SmallVector<Value> cubicWeights(CoordinateOps &e, Value t) {
  const double a = -0.75;
  auto near = [&](Value s) { // ((a + 2) s - (a + 3)) s^2 + 1
    Value inner = e.add(e.op<kg::MulOp>(s, e.c(a + 2)), -(a + 3));
    return e.add(e.op<kg::MulOp>(inner, e.op<kg::MulOp>(s, s)), 1);
  };
  auto far = [&](Value s) { // ((a s - 5a) s + 8a) s - 4a
    Value inner = e.add(e.op<kg::MulOp>(s, e.c(a)), -5 * a);
    return e.add(e.op<kg::MulOp>(e.add(e.op<kg::MulOp>(inner, s), 8 * a), s), -4 * a);
  };
  Value oneMinus = e.op<kg::SubOp>(e.c(1), t), twoMinus = e.op<kg::SubOp>(e.c(2), t);
  return {far(e.add(t, 1)), near(t), near(oneMinus), far(twoMinus)};
}

SmallVector<Tap> axisTaps(CoordinateOps &e, const GridSampleAttrs &a, Value normalized,
                          int64_t length, int64_t spatialRank) {
  double lo = a.alignCorners ? 0 : -0.5, hi = a.alignCorners ? length - 1 : length - 0.5;
  Value x = a.alignCorners
                ? e.op<kg::MulOp>(e.add(normalized, 1), e.c((length - 1) / 2.0))
                : e.op<kg::DivOp>(e.add(e.op<kg::MulOp>(e.add(normalized, 1), e.c(length)), -1),
                                  e.c(2));
  if (a.mode == "nearest" && spatialRank == 3) {
    // PyTorch's 3-D nearest rounds half away from zero (std::round); other ranks to even.
    Value up = e.op<kg::FloorOp>(e.add(x, 0.5));
    Value down = e.op<kg::CeilOp>(e.add(x, -0.5));
    x = e.op<kg::WhereOp>(e.op<kg::GreaterEqualOp>(x, e.c(0)), up, down);
  } else if (a.mode == "nearest") {
    x = e.op<kg::RoundOp>(x);
  }
  if (a.padding == "border") {
    Value outside = e.op<kg::OrOp>(e.op<kg::LessOp>(x, e.c(lo)), e.op<kg::GreaterOp>(x, e.c(hi)));
    x = e.op<kg::WhereOp>(outside, e.clamp(x, 0, length - 1), x);
  } else if (a.padding == "reflection") {
    x = e.reflect(x, lo, hi);
  }

  SmallVector<Value> positions, weights;
  if (a.mode == "nearest") {
    positions.push_back(x);
  } else {
    Value base = e.op<kg::FloorOp>(x);
    Value t = e.op<kg::SubOp>(x, base);
    int64_t first = a.mode == "linear" ? 0 : -1, count = a.mode == "linear" ? 2 : 4;
    for (int64_t k = 0; k < count; ++k)
      positions.push_back(e.add(base, first + k));
    weights = a.mode == "linear" ? SmallVector<Value>{e.op<kg::SubOp>(e.c(1), t), t}
                                 : cubicWeights(e, t);
  }

  Type i64 = e.b.builder().getI64Type();
  SmallVector<Tap> taps;
  for (auto [k, p] : llvm::enumerate(positions)) {
    Tap tap;
    if (a.padding == "zeros")
      tap.inside = e.op<kg::AndOp>(e.op<kg::GreaterEqualOp>(p, e.c(0)),
                                   e.op<kg::LessEqualOp>(p, e.c(length - 1)));
    else if (a.padding == "reflection")
      p = e.reflect(p, lo, hi);
    // Reflected positions lie in [lo, hi]; clamping then truncating maps them as int() does.
    tap.index = e.cast(e.clamp(p, 0, length - 1), i64);
    tap.weight = weights.empty() ? Value() : weights[k];
    taps.push_back(tap);
  }
  return taps;
}

template <int version> LogicalResult convertGridSample(OpBinder &b) {
  auto x = b.requiredInput(0), grid = b.requiredInput(1);
  if (failed(x) || failed(grid))
    return failure();
  GridSampleAttrs a;
  std::string mode = b.stringAttr("mode", version >= 20 ? "linear" : "bilinear");
  // GridSample-20 renamed bilinear/bicubic to linear/cubic when it went N-D.
  StringRef linear = version >= 20 ? "linear" : "bilinear";
  StringRef cubic = version >= 20 ? "cubic" : "bicubic";
  a.mode = mode == linear ? "linear" : mode == cubic ? "cubic" : mode == "nearest" ? mode : "";
  a.padding = b.stringAttr("padding_mode", "zeros");
  a.alignCorners = b.intAttr("align_corners", 0) != 0;
  if (a.mode.empty())
    return b.emitError() << "mode '" << mode << "' is not supported";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, a.padding))
    return b.emitError() << "padding_mode '" << a.padding << "' is not supported";

  auto xType = b.typeOf(*x), gridType = b.typeOf(*grid);
  ArrayRef<int64_t> xShape = xType.getShape(), gridShape = gridType.getShape();
  int64_t rank = xShape.size(), spatialRank = rank - 2;
  if (rank < 3 || (version < 20 && rank != 4))
    return b.emitError() << "X of shape " << graph::formatShape(xShape) << " must be rank "
                         << (version < 20 ? "4" : "3 or more");
  if (int64_t(gridShape.size()) != rank || gridShape[0] != xShape[0] ||
      gridShape.back() != spatialRank)
    return b.emitError() << "grid of shape " << graph::formatShape(gridShape)
                         << " does not match X of shape " << graph::formatShape(xShape)
                         << ": it must be (N, out dims..., " << spatialRank << ")";
  Type xElement = xType.getElementType();
  if (!isa<FloatType>(gridType.getElementType()))
    return b.emitError() << "grid must be floating-point, got " << gridType.getElementType();
  if (a.mode != "nearest" && !isa<FloatType>(xElement))
    return b.emitError() << mode << " sampling needs a floating-point X, got " << xElement;

  // Coordinates in X's float type when it has one, so weights multiply without casts.
  CoordinateOps e{{b, isa<FloatType>(xElement) ? xElement : gridType.getElementType()}};
  Value coords = e.type == gridType.getElementType() ? *grid : e.cast(*grid, e.type);
  SmallVector<int64_t> outShape(gridShape.drop_back()); // (N, o1..or)
  SmallVector<SmallVector<Tap>> taps;
  for (int64_t d = 0; d < spatialRank; ++d) {
    // The grid lists coordinates innermost axis first: component 0 indexes dr.
    int64_t component = spatialRank - 1 - d;
    SmallVector<int64_t> starts(rank, 0), sizes(gridShape);
    starts.back() = component;
    sizes.back() = 1;
    Value normalized = e.reshape(e.slice(coords, starts, sizes), outShape);
    taps.push_back(axisTaps(e, a, normalized, xShape[2 + d], spatialRank));
  }
  if (!e.ok)
    return failure();

  // Channels-last X, (N, d1 * ... * dr, C), so one gather fetches every channel.
  SmallVector<int64_t> toLast{0};
  for (int64_t d = 2; d < rank; ++d)
    toLast.push_back(d);
  toLast.push_back(1);
  auto transposed = b.create<kg::TransposeOp>(*x, b.builder().getDenseI64ArrayAttr(toLast));
  int64_t positions = graph::numElements(xShape.drop_front(2));
  auto data = failed(transposed) ? transposed
                                 : b.reshape(*transposed, {xShape[0], positions, xShape[1]});
  if (failed(data))
    return failure();

  SmallVector<int64_t> columnShape(outShape);
  columnShape.push_back(1); // (N, o1..or, 1): an index per output position, a weight per row
  SmallVector<int64_t> choice(spatialRank, 0);
  Value sum;
  while (true) {
    Value flat, inside, weight;
    int64_t stride = 1;
    for (int64_t d = spatialRank - 1; d >= 0; --d) {
      const Tap &tap = taps[d][choice[d]];
      Value scaled = stride == 1 ? tap.index
                                 : e.op<kg::MulOp>(tap.index, b.scalar(b.builder().getI64Type(),
                                                                        double(stride)));
      flat = flat ? e.op<kg::AddOp>(flat, scaled) : scaled;
      if (tap.inside)
        inside = inside ? e.op<kg::AndOp>(inside, tap.inside) : tap.inside;
      if (tap.weight)
        weight = weight ? e.op<kg::MulOp>(weight, tap.weight) : tap.weight;
      stride *= xShape[2 + d];
    }
    Value index = e.reshape(flat, columnShape);
    if (!e.ok)
      return failure();
    Value term = e.wrap(b.create<kg::GatherNDOp>(*data, index, b.builder().getI64IntegerAttr(1)));
    if (inside)
      term = e.op<kg::WhereOp>(e.reshape(inside, columnShape), term, b.scalar(xElement, 0));
    if (weight)
      term = e.op<kg::MulOp>(term, e.reshape(weight, columnShape));
    sum = sum ? e.op<kg::AddOp>(sum, term) : term;
    if (!e.ok)
      return failure();
    int64_t d = spatialRank - 1;
    while (d >= 0 && ++choice[d] == int64_t(taps[d].size()))
      choice[d--] = 0;
    if (d < 0)
      break;
  }

  // (N, o1..or, C) → (N, C, o1..or).
  SmallVector<int64_t> toFirst{0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d)
    toFirst.push_back(d);
  auto result = b.create<kg::TransposeOp>(sum, b.builder().getDenseI64ArrayAttr(toFirst));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateGridSampleConverters(ConverterRegistry &r) {
  r.add("GridSample", 16, convertGridSample<16>);
  r.add("GridSample", 20, convertGridSample<20>);
}

} // namespace kiln::onnx_frontend
