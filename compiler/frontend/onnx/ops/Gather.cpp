// Gathers: Gather, GatherElements, GatherND, ReverseSequence and TopK (a top_k_indices and
// a gather_elements of the values), plus the constant-position gather other converters build on.
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

LogicalResult setResult(OpBinder &b, FailureOr<Value> result) {
  return failed(result) ? failure() : b.setResults({*result});
}

FailureOr<Value> gatherAt(OpBinder &b, Value x, int64_t axis, ArrayRef<int64_t> positions) {
  auto type = RankedTensorType::get({int64_t(positions.size())}, b.builder().getI64Type());
  Value indices = b.constant(kg::makeDenseInt(type, positions));
  return b.create<kg::GatherOp>(x, indices, b.builder().getI64IntegerAttr(axis));
}

Value axisConstant(OpBinder &b, Type elementType, int64_t rank, int64_t axis,
                   ArrayRef<double> values) {
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = values.size();
  return b.constant(kg::makeDense(RankedTensorType::get(shape, elementType), values));
}

namespace {

LogicalResult convertGather(OpBinder &b) {
  auto data = b.requiredInput(0), indices = b.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(*data).getRank());
  if (failed(axis))
    return failure();
  // Constant indices are checked here; the kernel trusts them.
  Attribute constant;
  if (matchPattern(*indices, m_Constant(&constant))) {
    int64_t extent = b.typeOf(*data).getDimSize(*axis);
    for (int64_t index : graph::readAsInt64(constant).value_or(std::vector<int64_t>()))
      if (index < -extent || index >= extent)
        return b.emitError() << "index " << index << " is out of range for a dim of size "
                             << extent;
  }
  auto result = b.create<kg::GatherOp>(*data, *indices, b.builder().getI64IntegerAttr(*axis));
  return failed(result) ? failure() : b.setResults({*result});
}

LogicalResult convertGatherElements(OpBinder &b) {
  auto data = b.requiredInput(0), indices = b.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(*data).getRank());
  if (failed(axis))
    return failure();
  return setResult(b, b.create<kg::GatherElementsOp>(*data, *indices,
                                                     b.builder().getI64IntegerAttr(*axis)));
}

LogicalResult convertGatherND(OpBinder &b) {
  auto data = b.requiredInput(0), indices = b.requiredInput(1);
  if (failed(data) || failed(indices))
    return failure();
  return setResult(b, b.create<kg::GatherNDOp>(
                          *data, *indices, b.builder().getI64IntegerAttr(b.intAttr("batch_dims", 0))));
}

LogicalResult convertReverseSequence(OpBinder &b) {
  auto x = b.requiredInput(0), lens = b.requiredInput(1);
  if (failed(x) || failed(lens))
    return failure();
  OpBuilder &ob = b.builder();
  return setResult(b, b.create<kg::ReverseSequenceOp>(
                          *x, *lens, ob.getI64IntegerAttr(b.intAttr("batch_axis", 1)),
                          ob.getI64IntegerAttr(b.intAttr("time_axis", 0))));
}

// TopK-1 takes k as an attribute, 10+ as a (constant) input; 11 added largest and sorted. The
// result is always sorted, which sorted = 0 (order unspecified) allows.
template <bool kFromInput> LogicalResult convertTopK(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t k = b.intAttr("k", -1);
  if (kFromInput) {
    // k may be computed at run time when the model declares the output's shape.
    int64_t rank = b.typeOf(*x).getRank();
    auto values = intsFromDeclaredShape(b, 1, "TopK k", [&](ArrayRef<int64_t> declared)
                                            -> FailureOr<DerivedParam> {
      auto axis = b.normalizeAxis(b.intAttr("axis", -1), rank);
      if (failed(axis) || int64_t(declared.size()) != rank)
        return b.emitError() << "the declared output does not have the input's rank " << rank;
      return DerivedParam{{declared[*axis]}, {{declared[*axis]}}};
    });
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return b.emitError() << "k must hold one value";
    k = (*values)[0];
  }
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  OpBuilder &ob = b.builder();
  auto indices = b.create<kg::TopKIndicesOp>(*x, ob.getI64IntegerAttr(k),
                                             ob.getI64IntegerAttr(*axis),
                                             ob.getBoolAttr(b.intAttr("largest", 1) != 0));
  if (failed(indices))
    return failure();
  auto values = b.create<kg::GatherElementsOp>(*x, *indices, ob.getI64IntegerAttr(*axis));
  if (failed(values))
    return failure();
  return b.setResults({*values, *indices});
}

} // namespace

void populateGatherConverters(ConverterRegistry &r) {
  r.add("Gather", 1, convertGather);
  r.add("GatherElements", 11, convertGatherElements);
  r.add("GatherND", 11, convertGatherND);
  r.add("ReverseSequence", 10, convertReverseSequence);
  r.add("TopK", 1, convertTopK<false>);
  r.add("TopK", 10, convertTopK<true>);
}

} // namespace kiln::onnx_frontend
