// Folds inference BatchNormalization into the preceding convolution's weights and bias.
#include "ir/graph/ConstantData.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;

namespace kiln::graph {
#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/graph/Passes.h.inc"

namespace {

std::optional<std::vector<double>> constantValues(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  return readAsDouble(constant.getValue());
}

// Rewrites conv -> batch_norm when the conv result has no other use and every parameter is
// constant and float32; returns false to leave the pair alone otherwise.
bool foldIntoConv(BatchNormOp bn, int counter) {
  auto conv = bn.getInput().getDefiningOp<ConvOp>();
  if (!conv || !conv->hasOneUse() || !conv.getType().getElementType().isF32())
    return false;
  auto weights = constantValues(conv.getWeight());
  auto scale = constantValues(bn.getScale()), shift = constantValues(bn.getBias());
  auto mean = constantValues(bn.getMean()), var = constantValues(bn.getVariance());
  if (!weights || !scale || !shift || !mean || !var)
    return false;
  int64_t channels = conv.getWeight().getType().getDimSize(0);
  std::vector<double> bias(channels, 0.0);
  if (conv.getBias()) {
    auto b = constantValues(conv.getBias());
    if (!b)
      return false;
    bias = *b;
  }
  double eps = bn.getEpsilon().convertToDouble();
  int64_t perChannel = weights->size() / channels;
  std::vector<float> newWeights(weights->size());
  SmallVector<double> newBias(channels);
  for (int64_t c = 0; c < channels; ++c) {
    double s = (*scale)[c] / std::sqrt((*var)[c] + eps);
    for (int64_t i = 0; i < perChannel; ++i)
      newWeights[c * perChannel + i] = float((*weights)[c * perChannel + i] * s);
    newBias[c] = (bias[c] - (*mean)[c]) * s + (*shift)[c];
  }
  OpBuilder b(conv);
  auto weightType = conv.getWeight().getType();
  std::string name = "bn_folded_weight_" + std::to_string(counter);
  auto w = b.create<ConstantOp>(conv.getLoc(), makeResourceF32(weightType, newWeights, name));
  auto biasType = RankedTensorType::get({channels}, weightType.getElementType());
  auto bc = b.create<ConstantOp>(conv.getLoc(), makeDense(biasType, newBias));
  auto folded = b.create<ConvOp>(bn.getLoc(), conv.getInput(), w, bc, conv.getStridesAttr(),
                                 conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr(),
                                 conv.getChannelsLastAttr());
  bn.replaceAllUsesWith(folded.getResult());
  bn.erase();
  conv.erase();
  return true;
}

struct FoldBatchNormPass : impl::FoldBatchNormBase<FoldBatchNormPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<BatchNormOp> norms;
    getOperation().walk([&](BatchNormOp bn) { norms.push_back(bn); });
    int counter = 0;
    for (BatchNormOp bn : norms)
      if (foldIntoConv(bn, counter))
        ++counter;
  }
};

} // namespace
} // namespace kiln::graph
