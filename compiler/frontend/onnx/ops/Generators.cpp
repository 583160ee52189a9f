// Tensors generated from a pattern: Range and EyeLike (constants: their shapes and values are
// known when compiling) and Trilu (a mask of the input; k may be computed at run time).
#include "compiler/frontend/onnx/ops/DataMovement.h"

#include "compiler/frontend/onnx/TensorImport.h"
#include "ir/graph/ConstantData.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Range: start, limit and delta are scalars that must be constants; the output has
// max(ceil((limit - start) / delta), 0) elements, computed in the inputs' type.
// Range with start/limit/delta known only at run time: start + i * delta over the declared
// output length n, with a run-time check that n = max(ceil((limit - start) / delta), 0).
LogicalResult convertRunTimeRange(OpBinder &b) {
  std::optional<SmallVector<int64_t>> declared = b.declaredOutputShape(0);
  if (!declared || declared->size() != 1)
    return b.emitError() << "start, limit or delta is computed at run time and the model declares "
                         << "no static 1-D shape for the output; Kiln needs one to compile";
  int64_t count = declared->front();
  Value start = b.input(0), limit = b.input(1), delta = b.input(2);
  Type elementType = b.typeOf(start).getElementType();
  SmallVector<double> iota;
  for (int64_t i = 0; i < count; ++i)
    iota.push_back(double(i));
  Value steps = b.constant(kg::makeDense(RankedTensorType::get({count}, elementType), iota));
  auto offsets = b.create<kg::MulOp>(steps, delta);
  auto values = failed(offsets) ? offsets : b.create<kg::AddOp>(start, *offsets);
  if (failed(values))
    return failure();
  // The length check in float64, as the spec's ceil((limit - start) / delta).
  auto f64 = [&](Value v) {
    return b.createTyped<kg::CastOp>(b.typeOf(v).clone(b.builder().getF64Type()), v);
  };
  auto s = f64(start), l = f64(limit), d = f64(delta);
  if (failed(s) || failed(l) || failed(d))
    return failure();
  auto span = b.create<kg::SubOp>(*l, *s);
  auto ratio = failed(span) ? span : b.create<kg::DivOp>(*span, *d);
  auto rounded = failed(ratio) ? ratio : b.create<kg::CeilOp>(*ratio);
  auto length = failed(rounded)
                    ? rounded
                    : b.create<kg::MaxOp>(*rounded, b.scalar(b.builder().getF64Type(), 0.0));
  auto ok = failed(length) ? length
                           : b.create<kg::EqualOp>(*length,
                                                   b.scalar(b.builder().getF64Type(), double(count)));
  if (failed(ok) ||
      failed(b.addRunTimeCheck(*ok, "inputs '" + b.inputName(0).str() + "', '" +
                                        b.inputName(1).str() + "', '" + b.inputName(2).str() +
                                        "' (Range start, limit, delta of node " + b.nodeName() +
                                        ") must give " + std::to_string(count) +
                                        " elements: the model was compiled for its declared "
                                        "output shape")))
    return failure();
  return b.setResults({*values});
}

LogicalResult convertRange(OpBinder &b) {
  auto start = b.requiredInput(0);
  if (failed(start) || !b.input(1) || !b.input(2))
    return b.emitError() << "needs start, limit and delta";
  for (unsigned i = 0; i < 3; ++i)
    if (!matchPattern(b.input(i), m_Constant()))
      return convertRunTimeRange(b);
  auto first = b.constantFloats(0, "Range start"), limit = b.constantFloats(1, "Range limit"),
       delta = b.constantFloats(2, "Range delta");
  if (failed(start) || failed(first) || failed(limit) || failed(delta))
    return failure();
  if (first->size() != 1 || limit->size() != 1 || delta->size() != 1)
    return b.emitError() << "start, limit and delta must be scalars";
  double d = (*delta)[0];
  if (d == 0)
    return b.emitError() << "delta is 0";
  int64_t count = std::max<int64_t>(int64_t(std::ceil(((*limit)[0] - (*first)[0]) / d)), 0);
  if (count > (int64_t(1) << 31))
    return b.emitError() << "would produce " << count << " elements";
  Type elementType = b.typeOf(*start).getElementType();
  SmallVector<double> values; // output[i] = start + i * delta, as the spec defines it
  for (int64_t i = 0; i < count; ++i)
    values.push_back((*first)[0] + double(i) * d);
  auto type = RankedTensorType::get({count}, elementType);
  return b.setResults({b.constant(kg::makeDense(type, values))});
}

// EyeLike: ones on the diagonal shifted by k of a 2-D tensor shaped like the input, of type
// `dtype` (default: the input's).
LogicalResult convertEyeLike(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  ArrayRef<int64_t> shape = b.typeOf(*x).getShape();
  if (shape.size() != 2)
    return b.emitError() << "needs a 2-D input";
  Type elementType = b.typeOf(*x).getElementType();
  if (b.hasAttr("dtype")) {
    int64_t dtype = b.intAttr("dtype", 0);
    elementType = convertElementType(b.context(), int32_t(dtype));
    if (!elementType)
      return b.emitError() << "dtype " << onnxTypeName(int32_t(dtype)) << " is not supported";
  }
  int64_t k = b.intAttr("k", 0);
  SmallVector<double> values(shape[0] * shape[1], 0.0);
  for (int64_t i = 0; i < shape[0]; ++i)
    if (i + k >= 0 && i + k < shape[1])
      values[i * shape[1] + i + k] = 1.0;
  auto type = RankedTensorType::get(shape, elementType);
  return b.setResults({b.constant(kg::makeDense(type, values))});
}

LogicalResult convertTrilu(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Value k = b.input(1);
  if (k && b.typeOf(k).getRank() != 0) {
    auto scalar = b.reshape(k, {});
    if (failed(scalar))
      return failure();
    k = *scalar;
  }
  OpBuilder &ob = b.builder();
  return setResult(b, b.create<kg::TriluOp>(*x, k, ob.getBoolAttr(b.intAttr("upper", 1) != 0)));
}

} // namespace

void populateGeneratorConverters(ConverterRegistry &r) {
  r.add("Range", 11, convertRange);
  r.add("EyeLike", 9, convertEyeLike);
  r.add("Trilu", 14, convertTrilu);
}

} // namespace kiln::onnx_frontend
