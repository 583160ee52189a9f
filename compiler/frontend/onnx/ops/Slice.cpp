// Concat, Slice, Split and Compress: copies of contiguous or selected ranges along axes.
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

// ONNX slice bounds → kg.slice's normalized per-dim start, size and step: negative starts and
// ends count from the end, then clamp to the dim ([0, d] going forward, [-1, d-1] backward).
FailureOr<Value> buildSlice(OpBinder &b, Value x, ArrayRef<int64_t> starts,
                            ArrayRef<int64_t> ends, std::optional<SmallVector<int64_t>> axes,
                            std::optional<SmallVector<int64_t>> steps) {
  ArrayRef<int64_t> shape = b.typeOf(x).getShape();
  int64_t rank = shape.size(), n = starts.size();
  if (!axes) {
    axes.emplace();
    for (int64_t i = 0; i < n; ++i)
      axes->push_back(i);
  }
  if (!steps)
    steps.emplace(n, 1);
  if (int64_t(ends.size()) != n || int64_t(axes->size()) != n || int64_t(steps->size()) != n)
    {
    b.emitError() << "starts, ends, axes and steps differ in length";
    return failure();
  }
  SmallVector<int64_t> kStarts(rank, 0), kSizes(shape), kSteps(rank, 1);
  SmallVector<bool> seen(rank, false);
  for (int64_t i = 0; i < n; ++i) {
    auto axis = b.normalizeAxis((*axes)[i], rank);
    if (failed(axis))
      return failure();
    if (seen[*axis]) {
      b.emitError() << "axes repeat dim " << *axis;
      return failure();
    }
    seen[*axis] = true;
    int64_t dim = shape[*axis], step = (*steps)[i], start = starts[i], end = ends[i];
    if (step == 0) {
      b.emitError() << "slice step is 0";
      return failure();
    }
    if (start < 0)
      start += dim;
    if (end < 0)
      end += dim;
    int64_t size = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      if (end > start)
        size = 1 + (end - start - 1) / step;
    } else if (dim > 0) {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      uint64_t magnitude = uint64_t(-(step + 1)) + 1; // |step| without overflow
      if (start > end)
        size = int64_t(1 + uint64_t(start - end - 1) / magnitude);
    } else {
      start = 0;
    }
    kStarts[*axis] = start;
    kSizes[*axis] = size;
    kSteps[*axis] = step;
  }
  OpBuilder &ob = b.builder();
  return b.create<kg::SliceOp>(x, ob.getDenseI64ArrayAttr(kStarts), ob.getDenseI64ArrayAttr(kSizes),
                               ob.getDenseI64ArrayAttr(kSteps));
}

namespace {

LogicalResult convertConcat(OpBinder &b) {
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < b.numInputs(); ++i) {
    auto v = b.requiredInput(i);
    if (failed(v))
      return failure();
    if (b.typeOf(*v).getElementType() != b.typeOf(inputs.empty() ? *v : inputs[0]).getElementType())
      return b.emitError() << "inputs have different element types";
    inputs.push_back(*v);
  }
  if (inputs.empty())
    return b.emitError() << "needs at least one input";
  if (!b.hasAttr("axis"))
    return b.emitError() << "requires axis";
  auto axis = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(inputs[0]).getRank());
  if (failed(axis))
    return failure();
  auto result = b.create<kg::ConcatOp>(inputs, b.builder().getI64IntegerAttr(*axis));
  return failed(result) ? failure() : b.setResults({*result});
}

// Slice-1: starts, ends and axes are attributes; steps are 1.
LogicalResult convertSlice1(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto starts = b.intsAttr("starts"), ends = b.intsAttr("ends");
  if (!starts || !ends)
    return b.emitError() << "requires starts and ends";
  return setResult(b, buildSlice(b, *x, *starts, *ends, b.intsAttr("axes"), std::nullopt));
}

// Slice-10+: starts, ends, axes and steps are (constant) inputs.
LogicalResult convertSlice10(OpBinder &b) {
  auto x = b.requiredInput(0);
  auto starts = b.constantInts(1, "Slice starts"), ends = b.constantInts(2, "Slice ends");
  if (failed(x) || failed(starts) || failed(ends))
    return failure();
  std::optional<SmallVector<int64_t>> optional[2];
  const char *names[2] = {"Slice axes", "Slice steps"};
  for (unsigned i = 0; i < 2; ++i) {
    if (!b.input(3 + i))
      continue;
    auto values = b.constantInts(3 + i, names[i]);
    if (failed(values))
      return failure();
    optional[i] = *values;
  }
  return setResult(b, buildSlice(b, *x, *starts, *ends, optional[0], optional[1]));
}

// Split along `axis` into the given sizes (slices that may be empty).
LogicalResult buildSplit(OpBinder &b, Value x, int64_t axisAttr, ArrayRef<int64_t> sizes) {
  ArrayRef<int64_t> shape = b.typeOf(x).getShape();
  auto axis = b.normalizeAxis(axisAttr, shape.size());
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return b.emitError() << "split size " << s << " is negative";
    total += s;
  }
  if (total != shape[*axis])
    return b.emitError() << "split sizes add up to " << total << ", not the dim's "
                         << shape[*axis];
  if (sizes.size() != b.numOutputs())
    return b.emitError() << "has " << b.numOutputs() << " outputs for " << sizes.size()
                         << " split sizes";
  SmallVector<Value> parts;
  int64_t offset = 0;
  for (int64_t size : sizes) {
    SmallVector<int64_t> starts(shape.size(), 0), extents(shape), steps(shape.size(), 1);
    starts[*axis] = offset;
    extents[*axis] = size;
    OpBuilder &ob = b.builder();
    auto part = b.create<kg::SliceOp>(x, ob.getDenseI64ArrayAttr(starts),
                                      ob.getDenseI64ArrayAttr(extents),
                                      ob.getDenseI64ArrayAttr(steps));
    if (failed(part))
      return failure();
    parts.push_back(*part);
    offset += size;
  }
  return b.setResults(parts);
}

// Sizes from the `split` attribute (opset < 13) or input (13+), else equal parts (the last one
// smaller when num_outputs does not divide the dim, as opset 18 allows).
template <bool fromInput> LogicalResult convertSplit(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t axis = b.intAttr("axis", 0);
  std::optional<SmallVector<int64_t>> sizes;
  if (!fromInput) {
    sizes = b.intsAttr("split");
  } else if (b.input(1)) {
    // Sizes computed at run time: the declared outputs' dims along the axis, checked.
    auto values = intsFromDeclaredShape(b, 1, "Split split", [&](ArrayRef<int64_t>)
                                            -> FailureOr<DerivedParam> {
      auto d = b.normalizeAxis(axis, b.typeOf(*x).getRank());
      if (failed(d))
        return failure();
      DerivedParam param;
      for (unsigned k = 0; k < b.numOutputs(); ++k) {
        auto declared = b.declaredOutputShape(k);
        if (!declared || int64_t(declared->size()) != b.typeOf(*x).getRank())
          return b.emitError() << "output " << k << " has no declared static shape of rank "
                               << b.typeOf(*x).getRank();
        param.value.push_back((*declared)[*d]);
        param.accepted.push_back({(*declared)[*d]});
      }
      return param;
    });
    if (failed(values))
      return failure();
    sizes = *values;
  }
  if (!sizes) {
    auto normalized = b.normalizeAxis(axis, b.typeOf(*x).getRank());
    if (failed(normalized))
      return failure();
    int64_t dim = b.typeOf(*x).getDimSize(*normalized);
    int64_t parts = b.intAttr("num_outputs", b.numOutputs());
    if (parts <= 0)
      return b.emitError() << "cannot split into " << parts << " parts";
    int64_t chunk = (dim + parts - 1) / parts;
    if (!b.hasAttr("num_outputs") && dim % parts != 0)
      return b.emitError() << "cannot split a dim of " << dim << " into " << parts
                           << " equal parts";
    sizes.emplace();
    for (int64_t i = 0, left = dim; i < parts; ++i, left -= chunk)
      sizes->push_back(std::clamp<int64_t>(left, 0, chunk));
  }
  return buildSplit(b, *x, axis, *sizes);
}

// Compress with a constant condition: a gather of the selected positions (of the flattened
// input when there is no axis). Entries past the condition's length are dropped.
LogicalResult convertCompress(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Attribute condition;
  Value conditionInput = b.input(1);
  if (!conditionInput || !matchPattern(conditionInput, m_Constant(&condition)))
    return b.emitError() << "Compress condition (input 1) is computed at run time; Kiln needs "
                            "it to be a compile-time constant (the output shape depends on it)";
  auto flags = kg::readAsInt64(condition);
  if (!flags)
    return b.emitError() << "cannot read the Compress condition";
  Value input = *x;
  int64_t axis = 0;
  if (b.hasAttr("axis")) {
    auto normalized = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(input).getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    auto flat = b.reshape(input, {b.typeOf(input).getNumElements()});
    if (failed(flat))
      return failure();
    input = *flat;
  }
  int64_t dim = b.typeOf(input).getDimSize(axis);
  SmallVector<int64_t> positions;
  for (int64_t i = 0; i < std::min<int64_t>(dim, flags->size()); ++i)
    if ((*flags)[i] != 0)
      positions.push_back(i);
  return setResult(b, gatherAt(b, input, axis, positions));
}

} // namespace

void populateSliceConverters(ConverterRegistry &r) {
  r.add("Concat", 4, convertConcat);
  r.add("Slice", 1, convertSlice1);
  r.add("Slice", 10, convertSlice10);
  r.add("Split", 1, convertSplit<false>);
  r.add("Split", 13, convertSplit<true>);
  r.add("Compress", 9, convertCompress);
}

} // namespace kiln::onnx_frontend
