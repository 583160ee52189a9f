// Activation ONNX ops, composed from kg elementwise ops where that is exact: the Relu family,
// Elu/Selu/Celu, Softplus/Softsign, Shrink and HardSigmoid.
#include "compiler/frontend/onnx/ops/ElementwiseConverters.h"

#include "ir/graph/ShapeUtils.h"

#include <cmath>
#include <limits>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Reads the float input and its element type; every converter here starts so.
struct FloatInput {
  Value x;
  Type type;
};
FailureOr<FloatInput> floatInput(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = floatElementType(b, *x);
  if (failed(type))
    return failure();
  return FloatInput{*x, *type};
}

// Builds kg ops on one element type, threading failures: any failed step fails the result.
struct Chain {
  OpBinder &b;
  Type type;
  FailureOr<Value> c(double v) { return b.scalar(type, v); }
  template <typename OpTy> FailureOr<Value> op(FailureOr<Value> lhs, FailureOr<Value> rhs) {
    if (failed(lhs) || failed(rhs))
      return failure();
    return b.create<OpTy>(*lhs, *rhs);
  }
  template <typename OpTy> FailureOr<Value> op(FailureOr<Value> x) {
    if (failed(x))
      return failure();
    return b.create<OpTy>(*x);
  }
  FailureOr<Value> where(FailureOr<Value> cond, FailureOr<Value> lhs, FailureOr<Value> rhs) {
    if (failed(cond) || failed(lhs) || failed(rhs))
      return failure();
    return b.create<kg::WhereOp>(*cond, *lhs, *rhs);
  }
};

LogicalResult convertLeakyRelu(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  auto alpha = b.builder().getF32FloatAttr(b.floatAttr("alpha", 0.01f));
  return setResult(b, b.create<kg::LeakyReluOp>(in->x, alpha));
}

// PRelu(x) = x < 0 ? slope * x : x; slope broadcasts to x's shape (unidirectionally). Before
// opset 7 a one-element slope is shared by all elements, and a 1-D slope of size C holds one
// value per channel (axis 1), so it is reshaped to [C, 1, ..., 1] to broadcast that way.
LogicalResult convertPRelu(OpBinder &b) {
  auto x = b.requiredInput(0), slope = b.requiredInput(1);
  if (failed(x) || failed(slope))
    return failure();
  auto shape = b.typeOf(*x).getShape();
  auto slopeType = b.typeOf(*slope);
  if (b.opset() < 7 && slopeType.getNumElements() == 1) {
    slope = b.reshape(*slope, {});
  } else if (b.opset() < 7 && slopeType.getRank() == 1 && shape.size() >= 2 &&
             slopeType.getDimSize(0) == shape[1]) {
    SmallVector<int64_t> perChannel(shape.size() - 1, 1);
    perChannel[0] = shape[1];
    slope = b.reshape(*slope, perChannel);
  }
  if (failed(slope))
    return failure();
  auto merged = graph::broadcastShapes(shape, b.typeOf(*slope).getShape());
  if (!merged || ArrayRef<int64_t>(*merged) != shape)
    return b.emitError() << "slope of shape " << graph::formatShape(b.typeOf(*slope).getShape())
                         << " does not broadcast to the input's shape "
                         << graph::formatShape(shape);
  Chain k{b, b.typeOf(*x).getElementType()};
  auto negative = k.op<kg::LessOp>(*x, k.c(0));
  return setResult(b, k.where(negative, k.op<kg::MulOp>(*x, *slope), *x));
}

// Elu(x) = x < 0 ? alpha * (exp(x) - 1) : x.
LogicalResult convertElu(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  auto expm1 = k.op<kg::SubOp>(k.op<kg::ExpOp>(in->x), k.c(1));
  auto negative = k.op<kg::MulOp>(k.c(b.floatAttr("alpha", 1.0f)), expm1);
  return setResult(b, k.where(k.op<kg::LessOp>(in->x, k.c(0)), negative, in->x));
}

// Selu(x) = gamma * (x <= 0 ? alpha * exp(x) - alpha : x).
LogicalResult convertSelu(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  double alpha = b.floatAttr("alpha", 1.67326319217681884765625f);
  double gamma = b.floatAttr("gamma", 1.05070102214813232421875f);
  auto negative = k.op<kg::SubOp>(k.op<kg::MulOp>(k.c(alpha), k.op<kg::ExpOp>(in->x)), k.c(alpha));
  auto selected = k.where(k.op<kg::LessEqualOp>(in->x, k.c(0)), negative, in->x);
  return setResult(b, k.op<kg::MulOp>(k.c(gamma), selected));
}

// Celu(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
LogicalResult convertCelu(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  double alpha = b.floatAttr("alpha", 1.0f);
  auto expm1 = k.op<kg::SubOp>(k.op<kg::ExpOp>(k.op<kg::DivOp>(in->x, k.c(alpha))), k.c(1));
  auto negative = k.op<kg::MinOp>(k.c(0), k.op<kg::MulOp>(k.c(alpha), expm1));
  return setResult(b, k.op<kg::AddOp>(k.op<kg::MaxOp>(k.c(0), in->x), negative));
}

// ThresholdedRelu(x) = x > alpha ? x : 0.
LogicalResult convertThresholdedRelu(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  auto above = k.op<kg::GreaterOp>(in->x, k.c(b.floatAttr("alpha", 1.0f)));
  return setResult(b, k.where(above, in->x, k.c(0)));
}

// Softplus(x) = log(exp(x) + 1), as the ONNX reference computes it.
LogicalResult convertSoftplus(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  return setResult(b, k.op<kg::LogOp>(k.op<kg::AddOp>(k.op<kg::ExpOp>(in->x), k.c(1))));
}

// Softsign(x) = x / (1 + |x|).
LogicalResult convertSoftsign(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  return setResult(b, k.op<kg::DivOp>(in->x, k.op<kg::AddOp>(k.c(1), k.op<kg::AbsOp>(in->x))));
}

// HardSigmoid(x) = clip(alpha * x + beta, 0, 1).
LogicalResult convertHardSigmoid(OpBinder &b) {
  auto in = floatInput(b);
  if (failed(in))
    return failure();
  Chain k{b, in->type};
  auto scaled = k.op<kg::MulOp>(in->x, k.c(b.floatAttr("alpha", 0.2f)));
  auto shifted = k.op<kg::AddOp>(scaled, k.c(b.floatAttr("beta", 0.5f)));
  if (failed(shifted))
    return failure();
  return setResult(b, b.create<kg::ClipOp>(*shifted, b.builder().getF32FloatAttr(0.0f),
                                           b.builder().getF32FloatAttr(1.0f)));
}

// Shrink(x) = x < -lambd ? x + bias : x > lambd ? x - bias : 0, on any numeric type; integer
// inputs need integral lambd and bias, which then compare and add exactly.
LogicalResult convertShrink(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  Type type = b.typeOf(*x).getElementType();
  double lambd = b.floatAttr("lambd", 0.5f), bias = b.floatAttr("bias", 0.0f);
  if (!isa<FloatType>(type) && (lambd != std::trunc(lambd) || bias != std::trunc(bias)))
    return b.emitError() << "lambd " << lambd << " and bias " << bias
                         << " must be integers for an input of " << type;
  Chain k{b, type};
  auto zero = k.c(0);
  auto high = k.where(k.op<kg::GreaterOp>(*x, k.c(lambd)), k.op<kg::SubOp>(*x, k.c(bias)), zero);
  auto low = k.op<kg::LessOp>(*x, k.c(-lambd));
  return setResult(b, k.where(low, k.op<kg::AddOp>(*x, k.c(bias)), high));
}

} // namespace

void populateActivationConverters(ConverterRegistry &r) {
  r.add("Tanh", 1, convertUnary<kg::TanhOp>);
  r.add("Sigmoid", 1, convertUnary<kg::SigmoidOp>);
  r.add("Relu", 1, convertUnary<kg::ReluOp>);
  r.add("HardSwish", 14, convertUnary<kg::HardSwishOp>);
  r.add("LeakyRelu", 1, convertLeakyRelu);
  r.add("PRelu", 1, convertPRelu);
  r.add("Elu", 1, convertElu);
  r.add("Selu", 1, convertSelu);
  r.add("Celu", 12, convertCelu);
  r.add("ThresholdedRelu", 10, convertThresholdedRelu);
  r.add("Softplus", 1, convertSoftplus);
  r.add("Softsign", 1, convertSoftsign);
  r.add("HardSigmoid", 1, convertHardSigmoid);
  r.add("Shrink", 9, convertShrink);
}

} // namespace kiln::onnx_frontend
