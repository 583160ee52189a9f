// Control flow: If and Loop, imported as straight-line kg ops (Scan is in Scan.cpp).
//
// Kiln compiles static graphs, so a subgraph is inlined: an If whose condition folds to a
// constant keeps its taken branch; one decided at run time evaluates both branches and selects
// (kg.where), which needs the branches to agree on types. Loop and Scan are unrolled over
// their trip count, which must be known at compile time (a constant trip count or a
// condition that folds, and a scan axis of static length).
#include "compiler/frontend/onnx/ops/Unroll.h"
#include "compiler/frontend/onnx/Registry.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {

std::optional<int64_t> constantScalar(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto values = graph::readAsInt64(attr);
  if (!values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

FailureOr<Value> stack(OpBinder &b, ArrayRef<Value> values, int64_t axis) {
  SmallVector<Value> slices;
  for (Value v : values) {
    SmallVector<int64_t> shape(b.typeOf(v).getShape());
    shape.insert(shape.begin() + axis, 1);
    auto slice = b.reshape(v, shape);
    if (failed(slice))
      return failure();
    slices.push_back(*slice);
  }
  return b.create<kg::ConcatOp>(slices, b.builder().getI64IntegerAttr(axis));
}

LogicalResult appendStacked(OpBinder &b, ArrayRef<SmallVector<Value>> lists,
                            SmallVectorImpl<Value> &results) {
  for (const auto &values : lists) {
    if (values.empty())
      return b.emitError() << "runs zero iterations, so the shape of its stacked outputs is "
                           << "unknown";
    auto stacked = stack(b, values, 0);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return success();
}

namespace {

LogicalResult convertIf(OpBinder &b) {
  auto cond = b.requiredInput(0);
  const onnx::GraphProto *thenBranch = b.graphAttr("then_branch");
  const onnx::GraphProto *elseBranch = b.graphAttr("else_branch");
  if (failed(cond) || !thenBranch || !elseBranch)
    return failure();
  if (std::optional<int64_t> taken = constantScalar(*cond)) {
    auto outputs = b.importSubgraph(*taken ? *thenBranch : *elseBranch, {});
    return failed(outputs) ? failure() : b.setResults(*outputs);
  }
  // A one-element condition of any rank ([1] from PyTorch) selects as a scalar, so that it
  // does not broadcast the branch outputs to its rank.
  if (b.typeOf(*cond).getNumElements() != 1)
    return b.emitError() << "the condition has " << b.typeOf(*cond).getNumElements()
                         << " elements, expected 1";
  cond = b.reshape(*cond, {});
  if (failed(cond))
    return failure();
  // Both branches run; a run-time check of the branch not taken must not fail the run.
  size_t before = b.numRunTimeChecks();
  auto thenOutputs = b.importSubgraph(*thenBranch, {});
  if (failed(thenOutputs) || failed(b.guardRunTimeChecks(before, *cond)))
    return failure();
  before = b.numRunTimeChecks();
  auto elseOutputs = b.importSubgraph(*elseBranch, {});
  if (failed(elseOutputs))
    return failure();
  auto notCond = b.create<kg::NotOp>(*cond);
  if (failed(notCond) || failed(b.guardRunTimeChecks(before, *notCond)))
    return failure();
  if (thenOutputs->size() != elseOutputs->size())
    return b.emitError() << "then_branch has " << thenOutputs->size()
                         << " outputs but else_branch has " << elseOutputs->size();
  SmallVector<Value> results;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(*thenOutputs, *elseOutputs))) {
    auto [thenValue, elseValue] = pair;
    if (thenValue.getType() != elseValue.getType())
      return b.emitError() << "the condition is computed at run time, so Kiln evaluates both "
                           << "branches and selects, but output " << i << " is "
                           << thenValue.getType() << " in then_branch and "
                           << elseValue.getType() << " in else_branch";
    auto selected = b.create<kg::WhereOp>(*cond, thenValue, elseValue);
    if (failed(selected))
      return failure();
    results.push_back(*selected);
  }
  return b.setResults(results);
}

// Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...), unrolled.
LogicalResult convertLoop(OpBinder &b) {
  const onnx::GraphProto *body = b.graphAttr("body");
  if (!body)
    return failure();
  Value tripInput = b.input(0), condInput = b.input(1);
  std::optional<int64_t> tripCount, cond;
  if (tripInput && !(tripCount = constantScalar(tripInput)))
    return b.emitError() << "the trip count (input 'M') is computed at run time; Kiln unrolls "
                         << "loops and needs it to be a compile-time constant";
  if (condInput && !(cond = constantScalar(condInput)))
    return b.emitError() << "the initial condition (input 'cond') is computed at run time; Kiln "
                         << "unrolls loops and needs it to be a compile-time constant";
  int64_t limit = tripCount ? *tripCount : kMaxUnrolledIterations + 1;
  SmallVector<Value> carried;
  for (unsigned i = 2; i < b.numInputs(); ++i)
    carried.push_back(b.input(i));
  if (body->output_size() < int(1 + carried.size()))
    return b.emitError() << "the body has " << body->output_size() << " outputs, fewer than 1 + "
                         << carried.size() << " loop-carried values";
  size_t numScanOutputs = body->output_size() - 1 - carried.size();
  std::vector<SmallVector<Value>> scanned(numScanOutputs);
  Type i64 = b.builder().getI64Type(), i1 = b.builder().getI1Type();
  bool running = !condInput || *cond != 0;
  int64_t iteration = 0;
  for (; running && iteration < limit; ++iteration) {
    if (iteration == kMaxUnrolledIterations)
      return b.emitError() << "runs more than " << kMaxUnrolledIterations
                           << " iterations, more than Kiln unrolls";
    SmallVector<Value> inputs = {b.scalar(i64, double(iteration)),
                                 b.scalar(i1, running ? 1.0 : 0.0)};
    inputs.append(carried);
    auto outputs = b.importSubgraph(*body, inputs);
    if (failed(outputs))
      return failure();
    // Without a 'cond' input the body's condition output is ignored (a for loop, or with
    // neither input an endless loop, which runs into the unroll limit).
    if (condInput) {
      std::optional<int64_t> next = constantScalar((*outputs)[0]);
      if (!next)
        return b.emitError() << "the body computes its condition at run time; Kiln unrolls "
                             << "loops and needs it to fold to a constant";
      running = *next != 0;
    }
    for (size_t i = 0; i < carried.size(); ++i) {
      if ((*outputs)[1 + i].getType() != carried[i].getType())
        return b.emitError() << "loop-carried value " << i << " changes type from "
                             << carried[i].getType() << " to " << (*outputs)[1 + i].getType();
      carried[i] = (*outputs)[1 + i];
    }
    for (size_t i = 0; i < numScanOutputs; ++i)
      scanned[i].push_back((*outputs)[1 + carried.size() + i]);
  }
  SmallVector<Value> results(carried);
  if (failed(appendStacked(b, scanned, results)))
    return failure();
  return b.setResults(results);
}

} // namespace

void populateControlFlowConverters(ConverterRegistry &r) {
  r.add("If", 1, convertIf);
  r.add("Loop", 1, convertLoop);
}

} // namespace kiln::onnx_frontend
