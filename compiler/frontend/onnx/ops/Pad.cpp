// Pad, Tile and Expand with constant parameters: per axis, a gather at constant positions
// (edge and reflect padding, repetition, broadcasting), and for constant padding a select of
// the pad value where a position falls outside the input.
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// The source position of output position `o` along a dim of size `dim` padded by `before`,
// or -1 when it lies in the constant padding.
int64_t padSource(StringRef mode, int64_t o, int64_t dim, int64_t before) {
  int64_t s = o - before;
  if (s >= 0 && s < dim)
    return s;
  if (mode == "edge")
    return std::clamp<int64_t>(s, 0, dim - 1);
  if (mode == "reflect") {
    if (dim == 1)
      return 0;
    int64_t period = 2 * (dim - 1);
    s = ((s % period) + period) % period;
    return s < dim ? s : period - s;
  }
  return -1;
}

FailureOr<Value> buildPad(OpBinder &b, Value x, ArrayRef<int64_t> pads, StringRef mode,
                          Value padValue) {
  ArrayRef<int64_t> shape = b.typeOf(x).getShape();
  int64_t rank = shape.size();
  if (int64_t(pads.size()) != 2 * rank) {
    b.emitError() << "has " << pads.size() << " pads for rank " << rank;
    return failure();
  }
  if (mode != "constant" && mode != "edge" && mode != "reflect") {
    b.emitError() << "mode '" << mode << "' is not supported (constant, edge, reflect)";
    return failure();
  }
  Value result = x;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t before = pads[d], after = pads[d + rank], dim = shape[d];
    if (before == 0 && after == 0)
      continue;
    int64_t size = dim + before + after;
    if (size < 0) {
      b.emitError() << "pads " << before << ", " << after << " remove more than dim " << d
                    << " holds";
      return failure();
    }
    if (size > 0 && dim == 0 && mode != "constant") {
      b.emitError() << mode << " padding of an empty dim " << d;
      return failure();
    }
    if (mode == "reflect" && (before >= dim || after >= dim)) {
      b.emitError() << "reflect pads of dim " << d << " must be smaller than its size " << dim;
      return failure();
    }
    SmallVector<int64_t> positions;
    SmallVector<double> inside;
    bool anyOutside = false;
    for (int64_t o = 0; o < size; ++o) {
      int64_t s = padSource(mode, o, dim, before);
      anyOutside |= s < 0;
      inside.push_back(s >= 0);
      positions.push_back(std::max<int64_t>(s, 0));
    }
    FailureOr<Value> next;
    if (dim == 0) { // all padding: the pad value broadcast to the padded shape
      SmallVector<int64_t> padded(b.typeOf(result).getShape());
      padded[d] = size;
      auto fill = RankedTensorType::get(padded, b.builder().getI1Type());
      next = b.create<kg::WhereOp>(b.constant(DenseElementsAttr::get(fill, true)), padValue,
                                   padValue);
    } else {
      next = gatherAt(b, result, d, positions);
      if (succeeded(next) && anyOutside)
        next = b.create<kg::WhereOp>(axisConstant(b, b.builder().getI1Type(), rank, d, inside),
                                     *next, padValue);
    }
    if (failed(next))
      return failure();
    result = *next;
  }
  return result;
}

// Pad-2: pads and value are attributes; 11+: inputs (pads int64, constant_value optional).
template <bool fromInputs> LogicalResult convertPad(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Type elementType = b.typeOf(*x).getElementType();
  std::string mode = b.stringAttr("mode", "constant");
  SmallVector<int64_t> pads;
  Value padValue;
  if (!fromInputs) {
    auto attr = b.intsAttr("pads");
    if (!attr)
      return b.emitError() << "requires pads";
    pads = *attr;
    padValue = b.scalar(elementType, b.floatAttr("value", 0));
  } else {
    auto values = b.constantInts(1, "Pad pads");
    if (failed(values))
      return failure();
    pads = *values;
    if (b.numInputs() > 3 && b.input(3))
      return b.emitError() << "axes (input 3) is not supported";
    if (Value v = b.input(2)) {
      if (b.typeOf(v).getNumElements() != 1 || b.typeOf(v).getElementType() != elementType)
        return b.emitError() << "constant_value must be one element of the input's type";
      auto scalar = b.reshape(v, {});
      if (failed(scalar))
        return failure();
      padValue = *scalar;
    } else {
      padValue = b.scalar(elementType, 0);
    }
  }
  return setResult(b, buildPad(b, *x, pads, mode, padValue));
}

LogicalResult convertTile(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  auto repeats = intsFromDeclaredShape(b, 1, "Tile repeats", [&](ArrayRef<int64_t> declared)
                                           -> FailureOr<DerivedParam> {
    DerivedParam param;
    for (auto [i, dim] : llvm::enumerate(declared)) {
      if (declared.size() != shape.size() || shape[i] == 0 || dim % shape[i] != 0)
        return b.emitError() << "the declared output " << kg::formatShape(declared)
                             << " is not a tiling of the " << kg::formatShape(shape) << " input";
      param.value.push_back(dim / shape[i]);
      param.accepted.push_back({dim / shape[i]});
    }
    return param;
  });
  if (failed(repeats))
    return failure();
  if (repeats->size() != shape.size())
    return b.emitError() << "has " << repeats->size() << " repeats for rank " << shape.size();
  Value result = *x;
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t times = (*repeats)[d];
    if (times < 0)
      return b.emitError() << "repeat " << times << " is negative";
    if (times == 1)
      continue;
    SmallVector<int64_t> positions;
    for (int64_t o = 0; o < shape[d] * times; ++o)
      positions.push_back(o % shape[d]);
    auto next = gatherAt(b, result, d, positions);
    if (failed(next))
      return failure();
    result = *next;
  }
  return b.setResults({result});
}

// Expand: numpy broadcasting of the input and the requested shape; size-1 dims are repeated
// by gathering position 0.
LogicalResult convertExpand(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  SmallVector<int64_t> in(b.typeOf(*x).getShape());
  // A run-time shape entry may be the declared dim, or 1 where the input already has it.
  auto requested = intsFromDeclaredShape(b, 1, "Expand shape", [&](ArrayRef<int64_t> declared)
                                             -> FailureOr<DerivedParam> {
    int64_t entries = b.typeOf(b.input(1)).getRank() == 1 ? b.typeOf(b.input(1)).getDimSize(0) : -1;
    size_t rank = declared.size();
    if (entries < 0 || rank != std::max<size_t>(in.size(), entries))
      return b.emitError() << "the declared output " << kg::formatShape(declared)
                           << " does not have the rank of the broadcast result";
    DerivedParam param;
    for (size_t p = rank - entries; p < rank; ++p) {
      int64_t inDim = p + in.size() >= rank ? in[p + in.size() - rank] : 1;
      param.value.push_back(declared[p]);
      param.accepted.push_back({declared[p]});
      if (inDim == declared[p] && declared[p] != 1)
        param.accepted.back().push_back(1);
    }
    return param;
  });
  if (failed(requested))
    return failure();
  size_t rank = std::max(in.size(), requested->size());
  in.insert(in.begin(), rank - in.size(), 1);
  SmallVector<int64_t> want(*requested);
  want.insert(want.begin(), rank - want.size(), 1);
  auto result = b.reshape(*x, in);
  if (failed(result))
    return failure();
  for (size_t d = 0; d < rank; ++d) {
    if (in[d] == want[d] || want[d] == 1)
      continue;
    if (in[d] != 1)
      return b.emitError() << "cannot broadcast " << kg::formatShape(b.typeOf(*x).getShape())
                           << " to " << kg::formatShape(*requested);
    result = gatherAt(b, *result, d, SmallVector<int64_t>(want[d], 0));
    if (failed(result))
      return failure();
  }
  return b.setResults({*result});
}

} // namespace

void populatePadConverters(ConverterRegistry &r) {
  r.add("Pad", 2, convertPad<false>);
  r.add("Pad", 11, convertPad<true>);
  r.add("Tile", 6, convertTile);
  r.add("Expand", 8, convertExpand);
}

} // namespace kiln::onnx_frontend
