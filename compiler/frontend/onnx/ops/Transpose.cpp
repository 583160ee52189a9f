// Transpose and the block rearrangements DepthToSpace / SpaceToDepth, which are exactly a
// reshape, a transpose and a reshape.
#include "compiler/frontend/onnx/ops/DataMovement.h"

#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

LogicalResult convertTranspose(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  int64_t rank = b.typeOf(*x).getRank();
  SmallVector<int64_t> perm;
  for (int64_t d = rank - 1; d >= 0; --d)
    perm.push_back(d);
  perm = b.intsAttr("perm").value_or(perm);
  auto result = b.create<kg::TransposeOp>(*x, b.builder().getDenseI64ArrayAttr(perm));
  return failed(result) ? failure() : b.setResults({*result});
}

FailureOr<Value> reshapeTransposeReshape(OpBinder &b, Value x, ArrayRef<int64_t> split,
                                         ArrayRef<int64_t> perm, ArrayRef<int64_t> merged) {
  auto expanded = b.reshape(x, split);
  if (failed(expanded))
    return failure();
  auto moved = b.create<kg::TransposeOp>(*expanded, b.builder().getDenseI64ArrayAttr(perm));
  if (failed(moved))
    return failure();
  return b.reshape(*moved, merged);
}

// The NCHW input and a positive blocksize, or an error.
FailureOr<std::pair<SmallVector<int64_t>, int64_t>> blockInput(OpBinder &b, Value x) {
  ArrayRef<int64_t> shape = b.typeOf(x).getShape();
  int64_t block = b.intAttr("blocksize", 0);
  if (shape.size() != 4) {
    b.emitError() << "needs a 4-D NCHW input, got " << kiln::graph::formatShape(shape);
    return failure();
  }
  if (block <= 0) {
    b.emitError() << "blocksize " << block << " must be positive";
    return failure();
  }
  return std::make_pair(SmallVector<int64_t>(shape), block);
}

// DCR: depth split as (block_h, block_w, C'); CRD: as (C', block_h, block_w).
LogicalResult convertDepthToSpace(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto in = blockInput(b, *x);
  if (failed(in))
    return failure();
  auto [s, k] = *in;
  if (s[1] % (k * k))
    return b.emitError() << "channels " << s[1] << " are not a multiple of blocksize^2";
  int64_t c = s[1] / (k * k);
  std::string mode = b.stringAttr("mode", "DCR");
  SmallVector<int64_t> merged = {s[0], c, s[2] * k, s[3] * k};
  if (mode == "DCR")
    return setResult(b, reshapeTransposeReshape(b, *x, {s[0], k, k, c, s[2], s[3]},
                                                {0, 3, 4, 1, 5, 2}, merged));
  if (mode == "CRD")
    return setResult(b, reshapeTransposeReshape(b, *x, {s[0], c, k, k, s[2], s[3]},
                                                {0, 1, 4, 2, 5, 3}, merged));
  return b.emitError() << "mode '" << mode << "' is not DCR or CRD";
}

LogicalResult convertSpaceToDepth(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto in = blockInput(b, *x);
  if (failed(in))
    return failure();
  auto [s, k] = *in;
  if (s[2] % k || s[3] % k)
    return b.emitError() << "spatial dims " << s[2] << "x" << s[3]
                         << " are not multiples of blocksize " << k;
  return setResult(b, reshapeTransposeReshape(b, *x, {s[0], s[1], s[2] / k, k, s[3] / k, k},
                                              {0, 3, 5, 1, 2, 4},
                                              {s[0], s[1] * k * k, s[2] / k, s[3] / k}));
}

} // namespace

void populateTransposeConverters(ConverterRegistry &r) {
  r.add("Transpose", 1, convertTranspose);
  r.add("DepthToSpace", 1, convertDepthToSpace);
  r.add("SpaceToDepth", 1, convertSpaceToDepth);
}

} // namespace kiln::onnx_frontend
