// Reductions over a set of axes (ReduceSum ... ReduceLogSumExp), ArgMax/ArgMin and CumSum.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/Reductions.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Axes come from the `axes` attribute (older opsets) or the optional second input; none
// means all dims, or with noop_with_empty_axes the input itself.
template <typename OpTy, bool axesFromInput> LogicalResult convertReduce(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = b.typeOf(*x).getRank();
  SmallVector<int64_t> axes;
  // Reducing a size-1 dim leaves the values of these kinds unchanged, so any axes that give
  // the declared output compute the same result.
  constexpr bool identityOnSizeOne =
      llvm::is_one_of<OpTy, kg::ReduceSumOp, kg::ReduceMeanOp, kg::ReduceMaxOp, kg::ReduceMinOp,
                      kg::ReduceProdOp>::value;
  bool keepdims = b.intAttr("keepdims", 1) != 0;
  Value axesInput = axesFromInput ? b.input(1) : Value();
  bool emptyInput = axesInput && b.typeOf(axesInput).getRank() == 1 &&
                    b.typeOf(axesInput).getDimSize(0) == 0;
  if (axesInput && !emptyInput && !inputIsConstant(b, 1) && identityOnSizeOne) {
    ArrayRef<int64_t> in = b.typeOf(*x).getShape();
    auto set = axisSetFromDeclaredShape(
        b, 1, "reduction axes", rank, [&](ArrayRef<int64_t> declared, ArrayRef<int64_t> set) {
          if (!keepdims)
            return ArrayRef<int64_t>(withoutAxes(in, set)) == declared;
          if (int64_t(declared.size()) != rank)
            return false;
          for (int64_t d = 0; d < rank; ++d)
            if (declared[d] != (llvm::is_contained(set, d) ? 1 : in[d]))
              return false;
          return true;
        });
    if (failed(set))
      return failure();
    axes = *set;
  } else if (axesInput && !emptyInput) {
    auto values = b.constantInts(1, "reduction axes");
    if (failed(values))
      return failure();
    axes = *values;
  } else if (!axesFromInput) {
    axes = b.intsAttr("axes").value_or(SmallVector<int64_t>());
  }
  if (axes.empty()) {
    if (b.intAttr("noop_with_empty_axes", 0) != 0)
      return b.setResults({*x});
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  for (int64_t &axis : axes) {
    auto normalized = b.normalizeAxis(axis, rank);
    if (failed(normalized))
      return failure();
    axis = *normalized;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return b.emitError() << "reduction axes repeat a dim";
  auto result = reduce<OpTy>(b, *x, axes, keepdims);
  return failed(result) ? failure() : b.setResults({*result});
}

// ArgMax/ArgMin: select_last_index is an attribute from opset 12 on (default 0 before).
template <typename OpTy> LogicalResult convertArgReduce(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto axis = b.normalizeAxis(b.intAttr("axis", 0), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  OpBuilder &ob = b.builder();
  auto result = b.create<OpTy>(*x, ob.getI64IntegerAttr(*axis),
                               ob.getBoolAttr(b.intAttr("keepdims", 1) != 0),
                               ob.getBoolAttr(b.intAttr("select_last_index", 0) != 0));
  return failed(result) ? failure() : b.setResults({*result});
}

// CumSum along an axis known only at run time: the sum along every axis, selected by the axis
// value (the output shape does not depend on it); an axis out of range fails the run.
LogicalResult convertCumSumRunTimeAxis(OpBinder &b, Value x) {
  Value axis = b.input(1);
  auto rank = b.typeOf(x).getRank();
  if (rank == 0)
    return b.emitError() << "needs an input of rank >= 1";
  Type axisType = b.typeOf(axis).getElementType();
  OpBuilder &ob = b.builder();
  Value result;
  for (int64_t a = rank - 1; a >= 0; --a) {
    auto sum = b.create<kg::CumSumOp>(x, ob.getI64IntegerAttr(a),
                                      ob.getBoolAttr(b.intAttr("exclusive", 0) != 0),
                                      ob.getBoolAttr(b.intAttr("reverse", 0) != 0));
    if (failed(sum))
      return failure();
    if (!result) {
      result = *sum;
      continue;
    }
    auto chosen = equalsAny(b, axis, {a, a - rank});
    auto selected = failed(chosen) ? chosen : b.create<kg::WhereOp>(*chosen, *sum, result);
    if (failed(selected))
      return failure();
    result = *selected;
  }
  auto low = b.create<kg::GreaterEqualOp>(axis, b.scalar(axisType, double(-rank)));
  auto high = b.create<kg::LessOp>(axis, b.scalar(axisType, double(rank)));
  if (failed(low) || failed(high))
    return failure();
  auto inRange = b.create<kg::AndOp>(*low, *high);
  if (failed(inRange) ||
      failed(b.addRunTimeCheck(*inRange, "input '" + b.inputName(1).str() + "' (CumSum axis of node " +
                                             b.nodeName() + ") must be in [" +
                                             std::to_string(-rank) + ", " +
                                             std::to_string(rank - 1) + "]")))
    return failure();
  return b.setResults({result});
}

// CumSum-11: the axis is a scalar input, usually a constant.
LogicalResult convertCumSum(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x) || failed(b.requiredInput(1)))
    return failure();
  if (!matchPattern(b.input(1), m_Constant()) && b.typeOf(b.input(1)).getNumElements() == 1)
    return convertCumSumRunTimeAxis(b, *x);
  auto axisValues = b.constantInts(1, "cumsum axis");
  if (failed(axisValues))
    return failure();
  if (axisValues->size() != 1)
    return b.emitError() << "axis must hold one value, got " << axisValues->size();
  auto axis = b.normalizeAxis(axisValues->front(), b.typeOf(*x).getRank());
  if (failed(axis))
    return failure();
  OpBuilder &ob = b.builder();
  auto result = b.create<kg::CumSumOp>(*x, ob.getI64IntegerAttr(*axis),
                                       ob.getBoolAttr(b.intAttr("exclusive", 0) != 0),
                                       ob.getBoolAttr(b.intAttr("reverse", 0) != 0));
  return failed(result) ? failure() : b.setResults({*result});
}

template <typename OpTy> void addReduce(ConverterRegistry &r, StringRef name, int64_t inputSince) {
  r.add(name, 1, convertReduce<OpTy, false>);
  r.add(name, inputSince, convertReduce<OpTy, true>);
}

} // namespace

void populateReduceConverters(ConverterRegistry &r) {
  // ReduceSum takes its axes as an input from opset 13, the others from opset 18.
  addReduce<kg::ReduceSumOp>(r, "ReduceSum", 13);
  addReduce<kg::ReduceMeanOp>(r, "ReduceMean", 18);
  addReduce<kg::ReduceMaxOp>(r, "ReduceMax", 18);
  addReduce<kg::ReduceMinOp>(r, "ReduceMin", 18);
  addReduce<kg::ReduceProdOp>(r, "ReduceProd", 18);
  addReduce<kg::ReduceL1Op>(r, "ReduceL1", 18);
  addReduce<kg::ReduceL2Op>(r, "ReduceL2", 18);
  addReduce<kg::ReduceLogSumOp>(r, "ReduceLogSum", 18);
  addReduce<kg::ReduceLogSumExpOp>(r, "ReduceLogSumExp", 18);
  addReduce<kg::ReduceSumSquareOp>(r, "ReduceSumSquare", 18);
  r.add("ArgMax", 1, convertArgReduce<kg::ArgMaxOp>);
  r.add("ArgMin", 1, convertArgReduce<kg::ArgMinOp>);
  r.add("CumSum", 11, convertCumSum);
}

} // namespace kiln::onnx_frontend
