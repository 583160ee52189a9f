// Losses: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"

#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// The negative log-likelihood of `logProb` [N, C, d...] at `target` [N, d...]. Without an
// ignore_index attribute no target is ignored: the sentinel is no valid class index.
FailureOr<Value> buildNLLLoss(OpBinder &b, Value logProb, Value target, Value weight) {
  std::string reduction = b.stringAttr("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return b.emitError() << "unknown reduction '" << reduction << "'";
  int64_t ignoreIndex = b.hasAttr("ignore_index") ? b.intAttr("ignore_index", 0)
                                                  : std::numeric_limits<int64_t>::min();
  OpBuilder &ob = b.builder();
  return b.create<kg::NLLLossOp>(logProb, target, weight, ob.getStringAttr(reduction),
                                 ob.getI64IntegerAttr(ignoreIndex));
}

LogicalResult convertNLLLoss(OpBinder &b) {
  auto input = b.requiredInput(0), target = b.requiredInput(1);
  if (failed(input) || failed(target))
    return failure();
  auto loss = buildNLLLoss(b, *input, *target, b.input(2));
  return failed(loss) ? failure() : b.setResults({*loss});
}

// log_softmax over the classes (dim 1), then the negative log-likelihood; the optional
// second output is the log-probabilities.
LogicalResult convertSoftmaxCrossEntropyLoss(OpBinder &b) {
  auto scores = b.requiredInput(0), labels = b.requiredInput(1);
  if (failed(scores) || failed(labels))
    return failure();
  if (b.typeOf(*scores).getRank() < 2)
    return b.emitError() << "expects scores of rank >= 2 (N, C, d...), got rank "
                         << b.typeOf(*scores).getRank();
  auto logProb = b.create<kg::LogSoftmaxOp>(*scores, b.builder().getI64IntegerAttr(1));
  if (failed(logProb))
    return failure();
  auto loss = buildNLLLoss(b, *logProb, *labels, b.input(2));
  if (failed(loss))
    return failure();
  if (b.outputUsed(1))
    return b.setResults({*loss, *logProb});
  return b.setResults({*loss});
}

} // namespace

void populateLossConverters(ConverterRegistry &r) {
  r.add("NegativeLogLikelihoodLoss", 12, convertNLLLoss);
  r.add("SoftmaxCrossEntropyLoss", 12, convertSoftmaxCrossEntropyLoss);
}

} // namespace kiln::onnx_frontend
