// Control flow: If, Loop and Scan, imported as straight-line kg ops.
//
// Kiln compiles static graphs, so a subgraph is inlined: an If whose condition folds to a
// constant keeps its taken branch; one decided at run time evaluates both branches and selects
// (kg.where), which needs the branches to agree on types. Loop and Scan are unrolled over
// their trip count, which must be known at compile time (a constant trip count or a
// condition that folds, and a scan axis of static length).
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/Matchers.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Unrolling multiplies the body; past this many iterations the graph gets unreasonably large.
constexpr int64_t kMaxUnrolledIterations = 4096;

// The value of a scalar (one-element) constant, or nullopt when it is computed at run time.
std::optional<int64_t> constantScalar(Value v) {
  Attribute attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  auto values = graph::readAsInt64(attr);
  if (!values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

// `values` (one per iteration, equal types) stacked along a new dim `axis`.
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
  auto thenOutputs = b.importSubgraph(*thenBranch, {});
  auto elseOutputs = b.importSubgraph(*elseBranch, {});
  if (failed(thenOutputs) || failed(elseOutputs))
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
  size_t numScanOutputs = body->output_size() - 1 - carried.size();
  if (body->output_size() < int(1 + carried.size()))
    return b.emitError() << "the body has " << body->output_size() << " outputs, fewer than 1 + "
                         << carried.size() << " loop-carried values";
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
    // Without a 'cond' input the body's condition output is ignored (a for loop).
    if (condInput || !tripInput) {
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
  for (auto &values : scanned) {
    if (values.empty())
      return b.emitError() << "runs zero iterations, so the shape of its scan outputs is unknown";
    auto stacked = stack(b, values, 0);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return b.setResults(results);
}

// One attribute value per scan input/output (default 0), checked for its count.
FailureOr<SmallVector<int64_t>> perValueAttr(OpBinder &b, StringRef name, size_t count) {
  SmallVector<int64_t> values = b.intsAttr(name).value_or(SmallVector<int64_t>(count, 0));
  if (values.size() != count)
    return b.emitError() << "attribute '" << name << "' has " << values.size()
                         << " entries, expected " << count;
  return values;
}

// Scan (opset 9+): states..., scan inputs... -> final states..., scan outputs..., unrolled.
LogicalResult convertScan(OpBinder &b) {
  const onnx::GraphProto *body = b.graphAttr("body");
  int64_t numScanInputs = b.intAttr("num_scan_inputs", -1);
  if (!body)
    return failure();
  int64_t numStates = int64_t(b.numInputs()) - numScanInputs;
  if (numScanInputs < 1 || numStates < 0)
    return b.emitError() << "num_scan_inputs " << numScanInputs << " does not fit "
                         << b.numInputs() << " inputs";
  int64_t numScanOutputs = body->output_size() - numStates;
  auto inAxes = perValueAttr(b, "scan_input_axes", numScanInputs);
  auto inDirs = perValueAttr(b, "scan_input_directions", numScanInputs);
  auto outAxes = perValueAttr(b, "scan_output_axes", numScanOutputs);
  auto outDirs = perValueAttr(b, "scan_output_directions", numScanOutputs);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();
  SmallVector<Value> states, scanInputs;
  for (int64_t i = 0; i < numStates; ++i)
    states.push_back(b.input(i));
  int64_t length = -1;
  for (int64_t j = 0; j < numScanInputs; ++j) {
    Value x = b.input(numStates + j);
    auto axis = b.normalizeAxis((*inAxes)[j], b.typeOf(x).getRank());
    if (!x || failed(axis))
      return failure();
    (*inAxes)[j] = *axis;
    int64_t n = b.typeOf(x).getDimSize(*axis);
    if (length >= 0 && n != length)
      return b.emitError() << "scan inputs have lengths " << length << " and " << n;
    length = n;
    scanInputs.push_back(x);
  }
  if (length > kMaxUnrolledIterations)
    return b.emitError() << "scans " << length << " steps, more than Kiln unrolls ("
                         << kMaxUnrolledIterations << ")";
  std::vector<SmallVector<Value>> scanned(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> inputs(states);
    for (auto [j, x] : llvm::enumerate(scanInputs)) {
      auto type = b.typeOf(x);
      int64_t axis = (*inAxes)[j], at = (*inDirs)[j] ? length - 1 - t : t;
      SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()),
          steps(type.getRank(), 1);
      starts[axis] = at;
      sizes[axis] = 1;
      auto slice = b.create<kg::SliceOp>(x, b.builder().getDenseI64ArrayAttr(starts),
                                         b.builder().getDenseI64ArrayAttr(sizes),
                                         b.builder().getDenseI64ArrayAttr(steps));
      if (failed(slice))
        return failure();
      SmallVector<int64_t> shape(type.getShape());
      shape.erase(shape.begin() + axis);
      auto element = b.reshape(*slice, shape);
      if (failed(element))
        return failure();
      inputs.push_back(*element);
    }
    auto outputs = b.importSubgraph(*body, inputs);
    if (failed(outputs))
      return failure();
    for (int64_t i = 0; i < numStates; ++i)
      states[i] = (*outputs)[i];
    for (int64_t k = 0; k < numScanOutputs; ++k)
      scanned[k].push_back((*outputs)[numStates + k]);
  }
  SmallVector<Value> results(states);
  for (int64_t k = 0; k < numScanOutputs; ++k) {
    if (scanned[k].empty())
      return b.emitError() << "scans zero steps, so the shape of its scan outputs is unknown";
    if ((*outDirs)[k])
      std::reverse(scanned[k].begin(), scanned[k].end());
    auto axis = b.normalizeAxis((*outAxes)[k], b.typeOf(scanned[k][0]).getRank() + 1);
    if (failed(axis))
      return failure();
    auto stacked = stack(b, scanned[k], *axis);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return b.setResults(results);
}

} // namespace

void populateControlFlowConverters(ConverterRegistry &r) {
  r.add("If", 1, convertIf);
  r.add("Loop", 1, convertLoop);
  r.add("Scan", 9, convertScan);
}

} // namespace kiln::onnx_frontend
