// Fourier transforms with sizes known at compile time: DFT and STFT. Each is one kg.matmul of
// the signal, laid out as interleaved (real, imaginary) pairs along its last dim, against a
// constant matrix of cosines and sines: exact to float rounding, and a single GEMM.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/RunTimeParams.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

#include <cmath>

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Limits the constant matrix (rows * columns entries) to 64 MiB of float32.
constexpr int64_t kMaxMatrixEntries = int64_t(16) << 20;

// The matrix taking `rows` samples of `components` (1: real, 2: complex) values each to
// frequency bins 0..bins-1 of an n-point transform, as interleaved
// (real, imaginary) columns. Row r*components + c holds sample r's component c. Forward:
// X[k] = sum x[r] e^(-2 pi i k r / n); inverse: the conjugate kernel, divided by n.
DenseElementsAttr fourierMatrix(Type elementType, int64_t rows, int64_t components, int64_t bins,
                                int64_t n, bool inverse) {
  double sign = inverse ? 1 : -1, scale = inverse ? 1.0 / n : 1.0;
  SmallVector<double> values(rows * components * bins * 2, 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t k = 0; k < bins; ++k) {
      // (k * r) mod n keeps the angle exact for long transforms.
      double angle = 2 * M_PI * double((k * r) % n) / double(n);
      double c = std::cos(angle) * scale, s = sign * std::sin(angle) * scale;
      double *real = &values[(r * components) * bins * 2 + 2 * k];
      real[0] = c; // real part of the input → real, imaginary parts of bin k
      real[1] = s;
      if (components == 2) {
        double *imag = real + bins * 2; // i * (c + i s) = -s + i c
        imag[0] = -s;
        imag[1] = c;
      }
    }
  }
  auto type = RankedTensorType::get({rows * components, bins * 2}, elementType);
  return kg::makeDense(type, values);
}

// Transforms the signal `x` (..., samples, components) along its samples dim (second to last):
// the first `rows` samples (fewer than the transform length n pads with zeros), into `bins`
// interleaved bins, returning (..., bins, 2).
FailureOr<Value> transformLastAxis(OpBinder &b, Value x, int64_t rows, int64_t bins, int64_t n,
                                   bool inverse) {
  auto type = b.typeOf(x);
  SmallVector<int64_t> shape(type.getShape());
  int64_t rank = shape.size(), components = shape.back();
  if ((rows * components) * (bins * 2) > kMaxMatrixEntries)
    return b.emitError() << "a " << n << "-point transform of " << rows
                         << " samples needs a larger constant matrix than Kiln builds";
  if (shape[rank - 2] != rows) {
    SmallVector<int64_t> starts(rank, 0), sizes(shape), steps(rank, 1);
    sizes[rank - 2] = rows;
    auto sliced = b.create<kg::SliceOp>(x, b.builder().getDenseI64ArrayAttr(starts),
                                        b.builder().getDenseI64ArrayAttr(sizes),
                                        b.builder().getDenseI64ArrayAttr(steps));
    if (failed(sliced))
      return failure();
    x = *sliced;
  }
  SmallVector<int64_t> flat(shape.begin(), shape.end() - 2);
  flat.push_back(rows * components);
  auto pairs = b.reshape(x, flat);
  if (failed(pairs))
    return failure();
  Value matrix = b.constant(
      fourierMatrix(type.getElementType(), rows, components, bins, n, inverse));
  auto product = b.create<kg::MatMulOp>(*pairs, matrix);
  if (failed(product))
    return failure();
  flat.back() = bins;
  flat.push_back(2);
  return b.reshape(*product, flat);
}

// Swaps dims a and b of a rank-`rank` tensor (an involution, so it also moves them back).
FailureOr<Value> swapDims(OpBinder &b, Value x, int64_t first, int64_t second) {
  if (first == second)
    return x;
  auto perm = llvm::to_vector(llvm::seq<int64_t>(0, b.typeOf(x).getRank()));
  std::swap(perm[first], perm[second]);
  return b.create<kg::TransposeOp>(x, b.builder().getDenseI64ArrayAttr(perm));
}

// DFT-17: dft_length is input 1, axis an attribute (default 1); DFT-20 moved axis to input 2
// (default -2).
template <int version> LogicalResult convertDFT(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  int64_t rank = type.getRank();
  if (!isa<FloatType>(type.getElementType()))
    return b.emitError() << "input must be floating-point, got " << type.getElementType();
  if (rank < 2 || (type.getShape().back() != 1 && type.getShape().back() != 2))
    return b.emitError() << "input of shape " << graph::formatShape(type.getShape())
                         << " must end in a dim of 1 (real) or 2 (complex) components";
  int64_t axis = version >= 20 ? -2 : b.intAttr("axis", 1);
  if (version >= 20 && b.numInputs() > 2 && b.input(2)) {
    auto values = b.constantInts(2, "DFT axis");
    if (failed(values))
      return failure();
    if (values->size() != 1)
      return b.emitError() << "axis must hold one value";
    axis = values->front();
  }
  auto normalized = b.normalizeAxis(axis, rank);
  if (failed(normalized))
    return failure();
  if (*normalized == rank - 1)
    return b.emitError() << "axis " << axis << " is the components dim, not a signal dim";
  int64_t samples = type.getDimSize(*normalized), n = samples;
  if (b.numInputs() > 1 && b.input(1)) {
    auto length = b.constantInts(1, "DFT dft_length");
    if (failed(length))
      return failure();
    if (length->size() != 1 || length->front() < 1)
      return b.emitError() << "dft_length must be one positive value";
    n = length->front();
  }
  bool inverse = b.intAttr("inverse", 0) != 0, onesided = b.intAttr("onesided", 0) != 0;
  if (inverse && onesided)
    return b.emitError() << "inverse with onesided is not supported";
  int64_t bins = onesided ? n / 2 + 1 : n;

  auto moved = swapDims(b, *x, *normalized, rank - 2);
  auto transformed = failed(moved) ? moved
                                   : transformLastAxis(b, *moved, std::min(samples, n), bins, n,
                                                       inverse);
  auto result = failed(transformed) ? transformed
                                    : swapDims(b, *transformed, *normalized, rank - 2);
  return failed(result) ? failure() : b.setResults({*result});
}

// The (frame_length, frame_step) pair whose frames and bins give the declared output
// (batch, frames, bins, 2), for parameters computed at run time; `length` and `step` are the
// ones known at compile time. It must be the only such pair.
FailureOr<std::pair<int64_t, int64_t>> stftParamsFromDeclared(OpBinder &b, int64_t signalLength,
                                                              bool onesided,
                                                              std::optional<int64_t> length,
                                                              std::optional<int64_t> step,
                                                              ArrayRef<int64_t> declared) {
  if (declared.size() != 4)
    return b.emitError() << "the declared output shape " << graph::formatShape(declared)
                         << " is not (batch, frames, bins, 2)";
  int64_t frames = declared[1], bins = declared[2];
  SmallVector<int64_t> lengths;
  if (length)
    lengths.push_back(*length);
  else if (onesided)
    lengths.append({2 * bins - 2, 2 * bins - 1});
  else
    lengths.push_back(bins);
  SmallVector<std::pair<int64_t, int64_t>> found;
  for (int64_t fl : lengths) {
    if (fl < 1 || fl > signalLength || (onesided ? fl / 2 + 1 : fl) != bins)
      continue;
    for (int64_t st = step.value_or(1); st <= (step ? *step : signalLength); ++st)
      if ((signalLength - fl) / st + 1 == frames)
        found.push_back({fl, st});
  }
  if (found.size() != 1)
    return b.emitError() << "STFT frame_step/frame_length are computed at run time and "
                         << (found.empty() ? "no" : "more than one") << " choice of them gives "
                         << "the declared output shape " << graph::formatShape(declared);
  return found.front();
}

// STFT-17: frames of frame_length samples every frame_step samples, each weighted by the window
// and transformed (one-sided by default) with one gather and one matmul.
LogicalResult convertSTFT(OpBinder &b) {
  auto signal = b.requiredInput(0);
  if (failed(signal))
    return failure();
  auto type = b.typeOf(*signal);
  ArrayRef<int64_t> shape = type.getShape();
  if (!isa<FloatType>(type.getElementType()))
    return b.emitError() << "signal must be floating-point, got " << type.getElementType();
  if (shape.size() != 3 || (shape[2] != 1 && shape[2] != 2))
    return b.emitError() << "signal of shape " << graph::formatShape(shape)
                         << " must be (batch, length, 1 or 2)";
  bool onesided = b.intAttr("onesided", 1) != 0;
  Value window = b.numInputs() > 2 ? b.input(2) : Value();
  bool hasLengthInput = b.numInputs() > 3 && b.input(3);
  if (!hasLengthInput && !window)
    return b.emitError() << "needs a window or a frame_length";
  if (window && (b.typeOf(window).getRank() != 1 ||
                 b.typeOf(window).getElementType() != type.getElementType()))
    return b.emitError() << "window must be 1-D of the signal's element type";

  std::optional<int64_t> knownLength, knownStep;
  if (window)
    knownLength = b.typeOf(window).getDimSize(0);
  if (hasLengthInput && inputIsConstant(b, 3)) {
    auto v = b.constantInts(3, "STFT frame_length");
    if (failed(v) || v->size() != 1)
      return failed(v) ? failure() : b.emitError() << "frame_length must hold one value";
    if (knownLength && *knownLength != v->front())
      return b.emitError() << "frame_length " << v->front() << " differs from the window's "
                           << *knownLength << " samples";
    knownLength = v->front();
  }
  if (inputIsConstant(b, 1)) {
    auto v = b.constantInts(1, "STFT frame_step");
    if (failed(v) || v->size() != 1)
      return failed(v) ? failure() : b.emitError() << "frame_step must hold one value";
    knownStep = v->front();
  }
  auto derive = [&](bool wantLength) {
    return [&, wantLength](ArrayRef<int64_t> declared) -> FailureOr<DerivedParam> {
      auto pair = stftParamsFromDeclared(b, shape[1], onesided, knownLength, knownStep, declared);
      if (failed(pair))
        return failure();
      int64_t v = wantLength ? pair->first : pair->second;
      return DerivedParam{{v}, {{v}}};
    };
  };
  if (!knownStep) {
    auto v = intsFromDeclaredShape(b, 1, "STFT frame_step", derive(false));
    if (failed(v))
      return failure();
    knownStep = v->front();
  }
  if (!knownLength) {
    auto v = intsFromDeclaredShape(b, 3, "STFT frame_length", derive(true));
    if (failed(v))
      return failure();
    knownLength = v->front();
  }
  int64_t length = *knownLength, step = *knownStep;
  if (step < 1 || length < 1 || length > shape[1])
    return b.emitError() << "frame_length " << length << " and frame_step " << step
                         << " do not frame a signal of " << shape[1] << " samples";

  // Frame f holds samples f * step + j: gathered along the samples dim → (batch, f, j, c).
  int64_t frames = (shape[1] - length) / step + 1;
  SmallVector<int64_t> positions;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t j = 0; j < length; ++j)
      positions.push_back(f * step + j);
  auto indexType = RankedTensorType::get({frames, length}, b.builder().getI64Type());
  Value indices = b.constant(kg::makeDenseInt(indexType, positions));
  auto framed = b.create<kg::GatherOp>(*signal, indices, b.builder().getI64IntegerAttr(1));
  if (failed(framed))
    return failure();
  if (window) {
    auto column = b.reshape(window, {length, 1});
    framed = failed(column) ? column : b.create<kg::MulOp>(*framed, *column);
    if (failed(framed))
      return failure();
  }
  int64_t bins = onesided ? length / 2 + 1 : length;
  auto result = transformLastAxis(b, *framed, length, bins, length, /*inverse=*/false);
  return failed(result) ? failure() : b.setResults({*result});
}

} // namespace

void populateSignalConverters(ConverterRegistry &r) {
  r.add("DFT", 17, convertDFT<17>);
  r.add("DFT", 20, convertDFT<20>);
  r.add("STFT", 17, convertSTFT);
}

} // namespace kiln::onnx_frontend
