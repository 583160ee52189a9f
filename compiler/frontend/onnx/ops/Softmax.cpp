// Softmax, LogSoftmax and Hardmax.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Opsets 1..12: the input is coerced to 2-D [prod(dims < axis), prod(dims >= axis)] and the
// op taken over the second dim.
template <typename OpTy> LogicalResult convertCoerced(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  auto axis = b.normalizeAxis(b.intAttr("axis", 1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t outer = graph::numElements(type.getShape().take_front(*axis));
  int64_t inner = graph::numElements(type.getShape().drop_front(*axis));
  auto flat = b.reshape(*x, {outer, inner});
  if (failed(flat))
    return failure();
  auto result2d = b.create<OpTy>(*flat, b.builder().getI64IntegerAttr(1));
  if (failed(result2d))
    return failure();
  auto result = b.reshape(*result2d, type.getShape());
  return failed(result) ? failure() : b.setResults({*result});
}

// Opset 13: along one axis.
template <typename OpTy> LogicalResult convertAlongAxis(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  auto result = b.create<OpTy>(*x, b.builder().getI64IntegerAttr(*axis));
  return failed(result) ? failure() : b.setResults({*result});
}

template <typename OpTy> void addSoftmaxLike(ConverterRegistry &r, StringRef name) {
  r.add(name, 1, convertCoerced<OpTy>);
  r.add(name, 13, convertAlongAxis<OpTy>);
}

} // namespace

void populateSoftmaxConverters(ConverterRegistry &r) {
  addSoftmaxLike<kg::SoftmaxOp>(r, "Softmax");
  addSoftmaxLike<kg::LogSoftmaxOp>(r, "LogSoftmax");
  addSoftmaxLike<kg::HardmaxOp>(r, "Hardmax");
}

} // namespace kiln::onnx_frontend
