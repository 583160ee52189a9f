// Matrix products: MatMul (numpy semantics) and Gemm.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

LogicalResult checkSameElementType(OpBinder &b, ArrayRef<Value> values) {
  for (Value v : values)
    if (v && b.typeOf(v).getElementType() != b.typeOf(values[0]).getElementType())
      return b.emitError() << "operand element types " << b.typeOf(values[0]).getElementType()
                           << " and " << b.typeOf(v).getElementType() << " differ";
  return success();
}

LogicalResult convertMatMul(OpBinder &b) {
  auto lhs = b.requiredInput(0), rhs = b.requiredInput(1);
  if (failed(lhs) || failed(rhs) || failed(checkSameElementType(b, {*lhs, *rhs})))
    return failure();
  auto result = b.create<kg::MatMulOp>(*lhs, *rhs);
  return failed(result) ? failure() : b.setResults({*result});
}

// Gemm-1/6 had a `broadcast` attribute for C; kg.gemm broadcasts C numpy-style in every
// version, and C (optional from Gemm-11) may be absent in any.
LogicalResult convertGemm(OpBinder &b) {
  auto a = b.requiredInput(0), bm = b.requiredInput(1);
  if (failed(a) || failed(bm) || failed(checkSameElementType(b, {*a, *bm, b.input(2)})))
    return failure();
  OpBuilder &ob = b.builder();
  auto result = b.create<kg::GemmOp>(*a, *bm, b.input(2), ob.getBoolAttr(b.intAttr("transA", 0)),
                                     ob.getBoolAttr(b.intAttr("transB", 0)),
                                     ob.getF32FloatAttr(b.floatAttr("alpha", 1.0f)),
                                     ob.getF32FloatAttr(b.floatAttr("beta", 1.0f)));
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateMatMulConverters(ConverterRegistry &r) {
  r.add("MatMul", 1, convertMatMul);
  r.add("Gemm", 1, convertGemm);
}

} // namespace kiln::onnx_frontend
