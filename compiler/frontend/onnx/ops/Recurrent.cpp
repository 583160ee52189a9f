// RNN, GRU and LSTM, unrolled over their static sequence length into kg gemms, slices and
// elementwise ops. The input projection of all steps is one gemm (X W^T + Wb); each step adds
// H R^T + Rb and applies the gates: the same products and sums as the ONNX definition, in
// the same order, so the composition is exact.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "ir/graph/ShapeUtils.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

enum class Cell { Rnn, Gru, Lstm };

struct Activation {
  std::string name; // lower case
  float alpha = 0, beta = 0;
};

// Builds kg ops through the binder; after the first failure (already reported) every
// method returns a null value and `ok` stays false.
struct Emitter {
  OpBinder &b;
  bool ok = true;

  Value wrap(FailureOr<Value> r) {
    ok = ok && succeeded(r);
    return ok ? *r : Value();
  }
  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    return ok ? wrap(b.create<OpTy>(std::forward<Args>(args)...)) : Value();
  }
  DenseI64ArrayAttr ints(ArrayRef<int64_t> v) { return b.builder().getDenseI64ArrayAttr(v); }
  Value scalar(Value like, double v) { return b.scalar(b.typeOf(like).getElementType(), v); }

  Value add(Value x, Value y) { return make<kg::AddOp>(x, y); }
  Value sub(Value x, Value y) { return make<kg::SubOp>(x, y); }
  Value mul(Value x, Value y) { return make<kg::MulOp>(x, y); }
  // `size` entries of `v` from `start` along `axis`.
  Value slice(Value v, int64_t axis, int64_t start, int64_t size) {
    if (!ok)
      return {};
    auto shape = b.typeOf(v).getShape();
    SmallVector<int64_t> starts(shape.size(), 0), sizes(shape), steps(shape.size(), 1);
    starts[axis] = start;
    sizes[axis] = size;
    return make<kg::SliceOp>(v, ints(starts), ints(sizes), ints(steps));
  }
  Value reshape(Value v, ArrayRef<int64_t> shape) { return ok ? wrap(b.reshape(v, shape)) : v; }
  Value transpose(Value v, ArrayRef<int64_t> perm) { return make<kg::TransposeOp>(v, ints(perm)); }
  Value concat(ArrayRef<Value> values, int64_t axis) {
    if (values.size() == 1)
      return values[0];
    return make<kg::ConcatOp>(ValueRange(values), b.builder().getI64IntegerAttr(axis));
  }
  // x w^T + bias (bias may be null).
  Value linear(Value x, Value w, Value bias) {
    OpBuilder &ob = b.builder();
    return make<kg::GemmOp>(x, w, bias, ob.getBoolAttr(false), ob.getBoolAttr(true),
                            ob.getF32FloatAttr(1.0f), ob.getF32FloatAttr(1.0f));
  }
  // Slice `d` of a per-direction tensor, without its leading dim.
  Value direction(Value v, int64_t d) {
    if (!ok)
      return {};
    auto shape = b.typeOf(v).getShape();
    return reshape(slice(v, 0, d, 1), shape.drop_front());
  }

  Value activate(const Activation &f, Value x) {
    OpBuilder &ob = b.builder();
    if (f.name == "sigmoid")
      return make<kg::SigmoidOp>(x);
    if (f.name == "tanh")
      return make<kg::TanhOp>(x);
    if (f.name == "relu")
      return make<kg::ReluOp>(x);
    if (f.name == "leakyrelu")
      return make<kg::LeakyReluOp>(x, ob.getF32FloatAttr(f.alpha));
    if (f.name == "affine")
      return add(mul(x, scalar(x, f.alpha)), scalar(x, f.beta));
    if (f.name == "scaledtanh")
      return mul(make<kg::TanhOp>(mul(x, scalar(x, f.beta))), scalar(x, f.alpha));
    if (f.name == "hardsigmoid")
      return make<kg::ClipOp>(add(mul(x, scalar(x, f.alpha)), scalar(x, f.beta)),
                              ob.getF32FloatAttr(0.0f), ob.getF32FloatAttr(1.0f));
    ok = false;
    b.emitError() << "activation '" << f.name << "' is not supported";
    return {};
  }
};

// The `activations` list (defaults per direction), with activation_alpha / activation_beta
// consumed in order by the functions that take them.
FailureOr<SmallVector<Activation>> readActivations(OpBinder &b, ArrayRef<StringRef> defaults,
                                                   int64_t numDirections) {
  SmallVector<std::string> names;
  if (auto given = b.stringsAttr("activations"))
    names = *given;
  else
    for (int64_t d = 0; d < numDirections; ++d)
      names.append(defaults.begin(), defaults.end());
  if (names.size() != defaults.size() * numDirections)
    return b.emitError() << "expects " << defaults.size() * numDirections << " activations, got "
                         << names.size();
  auto alphas = b.floatsAttr("activation_alpha").value_or(SmallVector<float>());
  auto betas = b.floatsAttr("activation_beta").value_or(SmallVector<float>());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Activation> result;
  for (const std::string &name : names) {
    Activation f{llvm::StringRef(name).lower()};
    // ONNX defaults of the corresponding operators.
    float alpha = f.name == "leakyrelu" ? 0.01f : f.name == "hardsigmoid" ? 0.2f : 1.0f;
    float beta = f.name == "hardsigmoid" ? 0.5f : f.name == "affine" ? 0.0f : 1.0f;
    bool usesAlpha =
        llvm::is_contained({"leakyrelu", "hardsigmoid", "affine", "scaledtanh"}, f.name);
    bool usesBeta = llvm::is_contained({"hardsigmoid", "affine", "scaledtanh"}, f.name);
    f.alpha = usesAlpha && nextAlpha < alphas.size() ? alphas[nextAlpha++] : alpha;
    f.beta = usesBeta && nextBeta < betas.size() ? betas[nextBeta++] : beta;
    result.push_back(f);
  }
  return result;
}

// One direction's weights, [gates * hidden, input] and [gates * hidden, hidden], their
// biases (null without B) and, for LSTM, the peepholes i, o, f (null without P).
struct DirectionParams {
  Value w, r, wBias, rBias, peepI, peepO, peepF;
  ArrayRef<Activation> acts;
};

struct State {
  Value h, c;
};

// One time step: `xw` is this step's X W^T + Wb, [batch, gates * hidden].
State step(Emitter &e, Cell cell, const DirectionParams &p, Value xw, State s, int64_t hidden,
           bool linearBeforeReset, std::optional<float> clip) {
  auto clipped = [&](Value v) {
    OpBuilder &ob = e.b.builder();
    return clip ? e.make<kg::ClipOp>(v, ob.getF32FloatAttr(-*clip), ob.getF32FloatAttr(*clip))
                : v;
  };
  auto gate = [&](Value all, int64_t k) { return e.slice(all, 1, k * hidden, hidden); };
  if (cell == Cell::Rnn)
    return {e.activate(p.acts[0], clipped(e.add(xw, e.linear(s.h, p.r, p.rBias)))), {}};
  if (cell == Cell::Lstm) {
    // Gate order i, o, f, c; peepholes i, o, f.
    Value pre = e.add(xw, e.linear(s.h, p.r, p.rBias));
    Value i = gate(pre, 0), o = gate(pre, 1), f = gate(pre, 2), g = gate(pre, 3);
    if (p.peepI) {
      i = e.add(i, e.mul(p.peepI, s.c));
      f = e.add(f, e.mul(p.peepF, s.c));
    }
    i = e.activate(p.acts[0], clipped(i));
    f = e.activate(p.acts[0], clipped(f));
    g = e.activate(p.acts[1], clipped(g));
    Value c = e.add(e.mul(f, s.c), e.mul(i, g));
    if (p.peepO)
      o = e.add(o, e.mul(p.peepO, c));
    o = e.activate(p.acts[0], clipped(o));
    return {e.mul(o, e.activate(p.acts[2], c)), c};
  }
  // GRU, gate order z, r, h: the h gate's recurrent product is taken apart from z and r.
  Value rZR = e.slice(p.r, 0, 0, 2 * hidden), rH = e.slice(p.r, 0, 2 * hidden, hidden);
  Value bZR = p.rBias ? e.slice(p.rBias, 0, 0, 2 * hidden) : Value();
  Value bH = p.rBias ? e.slice(p.rBias, 0, 2 * hidden, hidden) : Value();
  Value zr = e.add(e.slice(xw, 1, 0, 2 * hidden), e.linear(s.h, rZR, bZR));
  Value z = e.activate(p.acts[0], clipped(gate(zr, 0)));
  Value r = e.activate(p.acts[0], clipped(gate(zr, 1)));
  Value recurrent = linearBeforeReset ? e.mul(r, e.linear(s.h, rH, bH))
                                      : e.linear(e.mul(r, s.h), rH, bH);
  Value h = e.activate(p.acts[1], clipped(e.add(gate(xw, 2), recurrent)));
  Value keep = e.sub(e.scalar(z, 1.0), z);
  return {e.add(e.mul(keep, h), e.mul(z, s.h)), {}};
}

LogicalResult convertRecurrent(OpBinder &b, Cell cell) {
  auto x = b.requiredInput(0), w = b.requiredInput(1), r = b.requiredInput(2);
  if (failed(x) || failed(w) || failed(r))
    return failure();
  int64_t gates = cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4;
  bool batchMajor = b.opset() >= 14 && b.intAttr("layout", 0) != 0;
  std::string direction = b.stringAttr("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return b.emitError() << "unknown direction '" << direction << "'";
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;
  auto xType = b.typeOf(*x), wType = b.typeOf(*w);
  if (xType.getRank() != 3 || wType.getRank() != 3 || !llvm::isa<FloatType>(xType.getElementType()))
    return b.emitError() << "expects a floating-point X and W of rank 3";
  int64_t hidden = b.intAttr("hidden_size", wType.getDimSize(1) / gates);
  int64_t seq = xType.getDimSize(batchMajor ? 1 : 0), batch = xType.getDimSize(batchMajor ? 0 : 1);
  int64_t inputSize = xType.getDimSize(2);
  auto expectShape = [&](Value v, ArrayRef<int64_t> shape, StringRef what) -> LogicalResult {
    if (!v || b.typeOf(v).getShape() == shape)
      return success();
    return b.emitError() << what << " has shape " << kg::formatShape(b.typeOf(v).getShape())
                         << ", expected " << kg::formatShape(shape);
  };
  SmallVector<int64_t> stateShape = batchMajor ? SmallVector<int64_t>{batch, numDirections, hidden}
                                               : SmallVector<int64_t>{numDirections, batch, hidden};
  Value initialH = b.input(5), initialC = cell == Cell::Lstm ? b.input(6) : Value();
  Value bias = b.input(3), peep = cell == Cell::Lstm ? b.input(7) : Value();
  if (failed(expectShape(*w, {numDirections, gates * hidden, inputSize}, "W")) ||
      failed(expectShape(*r, {numDirections, gates * hidden, hidden}, "R")) ||
      failed(expectShape(bias, {numDirections, 2 * gates * hidden}, "B")) ||
      failed(expectShape(initialH, stateShape, "initial_h")) ||
      failed(expectShape(initialC, stateShape, "initial_c")) ||
      failed(expectShape(peep, {numDirections, 3 * hidden}, "P")))
    return failure();
  if (cell == Cell::Lstm && b.intAttr("input_forget", 0) != 0)
    return b.emitError() << "input_forget = 1 is not supported";
  if (b.input(4)) {
    auto lengths = b.constantInts(4, "sequence_lens");
    if (failed(lengths))
      return failure();
    if (llvm::any_of(*lengths, [&](int64_t l) { return l != seq; }))
      return b.emitError() << "sequence_lens shorter than the sequence (" << seq
                           << " steps) are not supported";
  }
  std::optional<float> clip;
  if (b.hasAttr("clip"))
    clip = b.floatAttr("clip", 0.0f);
  SmallVector<StringRef> defaults;
  if (cell == Cell::Rnn)
    defaults = {"Tanh"};
  else if (cell == Cell::Gru)
    defaults = {"Sigmoid", "Tanh"};
  else
    defaults = {"Sigmoid", "Tanh", "Tanh"};
  auto acts = readActivations(b, defaults, numDirections);
  if (failed(acts))
    return failure();

  Emitter e{b};
  Value xs = batchMajor ? e.transpose(*x, {1, 0, 2}) : *x;
  if (batchMajor) {
    initialH = initialH ? e.transpose(initialH, {1, 0, 2}) : Value();
    initialC = initialC ? e.transpose(initialC, {1, 0, 2}) : Value();
  }
  Value rows = e.reshape(xs, {seq * batch, inputSize});
  Type elementType = xType.getElementType();
  auto zeroState = RankedTensorType::get({batch, hidden}, elementType);
  Value zeros = b.constant(
      DenseElementsAttr::get(zeroState, b.builder().getFloatAttr(elementType, 0.0)));
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < numDirections && e.ok; ++d) {
    DirectionParams p;
    p.w = e.direction(*w, d);
    p.r = e.direction(*r, d);
    p.acts = ArrayRef<Activation>(*acts).slice(d * defaults.size(), defaults.size());
    if (bias) {
      Value both = e.direction(bias, d);
      p.wBias = e.slice(both, 0, 0, gates * hidden);
      p.rBias = e.slice(both, 0, gates * hidden, gates * hidden);
    }
    if (peep) {
      Value all = e.direction(peep, d);
      p.peepI = e.slice(all, 0, 0, hidden);
      p.peepO = e.slice(all, 0, hidden, hidden);
      p.peepF = e.slice(all, 0, 2 * hidden, hidden);
    }
    Value projected = e.linear(rows, p.w, p.wBias);
    State s{initialH ? e.direction(initialH, d) : zeros,
            initialC ? e.direction(initialC, d) : zeros};
    bool reverse = direction == "reverse" || d == 1;
    SmallVector<Value> outputs(seq);
    for (int64_t i = 0; i < seq && e.ok; ++i) {
      int64_t t = reverse ? seq - 1 - i : i;
      s = step(e, cell, p, e.slice(projected, 0, t * batch, batch), s, hidden,
               b.intAttr("linear_before_reset", 0) != 0, clip);
      outputs[t] = e.reshape(s.h, {1, 1, batch, hidden});
    }
    if (!e.ok)
      break;
    // Y is [seq, directions, batch, hidden]; its concatenations are skipped when unused.
    if (b.outputUsed(0))
      ys.push_back(e.concat(outputs, 0));
    hs.push_back(e.reshape(s.h, {1, batch, hidden}));
    if (cell == Cell::Lstm)
      cs.push_back(e.reshape(s.c, {1, batch, hidden}));
  }
  if (!e.ok)
    return failure();
  Value y = ys.empty() ? Value() : e.concat(ys, 1), yh = e.concat(hs, 0);
  Value yc = cell == Cell::Lstm ? e.concat(cs, 0) : Value();
  if (batchMajor) {
    y = y ? e.transpose(y, {2, 0, 1, 3}) : Value();
    yh = e.transpose(yh, {1, 0, 2});
    yc = yc ? e.transpose(yc, {1, 0, 2}) : Value();
  }
  if (!e.ok)
    return failure();
  if (cell == Cell::Lstm)
    return b.setResults({y, yh, yc});
  return b.setResults({y, yh});
}

} // namespace

void populateRecurrentConverters(ConverterRegistry &r) {
  // Opset 7 dropped `output_sequence`; 14 added `layout`.
  r.add("RNN", 7, [](OpBinder &b) { return convertRecurrent(b, Cell::Rnn); });
  r.add("GRU", 7, [](OpBinder &b) { return convertRecurrent(b, Cell::Gru); });
  r.add("LSTM", 7, [](OpBinder &b) { return convertRecurrent(b, Cell::Lstm); });
}

} // namespace kiln::onnx_frontend
