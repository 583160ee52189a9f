// Recognizes layer normalization written out in elementwise ops and reductions (what PyTorch
// exports before opset 17, and BERT-style models carry):
//
//   d = x - reduce_mean(x)          y = d / sqrt(reduce_mean(d * d) + eps) * gamma + beta
//
// (d * d may be pow(d, 2); the products and sums in either operand order), over the trailing
// axes, and replaces it with one kg.layer_norm. Left alone, it became five tasks each
// streaming the activations (BERT-base: 125 kernels for its 25 norms) instead of one row-wise
// kernel.
#include "ir/graph/ConstantData.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln::graph {
#define GEN_PASS_DEF_FUSELAYERNORM
#include "passes/graph/Passes.h.inc"

namespace {

// The single value of a constant operand, if it is one.
std::optional<double> scalarConstant(Value v) {
  auto constant = v.getDefiningOp<ConstantOp>();
  if (!constant || constant.getValue().getNumElements() != 1)
    return std::nullopt;
  std::optional<std::vector<double>> values = readAsDouble(constant.getValue());
  if (!values)
    return std::nullopt;
  return values->front();
}

// The operand of a commutative binary op other than `known`, or null when neither is.
template <typename Op> Value otherOperand(Op op, Value known) {
  if (op.getLhs() == known)
    return op.getRhs();
  if (op.getRhs() == known)
    return op.getLhs();
  return Value();
}

// The single user of `v`, of type Op.
template <typename Op> Op onlyUser(Value v) {
  return v.hasOneUse() ? llvm::dyn_cast<Op>(*v.getUsers().begin()) : Op();
}

// A mean over axes [first, rank) keeping dims: the layer norm's axis, or nullopt.
std::optional<int64_t> trailingMeanAxis(ReduceMeanOp mean) {
  auto type = llvm::cast<RankedTensorType>(mean.getInput().getType());
  ArrayRef<int64_t> axes = mean.getAxes();
  if (!mean.getKeepdims() || axes.empty() || axes.back() != type.getRank() - 1)
    return std::nullopt;
  for (size_t i = 1; i < axes.size(); ++i)
    if (axes[i] != axes[i - 1] + 1)
      return std::nullopt;
  return axes.front();
}

// gamma / beta: a tensor of exactly the normalized dims.
bool isPerFeature(Value v, RankedTensorType input, int64_t axis) {
  auto type = llvm::dyn_cast<RankedTensorType>(v.getType());
  return type && type.getElementType() == input.getElementType() &&
         type.getShape() == input.getShape().drop_front(axis);
}

// Matches the pattern rooted at the first mean; returns the fused op (inserted before the
// final add) or null.
LayerNormOp fuse(ReduceMeanOp mean) {
  Value x = mean.getInput();
  auto inputType = llvm::dyn_cast<RankedTensorType>(x.getType());
  std::optional<int64_t> axis = trailingMeanAxis(mean);
  if (!inputType || !inputType.getElementType().isF32() || !axis)
    return nullptr;
  auto centered = onlyUser<SubOp>(mean.getResult());
  if (!centered || centered.getLhs() != x || centered.getRhs() != mean.getResult())
    return nullptr;
  Value d = centered.getResult();
  // d's two readers: its square and the division.
  Operation *square = nullptr;
  DivOp normalized;
  for (Operation *user : d.getUsers()) {
    if (auto div = llvm::dyn_cast<DivOp>(user); div && div.getLhs() == d && !normalized)
      normalized = div;
    else if (auto mul = llvm::dyn_cast<MulOp>(user);
             mul && mul.getLhs() == d && mul.getRhs() == d && (!square || square == user))
      square = user; // d * d lists its user twice
    else if (auto pow = llvm::dyn_cast<PowOp>(user);
             pow && pow.getLhs() == d && scalarConstant(pow.getRhs()) == 2.0 && !square)
      square = user;
    else
      return nullptr; // any other reader (a second square among them) keeps d alive
  }
  if (!square || !normalized)
    return nullptr;
  auto variance = onlyUser<ReduceMeanOp>(square->getResult(0));
  if (!variance || trailingMeanAxis(variance) != axis)
    return nullptr;
  auto shifted = onlyUser<AddOp>(variance.getResult());
  std::optional<double> epsilon =
      shifted ? scalarConstant(otherOperand(shifted, variance.getResult())) : std::nullopt;
  auto deviation = shifted ? onlyUser<SqrtOp>(shifted.getResult()) : SqrtOp();
  if (!epsilon || !deviation || normalized.getRhs() != deviation.getResult() ||
      !deviation.getResult().hasOneUse())
    return nullptr;
  auto scaled = onlyUser<MulOp>(normalized.getResult());
  Value gamma = scaled ? otherOperand(scaled, normalized.getResult()) : Value();
  if (!gamma || !isPerFeature(gamma, inputType, *axis))
    return nullptr;
  // The bias is optional: without it, the scaled value is the result.
  Operation *last = scaled;
  Value beta;
  if (auto biased = onlyUser<AddOp>(scaled.getResult())) {
    Value b = otherOperand(biased, scaled.getResult());
    if (b && isPerFeature(b, inputType, *axis)) {
      beta = b;
      last = biased;
    }
  }
  if (last->getResult(0).getType() != inputType)
    return nullptr;
  OpBuilder builder(last);
  auto fused = builder.create<LayerNormOp>(last->getLoc(), x, gamma, beta,
                                           builder.getI64IntegerAttr(*axis),
                                           builder.getF32FloatAttr(float(*epsilon)));
  last->getResult(0).replaceAllUsesWith(fused.getResult());
  // The pattern's ops, consumers first, now unused.
  SmallVector<Operation *> dead{last};
  if (last != scaled)
    dead.push_back(scaled);
  dead.append({normalized, deviation, shifted, variance, square, centered, mean});
  for (Operation *op : dead)
    op->erase();
  return fused;
}

struct FuseLayerNormPass : impl::FuseLayerNormBase<FuseLayerNormPass> {
  using Base::Base;
  void runOnOperation() override {
    // Each match erases ops (the variance's mean among them): walk again after each one.
    for (bool fused = true; fused;)
      fused = getOperation()
                  .walk([](ReduceMeanOp mean) {
                    return fuse(mean) ? WalkResult::interrupt() : WalkResult::advance();
                  })
                  .wasInterrupted();
  }
};

} // namespace
} // namespace kiln::graph
