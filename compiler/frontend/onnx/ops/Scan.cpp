// Scan (opsets 8 and 9+), unrolled over its static sequence length: each step slices the scan
// inputs, inlines the body, and the per-step outputs are stacked.
#include "compiler/frontend/onnx/ops/Unroll.h"
#include "compiler/frontend/onnx/Registry.h"

#include "onnx/onnx_pb.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// One attribute value per scan input/output (default 0), checked for its count.
FailureOr<SmallVector<int64_t>> perValueAttr(OpBinder &b, StringRef name, size_t count) {
  SmallVector<int64_t> values = b.intsAttr(name).value_or(SmallVector<int64_t>(count, 0));
  if (values.size() != count)
    return b.emitError() << "attribute '" << name << "' has " << values.size()
                         << " entries, expected " << count;
  return values;
}

// The element `at` of `x` along `axis`, with that dim dropped.
FailureOr<Value> sliceAt(OpBinder &b, Value x, int64_t axis, int64_t at) {
  auto type = b.typeOf(x);
  SmallVector<int64_t> starts(type.getRank(), 0), sizes(type.getShape()), steps(type.getRank(), 1);
  starts[axis] = at;
  sizes[axis] = 1;
  auto slice = b.create<kg::SliceOp>(x, b.builder().getDenseI64ArrayAttr(starts),
                                     b.builder().getDenseI64ArrayAttr(sizes),
                                     b.builder().getDenseI64ArrayAttr(steps));
  if (failed(slice))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + axis);
  return b.reshape(*slice, shape);
}

// How a Scan walks its inputs and stacks its outputs: one axis and direction per value.
struct ScanLayout {
  SmallVector<int64_t> inAxes, inDirs, outAxes, outDirs;
};

// The unrolled scan: final states, then the stacked scan outputs.
FailureOr<SmallVector<Value>> unrollScan(OpBinder &b, const onnx::GraphProto &body,
                                         SmallVector<Value> states, ArrayRef<Value> scanInputs,
                                         ScanLayout layout) {
  int64_t length = -1;
  for (auto [j, x] : llvm::enumerate(scanInputs)) {
    auto axis = b.normalizeAxis(layout.inAxes[j], b.typeOf(x).getRank());
    if (failed(axis))
      return failure();
    layout.inAxes[j] = *axis;
    int64_t n = b.typeOf(x).getDimSize(*axis);
    if (length >= 0 && n != length)
      return b.emitError() << "scan inputs have lengths " << length << " and " << n;
    length = n;
  }
  if (length > kMaxUnrolledIterations)
    return b.emitError() << "scans " << length << " steps, more than Kiln unrolls ("
                         << kMaxUnrolledIterations << ")";
  size_t numScanOutputs = layout.outAxes.size();
  std::vector<SmallVector<Value>> scanned(numScanOutputs);
  for (int64_t t = 0; t < length; ++t) {
    SmallVector<Value> inputs(states);
    for (auto [j, x] : llvm::enumerate(scanInputs)) {
      auto element = sliceAt(b, x, layout.inAxes[j], layout.inDirs[j] ? length - 1 - t : t);
      if (failed(element))
        return failure();
      inputs.push_back(*element);
    }
    auto outputs = b.importSubgraph(body, inputs);
    if (failed(outputs))
      return failure();
    for (size_t i = 0; i < states.size(); ++i) {
      if ((*outputs)[i].getType() != states[i].getType())
        return b.emitError() << "state " << i << " changes type from " << states[i].getType()
                             << " to " << (*outputs)[i].getType();
      states[i] = (*outputs)[i];
    }
    for (size_t k = 0; k < numScanOutputs; ++k)
      scanned[k].push_back((*outputs)[states.size() + k]);
  }
  SmallVector<Value> results(states);
  for (size_t k = 0; k < numScanOutputs; ++k) {
    if (scanned[k].empty())
      return b.emitError() << "scans zero steps, so the shape of its scan outputs is unknown";
    if (layout.outDirs[k])
      std::reverse(scanned[k].begin(), scanned[k].end());
    auto axis = b.normalizeAxis(layout.outAxes[k], b.typeOf(scanned[k][0]).getRank() + 1);
    if (failed(axis))
      return failure();
    auto stacked = stack(b, scanned[k], *axis);
    if (failed(stacked))
      return failure();
    results.push_back(*stacked);
  }
  return results;
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
  if (numScanOutputs < 0)
    return b.emitError() << "the body has " << body->output_size() << " outputs, fewer than its "
                         << numStates << " states";
  auto inAxes = perValueAttr(b, "scan_input_axes", numScanInputs);
  auto inDirs = perValueAttr(b, "scan_input_directions", numScanInputs);
  auto outAxes = perValueAttr(b, "scan_output_axes", numScanOutputs);
  auto outDirs = perValueAttr(b, "scan_output_directions", numScanOutputs);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();
  SmallVector<Value> states, scanInputs;
  for (unsigned i = 0; i < b.numInputs(); ++i) {
    if (!b.input(i))
      return b.emitError() << "input " << i << " is required";
    (int64_t(i) < numStates ? states : scanInputs).push_back(b.input(i));
  }
  auto results = unrollScan(b, *body, states, scanInputs, {*inAxes, *inDirs, *outAxes, *outDirs});
  return failed(results) ? failure() : b.setResults(*results);
}

// Scan-8: (sequence_lens, states..., scan inputs...) with a leading batch dim on every value and
// the sequence on dim 1 of the scan inputs: one Scan-9 per batch element, restacked.
LogicalResult convertScan8(OpBinder &b) {
  const onnx::GraphProto *body = b.graphAttr("body");
  int64_t numScanInputs = b.intAttr("num_scan_inputs", -1);
  if (!body)
    return failure();
  int64_t numStates = int64_t(b.numInputs()) - 1 - numScanInputs;
  if (numScanInputs < 1 || numStates < 0)
    return b.emitError() << "num_scan_inputs " << numScanInputs << " does not fit "
                         << b.numInputs() << " inputs";
  auto dirs = perValueAttr(b, "directions", numScanInputs);
  if (failed(dirs))
    return failure();
  SmallVector<Value> values;
  for (unsigned i = 1; i < b.numInputs(); ++i) {
    if (!b.input(i))
      return b.emitError() << "input " << i << " is required";
    values.push_back(b.input(i));
  }
  for (auto [i, v] : llvm::enumerate(values))
    if (b.typeOf(v).getRank() < (int64_t(i) < numStates ? 1 : 2))
      return b.emitError() << "input " << i + 1 << " needs a batch dim"
                           << (int64_t(i) < numStates ? "" : " and a sequence dim");
  int64_t batch = b.typeOf(values.front()).getDimSize(0);
  if (b.input(0)) {
    auto lengths = b.constantInts(0, "sequence_lens");
    if (failed(lengths))
      return failure();
    int64_t full = b.typeOf(values.back()).getDimSize(1);
    if (llvm::any_of(*lengths, [&](int64_t n) { return n != full; }))
      return b.emitError() << "sequence_lens shorter than the sequence (" << full
                           << ") are not supported";
  }
  int64_t numScanOutputs = body->output_size() - numStates;
  if (numScanOutputs < 0)
    return b.emitError() << "the body has " << body->output_size() << " outputs, fewer than its "
                         << numStates << " states";
  ScanLayout layout{SmallVector<int64_t>(numScanInputs, 0), *dirs,
                    SmallVector<int64_t>(numScanOutputs, 0), SmallVector<int64_t>(numScanOutputs, 0)};
  std::vector<SmallVector<Value>> perBatch(body->output_size());
  for (int64_t n = 0; n < batch; ++n) {
    SmallVector<Value> sliced;
    for (Value v : values) {
      if (b.typeOf(v).getRank() == 0 || b.typeOf(v).getDimSize(0) != batch)
        return b.emitError() << "every state and scan input needs the batch dim " << batch;
      auto element = sliceAt(b, v, 0, n);
      if (failed(element))
        return failure();
      sliced.push_back(*element);
    }
    auto results = unrollScan(b, *body, SmallVector<Value>(ArrayRef(sliced).take_front(numStates)),
                              ArrayRef(sliced).drop_front(numStates), layout);
    if (failed(results))
      return failure();
    for (auto [k, v] : llvm::enumerate(*results))
      perBatch[k].push_back(v);
  }
  SmallVector<Value> results;
  if (failed(appendStacked(b, perBatch, results)))
    return failure();
  return b.setResults(results);
}

} // namespace

void populateScanConverters(ConverterRegistry &r) {
  r.add("Scan", 8, convertScan8);
  r.add("Scan", 9, convertScan);
}

} // namespace kiln::onnx_frontend
