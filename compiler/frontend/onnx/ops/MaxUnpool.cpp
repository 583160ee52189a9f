// MaxUnpool: the inverse of MaxPool with Indices. X's values are scattered into a zero tensor of
// the unpooled shape at I's flat (whole-tensor) indices, with one kg.scatter_elements; a larger
// output_shape extends it with zeros at the end of each dim.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// The shape MaxPool's input had: per spatial dim (in - 1) * stride + kernel - pads. I indexes
// a tensor of this shape.
FailureOr<SmallVector<int64_t>> inferredShape(OpBinder &b, ArrayRef<int64_t> in) {
  int64_t spatial = int64_t(in.size()) - 2;
  auto kernel = b.intsAttr("kernel_shape");
  if (!kernel || int64_t(kernel->size()) != spatial)
    return b.emitError() << "kernel_shape must give one size per spatial dim";
  auto strides = b.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = b.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (int64_t(strides.size()) != spatial || int64_t(pads.size()) != 2 * spatial)
    return b.emitError() << "strides and pads must match the " << spatial << " spatial dims";
  SmallVector<int64_t> out(in.take_front(2));
  for (int64_t d = 0; d < spatial; ++d)
    out.push_back((in[2 + d] - 1) * strides[d] + (*kernel)[d] - pads[d] - pads[spatial + d]);
  return out;
}

// output_shape (input 2) as integers: a constant, or the declared output shape, checked at run
// time.
FailureOr<SmallVector<int64_t>> requestedShape(OpBinder &b) {
  return intsFromDeclaredShape(b, 2, "MaxUnpool output_shape", [](ArrayRef<int64_t> declared) {
    DerivedParam param{SmallVector<int64_t>(declared), {}};
    for (int64_t dim : declared)
      param.accepted.push_back({dim});
    return FailureOr<DerivedParam>(param);
  });
}

// Extends `y` with zeros at the end of each dim up to `shape` (as the ONNX reference places
// the unpooled tensor at the origin of a larger output_shape).
FailureOr<Value> padAtEnd(OpBinder &b, Value y, ArrayRef<int64_t> shape) {
  for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
    SmallVector<int64_t> current(b.typeOf(y).getShape());
    if (current[d] == shape[d])
      continue;
    current[d] = shape[d] - current[d];
    auto zerosType = RankedTensorType::get(current, b.typeOf(y).getElementType());
    Value zeros = b.constant(
        kg::makeDense(zerosType, SmallVector<double>(graph::numElements(current), 0.0)));
    auto joined = b.create<kg::ConcatOp>(ValueRange{y, zeros}, b.builder().getI64IntegerAttr(d));
    if (failed(joined))
      return failure();
    y = *joined;
  }
  return y;
}

LogicalResult convertMaxUnpool(OpBinder &b) {
  auto x = b.requiredInput(0), indices = b.requiredInput(1);
  if (failed(x) || failed(indices))
    return failure();
  auto type = b.typeOf(*x);
  if (type.getRank() < 3)
    return b.emitError() << "X of shape " << graph::formatShape(type.getShape())
                         << " must be (N, C, spatial dims...)";
  if (b.typeOf(*indices).getShape() != type.getShape() ||
      !b.typeOf(*indices).getElementType().isInteger(64))
    return b.emitError() << "I must be int64 of X's shape " << graph::formatShape(type.getShape());
  auto shape = inferredShape(b, type.getShape());
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 1; }))
    return b.emitError() << "kernel_shape, strides and pads unpool X of shape "
                         << graph::formatShape(type.getShape()) << " to an empty shape";
  SmallVector<int64_t> outShape(*shape);
  if (b.numInputs() > 2 && b.input(2)) {
    auto requested = requestedShape(b);
    if (failed(requested))
      return failure();
    if (requested->size() != shape->size() ||
        llvm::any_of(llvm::zip(*requested, *shape),
                     [](auto dims) { return std::get<0>(dims) < std::get<1>(dims); }))
      return b.emitError() << "output_shape " << graph::formatShape(*requested)
                           << " is smaller than the unpooled shape "
                           << graph::formatShape(*shape);
    outShape = *requested;
  }

  int64_t total = graph::numElements(*shape), count = type.getNumElements();
  auto zerosType = RankedTensorType::get({total}, type.getElementType());
  Value zeros = b.constant(kg::makeDense(zerosType, SmallVector<double>(total, 0.0)));
  auto flatIndices = b.reshape(*indices, {count});
  auto flatValues = b.reshape(*x, {count});
  if (failed(flatIndices) || failed(flatValues))
    return failure();
  auto scattered = b.create<kg::ScatterElementsOp>(zeros, *flatIndices, *flatValues,
                                                   b.builder().getI64IntegerAttr(0),
                                                   b.builder().getStringAttr("none"));
  auto unpooled = failed(scattered) ? scattered : b.reshape(*scattered, *shape);
  auto result = failed(unpooled) ? unpooled : padAtEnd(b, *unpooled, outShape);
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateMaxUnpoolConverters(ConverterRegistry &r) {
  r.add("MaxUnpool", 9, convertMaxUnpool);
}

} // namespace kiln::onnx_frontend
