// Scatters: ScatterElements (and its deprecated alias Scatter), ScatterND, and OneHot as a
// scatter of the "on" value into a tensor of the "off" value.
#include "compiler/frontend/onnx/ops/DataMovement.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "compiler/frontend/onnx/TensorImport.h"
#include "ir/graph/ConstantData.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// reduction: added in opset 16 (none/add/mul), max/min in 18.
FailureOr<std::string> readReduction(OpBinder &b) {
  std::string reduction = b.stringAttr("reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction)) {
    b.emitError() << "reduction '" << reduction << "' is not supported";
    return failure();
  }
  return reduction;
}

LogicalResult convertScatterElements(OpBinder &b) {
  auto data = b.requiredInput(0), indices = b.requiredInput(1), updates = b.requiredInput(2);
  auto reduction = readReduction(b);
  if (failed(data) || failed(indices) || failed(updates) || failed(reduction))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(*data).getRank());
  if (failed(axis))
    return failure();
  OpBuilder &ob = b.builder();
  return setResult(b, b.create<kg::ScatterElementsOp>(*data, *indices, *updates,
                                                      ob.getI64IntegerAttr(*axis),
                                                      ob.getStringAttr(*reduction)));
}

LogicalResult convertScatterND(OpBinder &b) {
  auto data = b.requiredInput(0), indices = b.requiredInput(1), updates = b.requiredInput(2);
  auto reduction = readReduction(b);
  if (failed(data) || failed(indices) || failed(updates) || failed(reduction))
    return failure();
  return setResult(b, b.create<kg::ScatterNDOp>(*data, *indices, *updates,
                                                b.builder().getStringAttr(*reduction)));
}

// out = off everywhere, on at position indices[p] (negative counts from the end) of the new
// `axis` dim of size depth; an index outside [-depth, depth) leaves its row off, since the
// scatter ignores indices out of range. Indices of any numeric type are cast to int64.
LogicalResult convertOneHot(OpBinder &b) {
  auto indices = b.requiredInput(0), values = b.requiredInput(2);
  if (failed(indices) || failed(values))
    return failure();
  // Read as a double (depth may be a float tensor); computed at run time, the declared
  // output's `axis` dim gives it.
  SmallVector<double> depthValues;
  if (inputIsConstant(b, 1)) {
    auto constant = b.constantFloats(1, "OneHot depth");
    if (failed(constant))
      return failure();
    depthValues = *constant;
  } else {
    int64_t outRank = b.typeOf(*indices).getRank() + 1;
    auto fromDeclared = intsFromDeclaredShape(b, 1, "OneHot depth", [&](ArrayRef<int64_t> declared)
                                                  -> FailureOr<DerivedParam> {
      auto axis = b.normalizeAxis(b.intAttr("axis", -1), outRank);
      if (failed(axis) || int64_t(declared.size()) != outRank)
        return b.emitError() << "the declared output does not have rank " << outRank;
      return DerivedParam{{declared[*axis]}, {{declared[*axis]}}};
    });
    if (failed(fromDeclared))
      return failure();
    depthValues.push_back(double(fromDeclared->front()));
  }
  if (depthValues.size() != 1 || depthValues[0] < 1)
    return b.emitError() << "depth must be one positive value";
  int64_t depth = int64_t(depthValues[0]);
  if (b.typeOf(*values).getNumElements() != 2)
    return b.emitError() << "values must hold [off, on]";
  ArrayRef<int64_t> inShape = b.typeOf(*indices).getShape();
  int64_t outRank = inShape.size() + 1;
  auto axis = b.normalizeAxis(b.intAttr("axis", -1), outRank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> outShape(inShape), unitShape(inShape);
  outShape.insert(outShape.begin() + *axis, depth);
  unitShape.insert(unitShape.begin() + *axis, 1);

  OpBuilder &ob = b.builder();
  auto flatValues = b.reshape(*values, {2});
  if (failed(flatValues))
    return failure();
  // off / on broadcast by gathering one element of `values` at every position.
  auto splatIndices = [&](ArrayRef<int64_t> shape, int64_t which) {
    auto type = RankedTensorType::get(shape, ob.getI64Type());
    return b.constant(DenseElementsAttr::get(type, ob.getI64IntegerAttr(which)));
  };
  auto zero = ob.getI64IntegerAttr(0);
  auto off = b.create<kg::GatherOp>(*flatValues, splatIndices(outShape, 0), zero);
  auto on = b.create<kg::GatherOp>(*flatValues, splatIndices(unitShape, 1), zero);
  auto positions = b.createTyped<kg::CastOp>(b.typeOf(*indices).clone(ob.getI64Type()), *indices);
  if (failed(off) || failed(on) || failed(positions))
    return failure();
  auto unit = b.reshape(*positions, unitShape);
  if (failed(unit))
    return failure();
  return setResult(b, b.create<kg::ScatterElementsOp>(*off, *unit, *on,
                                                      ob.getI64IntegerAttr(*axis),
                                                      ob.getStringAttr("none")));
}

} // namespace

void populateScatterConverters(ConverterRegistry &r) {
  r.add("Scatter", 9, convertScatterElements);
  r.add("ScatterElements", 11, convertScatterElements);
  r.add("ScatterND", 11, convertScatterND);
  r.add("OneHot", 9, convertOneHot);
}

} // namespace kiln::onnx_frontend
