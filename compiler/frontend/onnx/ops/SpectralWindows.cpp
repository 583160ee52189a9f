// Spectral windows (HannWindow, HammingWindow, BlackmanWindow): generalized cosine windows
// whose values depend only on the window size, so they become constants. A size computed at
// run time compiles for the declared output length and is checked when the model runs.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/TensorImport.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"

#include <cmath>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N = size (periodic) or size - 1.
template <int kind> LogicalResult convertCosineWindow(OpBinder &b) {
  constexpr double coefficients[3][3] = {
      {0.5, 0.5, 0.0},                 // Hann
      {25.0 / 46.0, 21.0 / 46.0, 0.0}, // Hamming
      {0.42, 0.5, 0.08},               // Blackman
  };
  const double *a = coefficients[kind];
  if (failed(b.requiredInput(0)))
    return failure();
  auto size = intsFromDeclaredShape(b, 0, "window size", [&](ArrayRef<int64_t> declared) {
    if (declared.size() != 1)
      return FailureOr<DerivedParam>(b.emitError() << "the declared output shape must be 1-D");
    return FailureOr<DerivedParam>(DerivedParam{{declared[0]}, {{declared[0]}}});
  });
  if (failed(size))
    return failure();
  if (size->size() != 1 || size->front() < 1)
    return b.emitError() << "size must be one positive value";
  int64_t length = size->front();
  int32_t dtype = int32_t(b.intAttr("output_datatype", 1));
  Type elementType = convertElementType(b.context(), dtype);
  if (!elementType)
    return b.emitError() << "output_datatype " << onnxTypeName(dtype) << " is not supported";
  bool periodic = b.intAttr("periodic", 1) != 0;
  double n = double(periodic ? length : length - 1);
  SmallVector<double> values;
  for (int64_t i = 0; i < length; ++i) {
    // A symmetric window of one sample has N = 0: its only value is at angle 0.
    double angle = n > 0 ? 2 * M_PI * double(i) / n : 0;
    values.push_back(a[0] - a[1] * std::cos(angle) + a[2] * std::cos(2 * angle));
  }
  auto type = RankedTensorType::get({length}, elementType);
  return b.setResults({b.constant(kg::makeDense(type, values))});
}

} // namespace

void populateSpectralWindowConverters(ConverterRegistry &r) {
  r.add("HannWindow", 17, convertCosineWindow<0>);
  r.add("HammingWindow", 17, convertCosineWindow<1>);
  r.add("BlackmanWindow", 17, convertCosineWindow<2>);
}

} // namespace kiln::onnx_frontend
