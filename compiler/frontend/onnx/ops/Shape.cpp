// Shape ops: Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, ConstantOfShape, Identity,
// Constant, Cast, Where; registers the other data-movement families (ops/DataMovement.h).
// Shape computations fold as they are built, so their consumers read constants (see
// OpBinder::constantInts).
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"
#include "compiler/frontend/onnx/TensorImport.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

LogicalResult setReshaped(OpBinder &b, Value x, ArrayRef<int64_t> shape) {
  return setResult(b, b.reshape(x, shape));
}

// 0 copies the input dim (unless allowzero), -1 takes what is left.
LogicalResult buildReshape(OpBinder &b, Value x, ArrayRef<int64_t> requested, bool allowZero) {
  ArrayRef<int64_t> in = b.typeOf(x).getShape();
  int64_t total = graph::numElements(in), known = 1, inferred = -1;
  SmallVector<int64_t> out;
  for (size_t i = 0; i < requested.size(); ++i) {
    int64_t dim = requested[i];
    if (dim == 0 && !allowZero) {
      if (i >= in.size())
        return b.emitError() << "shape entry " << i << " is 0 (copy the input dim) but the input "
                             << graph::formatShape(in) << " has rank " << in.size();
      dim = in[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return b.emitError() << "shape has more than one -1";
      inferred = i;
    } else if (dim < 0 || __builtin_mul_overflow(known, dim, &known)) {
      return b.emitError() << "shape entry " << i << " (" << dim << ") is invalid";
    }
    out.push_back(dim);
  }
  if (inferred >= 0) {
    if (known == 0 || total % known)
      return b.emitError() << "cannot infer the -1 in the shape from the " << graph::formatShape(in)
                           << " input";
    out[inferred] = total / known;
  } else if (known != total) {
    return b.emitError() << "cannot reshape " << graph::formatShape(in) << " to "
                         << graph::formatShape(out);
  }
  return setReshaped(b, x, out);
}

// Reshape-14 added allowzero.
template <bool hasAllowZero> LogicalResult convertReshape(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  bool allowZero = hasAllowZero && b.intAttr("allowzero", 0) != 0;
  ArrayRef<int64_t> in = b.typeOf(*x).getShape();
  // A run-time shape may spell each declared dim as itself, as -1 (inferred) or, without
  // allowzero, as 0 where the input dim is the same.
  auto shape = intsFromDeclaredShape(b, 1, "Reshape shape", [&](ArrayRef<int64_t> declared)
                                         -> FailureOr<DerivedParam> {
    if (graph::numElements(declared) != graph::numElements(in))
      return b.emitError() << "the declared output " << graph::formatShape(declared)
                           << " does not hold the " << graph::formatShape(in) << " input";
    DerivedParam param{SmallVector<int64_t>(declared), {}};
    for (auto [i, dim] : llvm::enumerate(declared)) {
      param.accepted.emplace_back();
      // Without allowzero a literal 0 means "copy the input dim", so it spells 0 only where
      // that dim is 0; -1 cannot be inferred when the other dims multiply to 0.
      if (allowZero || dim != 0)
        param.accepted.back().push_back(dim);
      int64_t others = 1;
      for (auto [j, other] : llvm::enumerate(declared))
        others *= j == i ? 1 : other;
      if (others != 0)
        param.accepted.back().push_back(-1);
      if (!allowZero && i < in.size() && in[i] == dim)
        param.accepted.back().push_back(0);
      if (param.accepted.back().empty())
        return b.emitError() << "no run-time shape value gives dim " << i << " of the declared "
                             << "output " << graph::formatShape(declared);
    }
    return param;
  });
  if (failed(shape))
    return failure();
  if (!inputIsConstant(b, 1) &&
      failed(checkCountAtMost(b, b.input(1), {-1}, 1,
                              "input '" + b.inputName(1).str() + "' (Reshape shape of node " +
                                  b.nodeName() + ") holds more than one -1")))
    return failure();
  return buildReshape(b, *x, *shape, allowZero);
}

LogicalResult convertFlatten(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  int64_t rank = shape.size(), axis = b.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return b.emitError() << "axis " << b.intAttr("axis", 1) << " is out of range for rank " << rank;
  return setReshaped(
      b, *x,
      {graph::numElements(shape.take_front(axis)), graph::numElements(shape.drop_front(axis))});
}

// Axes from the attribute (opset < 13) or the optional input (opset >= 13).
template <bool fromInput>
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(OpBinder &b, StringRef what) {
  if (!fromInput)
    return b.intsAttr("axes");
  if (!b.input(1))
    return std::optional<SmallVector<int64_t>>();
  auto axes = b.constantInts(1, what);
  if (failed(axes))
    return failure();
  return std::optional<SmallVector<int64_t>>(*axes);
}

// Squeeze/Unsqueeze axes: the attribute, a constant input, or an input computed at run time
// that the declared output shape determines (checked at run time).
template <bool fromInput>
FailureOr<std::optional<SmallVector<int64_t>>> readAxesOf(OpBinder &b, Value x, bool squeeze) {
  StringRef what = squeeze ? "Squeeze axes" : "Unsqueeze axes";
  if (!fromInput || !b.input(1) || inputIsConstant(b, 1))
    return readAxes<fromInput>(b, what);
  ArrayRef<int64_t> in = b.typeOf(x).getShape();
  int64_t count = b.typeOf(b.input(1)).getRank() == 1 ? b.typeOf(b.input(1)).getDimSize(0) : 0;
  int64_t rank = squeeze ? in.size() : in.size() + count;
  auto set = axisSetFromDeclaredShape(
      b, 1, what, rank, [&](ArrayRef<int64_t> declared, ArrayRef<int64_t> set) {
        if (squeeze)
          return llvm::all_of(set, [&](int64_t d) { return in[d] == 1; }) &&
                 ArrayRef<int64_t>(withoutAxes(in, set)) == declared;
        return int64_t(declared.size()) == rank &&
               llvm::all_of(set, [&](int64_t d) { return declared[d] == 1; }) &&
               ArrayRef<int64_t>(withoutAxes(declared, set)) == in;
      });
  if (failed(set))
    return failure();
  return std::optional<SmallVector<int64_t>>(*set);
}

template <bool fromInput> LogicalResult convertSqueeze(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axes = readAxesOf<fromInput>(b, *x, /*squeeze=*/true);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  SmallVector<bool> drop(shape.size(), false);
  if (!*axes) {
    for (size_t d = 0; d < shape.size(); ++d)
      drop[d] = shape[d] == 1;
  }
  for (int64_t axis : axes->value_or(SmallVector<int64_t>())) {
    auto d = b.normalizeAxis(axis, shape.size());
    if (failed(d))
      return failure();
    if (shape[*d] != 1)
      return b.emitError() << "cannot squeeze dim " << axis << " of size " << shape[*d];
    drop[*d] = true;
  }
  SmallVector<int64_t> out;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!drop[d])
      out.push_back(shape[d]);
  return setReshaped(b, *x, out);
}

template <bool fromInput> LogicalResult convertUnsqueeze(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axes = readAxesOf<fromInput>(b, *x, /*squeeze=*/false);
  if (failed(axes))
    return failure();
  if (!*axes)
    return b.emitError() << "requires axes";
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  int64_t outRank = shape.size() + (*axes)->size();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t axis : **axes) {
    auto d = b.normalizeAxis(axis, outRank);
    if (failed(d))
      return failure();
    if (inserted[*d])
      return b.emitError() << "axes repeat dim " << *d;
    inserted[*d] = true;
  }
  SmallVector<int64_t> out;
  const int64_t *next = shape.begin();
  for (int64_t d = 0; d < outRank; ++d)
    out.push_back(inserted[d] ? 1 : *next++);
  return setReshaped(b, *x, out);
}

// Shape-15 added start/end: negative counts from the end, then both clamp to [0, rank].
template <bool hasRange> LogicalResult convertShape(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = b.typeOf(*x).getRank(), start = 0, end = rank;
  if (hasRange) {
    auto clampToRank = [&](int64_t v) {
      return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
    };
    start = clampToRank(b.intAttr("start", 0));
    end = clampToRank(b.intAttr("end", rank));
  }
  auto result = b.create<kg::ShapeOp>(*x, b.builder().getI64IntegerAttr(start),
                                      b.builder().getI64IntegerAttr(std::max(start, end)));
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertSize(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = RankedTensorType::get({}, b.builder().getI64Type());
  return b.setResults({b.constant(graph::makeDenseInt(type, {b.typeOf(*x).getNumElements()}))});
}

LogicalResult convertConstantOfShape(OpBinder &b) {
  auto shapeInput = b.requiredInput(0);
  if (failed(shapeInput))
    return failure();
  auto dims = intsFromDeclaredShape(b, 0, "ConstantOfShape shape", [](ArrayRef<int64_t> declared) {
    DerivedParam param{SmallVector<int64_t>(declared), {}};
    for (int64_t dim : declared)
      param.accepted.push_back({dim});
    return FailureOr<DerivedParam>(param);
  });
  if (failed(dims))
    return failure();
  if (checkedNumElements(*dims) < 0)
    return b.emitError() << "shape " << graph::formatShape(*dims) << " is invalid";
  // The fill value defaults to a float 0.
  TypedAttr fill = b.builder().getF32FloatAttr(0);
  if (auto tensor = b.tensorAttr("value")) {
    if (failed(*tensor))
      return failure();
    if ((*tensor)->getNumElements() != 1)
      return b.emitError() << "value must hold exactly one element";
    Type elementType = (*tensor)->getElementType();
    auto floats = graph::readAsDouble(**tensor);
    auto ints = graph::readAsInt64(**tensor);
    if (!floats || !ints)
      return b.emitError() << "value of type " << elementType << " is not supported";
    if (isa<FloatType>(elementType))
      fill = FloatAttr::get(elementType, (*floats)[0]);
    else
      fill = IntegerAttr::get(elementType, (*ints)[0]);
  }
  Type elementType = fill.getType();
  auto result = b.createTyped<kg::ConstantOfShapeOp>(RankedTensorType::get(*dims, elementType),
                                                     *shapeInput, fill);
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertIdentity(OpBinder &b) {
  auto x = b.requiredInput(0);
  return failed(x) ? failure() : b.setResults({*x});
}

LogicalResult convertConstant(OpBinder &b) {
  OpBuilder &ob = b.builder();
  ElementsAttr value;
  if (auto tensor = b.tensorAttr("value")) {
    if (failed(*tensor))
      return failure();
    value = **tensor;
  } else if (b.hasAttr("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, ob.getF32Type()),
                                   b.floatAttr("value_float", 0));
  } else if (auto floats = b.floatsAttr("value_floats")) {
    value =
        DenseElementsAttr::get(RankedTensorType::get({int64_t(floats->size())}, ob.getF32Type()),
                               ArrayRef<float>(*floats));
  } else if (b.hasAttr("value_int")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, ob.getI64Type()),
                                   b.intAttr("value_int", 0));
  } else if (auto ints = b.intsAttr("value_ints")) {
    value = DenseElementsAttr::get(RankedTensorType::get({int64_t(ints->size())}, ob.getI64Type()),
                                   ArrayRef<int64_t>(*ints));
  } else {
    return b.emitError() << "has no value Kiln supports (value, value_float(s), value_int(s))";
  }
  if (b.hadError())
    return failure();
  return b.setResults({b.constant(value)});
}

LogicalResult convertCast(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  if (!b.hasAttr("to"))
    return b.emitError() << "requires 'to'";
  int64_t to = b.intAttr("to", 0);
  Type elementType = convertElementType(b.context(), int32_t(to));
  if (!elementType)
    return b.emitError() << "cannot cast to " << onnxTypeName(int32_t(to));
  auto result = b.createTyped<kg::CastOp>(b.typeOf(*x).clone(elementType), *x);
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertWhere(OpBinder &b) {
  auto cond = b.requiredInput(0), lhs = b.requiredInput(1), rhs = b.requiredInput(2);
  if (failed(cond) || failed(lhs) || failed(rhs))
    return failure();
  if (!b.typeOf(*cond).getElementType().isInteger(1))
    return b.emitError() << "condition must be bool";
  if (b.typeOf(*lhs).getElementType() != b.typeOf(*rhs).getElementType())
    return b.emitError() << "X and Y have different element types";
  auto result = b.create<kg::WhereOp>(*cond, *lhs, *rhs);
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateShapeConverters(ConverterRegistry &r) {
  r.add("Reshape", 5, convertReshape<false>);
  r.add("Reshape", 14, convertReshape<true>);
  r.add("Flatten", 1, convertFlatten);
  r.add("Squeeze", 1, convertSqueeze<false>);
  r.add("Squeeze", 13, convertSqueeze<true>);
  r.add("Unsqueeze", 1, convertUnsqueeze<false>);
  r.add("Unsqueeze", 13, convertUnsqueeze<true>);
  r.add("Shape", 1, convertShape<false>);
  r.add("Shape", 15, convertShape<true>);
  r.add("Size", 1, convertSize);
  r.add("ConstantOfShape", 9, convertConstantOfShape);
  r.add("Identity", 1, convertIdentity);
  r.add("Constant", 1, convertConstant);
  r.add("Cast", 6, convertCast);
  r.add("Where", 9, convertWhere);
  populateSliceConverters(r);
  populateTransposeConverters(r);
  populateGatherConverters(r);
  populateScatterConverters(r);
  populatePadConverters(r);
  populateResizeConverters(r);
  populateEinsumConverters(r);
  populateGeneratorConverters(r);
}

} // namespace kiln::onnx_frontend
