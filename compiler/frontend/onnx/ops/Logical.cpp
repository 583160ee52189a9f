// Logical and comparison ONNX ops (bool results), IsNaN/IsInf, and CastLike.
#include "compiler/frontend/onnx/ops/ElementwiseConverters.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// GreaterOrEqual/LessOrEqual-12 are primitives of kg; their function bodies (Greater or Equal)
// give the same results, NaN included.
template <typename OpTy> void addComparison(ConverterRegistry &r, StringRef name, int64_t since) {
  if (since < 7)
    r.add(name, since, convertLegacyBinary<OpTy>);
  r.add(name, std::max<int64_t>(since, 7), convertBinary<OpTy>);
}

// IsNaN(x) = !(x == x).
LogicalResult convertIsNaN(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x) || failed(floatElementType(b, *x)))
    return failure();
  auto equal = b.create<kg::EqualOp>(*x, *x);
  return failed(equal) ? failure() : setResult(b, b.create<kg::NotOp>(*equal));
}

// IsInf: |x| == inf, x == inf or x == -inf by detect_positive/detect_negative; all false when
// neither is set.
LogicalResult convertIsInf(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = floatElementType(b, *x);
  if (failed(type))
    return failure();
  bool positive = b.intAttr("detect_positive", 1) != 0;
  bool negative = b.intAttr("detect_negative", 1) != 0;
  if (!positive && !negative) {
    auto boolType = b.typeOf(*x).clone(b.builder().getI1Type());
    return b.setResults({b.constant(DenseElementsAttr::get(boolType, false))});
  }
  double inf = std::numeric_limits<double>::infinity();
  FailureOr<Value> value = *x;
  if (positive && negative)
    value = b.create<kg::AbsOp>(*x);
  if (failed(value))
    return failure();
  return setResult(b, b.create<kg::EqualOp>(*value, b.scalar(*type, positive ? inf : -inf)));
}

// CastLike-15: Cast to the element type of the second input.
LogicalResult convertCastLike(OpBinder &b) {
  auto x = b.requiredInput(0), like = b.requiredInput(1);
  if (failed(x) || failed(like))
    return failure();
  Type to = b.typeOf(*like).getElementType();
  return setResult(b, b.createTyped<kg::CastOp>(b.typeOf(*x).clone(to), *x));
}

} // namespace

void populateLogicalConverters(ConverterRegistry &r) {
  addComparison<kg::AndOp>(r, "And", 1);
  addComparison<kg::OrOp>(r, "Or", 1);
  addComparison<kg::XorOp>(r, "Xor", 1);
  addComparison<kg::EqualOp>(r, "Equal", 1);
  addComparison<kg::GreaterOp>(r, "Greater", 1);
  addComparison<kg::LessOp>(r, "Less", 1);
  addComparison<kg::GreaterEqualOp>(r, "GreaterOrEqual", 12);
  addComparison<kg::LessEqualOp>(r, "LessOrEqual", 12);
  r.add("Not", 1, convertUnary<kg::NotOp>);
  r.add("IsNaN", 9, convertIsNaN);
  r.add("IsInf", 10, convertIsInf);
  r.add("CastLike", 15, convertCastLike);
}

} // namespace kiln::onnx_frontend
