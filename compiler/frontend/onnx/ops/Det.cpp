// Det: the determinant of (..., M, M) matrices by Gaussian elimination with partial pivoting
// (as LAPACK's getrf, which the ONNX reference calls through numpy), unrolled for the static M
// into whole-batch kg ops: per column an arg_max picks the pivot row, selects swap it in, and
// one broadcast multiply-subtract eliminates below it. det = sign of the swaps * pivots.
#include "compiler/frontend/onnx/OpBinder.h"
#include "compiler/frontend/onnx/Registry.h"
#include "compiler/frontend/onnx/ops/ValueChain.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;
namespace kg = kiln::graph;

namespace kiln::onnx_frontend {
namespace {

// Unrolling emits about 20 ops per column; larger matrices would need a loop, not unrolling.
constexpr int64_t kMaxOrder = 64;

// A constant (M, 1) column: `values` of `elementType` (i1 for masks).
Value rowConstant(OpBinder &b, Type elementType, ArrayRef<double> values) {
  auto type = RankedTensorType::get({int64_t(values.size()), 1}, elementType);
  return b.constant(kg::makeDense(type, values));
}

LogicalResult convertDet(OpBinder &b) {
  auto x = b.requiredInput(0);
  if (failed(x))
    return failure();
  auto type = b.typeOf(*x);
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  if (!isa<FloatType>(type.getElementType()))
    return b.emitError() << "input must be floating-point, got " << type.getElementType();
  if (rank < 2 || shape[rank - 1] != shape[rank - 2])
    return b.emitError() << "input of shape " << graph::formatShape(shape)
                         << " is not a batch of square matrices";
  int64_t m = shape[rank - 1];
  if (m > kMaxOrder)
    return b.emitError() << "matrices of order " << m << " exceed the " << kMaxOrder
                         << " Kiln unrolls";
  if (m == 0)
    return b.emitError() << "matrices of order 0 are not supported";

  ValueChain e{b, type.getElementType()};
  Type i1 = b.builder().getI1Type(), i64 = b.builder().getI64Type();
  SmallVector<double> rowIndex;
  for (int64_t i = 0; i < m; ++i)
    rowIndex.push_back(double(i));
  Value rows = rowConstant(b, i64, rowIndex);
  // Slices of the (..., M, M) matrix: column k as (..., M, 1), row k as (..., 1, M).
  SmallVector<int64_t> origin(rank, 0);
  auto column = [&](Value a, int64_t k) {
    SmallVector<int64_t> starts(origin), sizes(shape);
    starts.back() = k;
    sizes.back() = 1;
    return e.slice(a, starts, sizes);
  };
  auto row = [&](Value a, int64_t k) {
    SmallVector<int64_t> starts(origin), sizes(shape);
    starts[rank - 2] = k;
    sizes[rank - 2] = 1;
    return e.slice(a, starts, sizes);
  };

  Value a = *x, det = e.c(1);
  for (int64_t k = 0; k < m; ++k) {
    SmallVector<double> atOrBelow, isK, below;
    for (int64_t i = 0; i < m; ++i) {
      atOrBelow.push_back(i >= k);
      isK.push_back(i == k);
      below.push_back(i > k);
    }
    // The pivot: the first row at or below k with the largest |a[i, k]| (rows above: -1).
    Value magnitude = e.op<kg::WhereOp>(rowConstant(b, i1, atOrBelow),
                                        e.op<kg::AbsOp>(column(a, k)), e.c(-1));
    if (!e.ok)
      return failure();
    OpBuilder &ob = b.builder();
    Value pivotRow = e.wrap(b.create<kg::ArgMaxOp>(magnitude, ob.getI64IntegerAttr(rank - 2),
                                                   ob.getBoolAttr(true), ob.getBoolAttr(false)));
    // Swap rows k and pivotRow with selects; the gathered pivot row is a masked sum (exact:
    // every other term is 0).
    Value atPivot = e.op<kg::EqualOp>(rows, pivotRow);
    Value masked = e.op<kg::WhereOp>(atPivot, a, e.c(0));
    if (!e.ok)
      return failure();
    Value pivotValues = e.wrap(b.create<kg::ReduceSumOp>(
        masked, b.builder().getDenseI64ArrayAttr({rank - 2}), b.builder().getBoolAttr(true)));
    Value rowK = row(a, k);
    a = e.op<kg::WhereOp>(rowConstant(b, i1, isK), pivotValues,
                          e.op<kg::WhereOp>(atPivot, rowK, a));
    Value swapped = e.op<kg::NotOp>(e.op<kg::EqualOp>(pivotRow, b.scalar(i64, double(k))));
    SmallVector<int64_t> starts(origin), ones(rank, 1);
    starts[rank - 2] = starts[rank - 1] = k;
    for (int64_t d = 0; d < rank - 2; ++d)
      ones[d] = shape[d];
    Value pivot = e.slice(a, starts, ones); // (..., 1, 1)
    det = e.op<kg::MulOp>(e.op<kg::WhereOp>(swapped, e.op<kg::NegOp>(det), det), pivot);
    if (k + 1 == m)
      break;
    // A zero pivot leaves a zero column below it (it is the largest): divide by 1 instead.
    Value safePivot = e.op<kg::WhereOp>(e.op<kg::EqualOp>(pivot, e.c(0)), e.c(1), pivot);
    Value factors = e.op<kg::WhereOp>(rowConstant(b, i1, below),
                                      e.op<kg::DivOp>(column(a, k), safePivot), e.c(0));
    a = e.op<kg::SubOp>(a, e.op<kg::MulOp>(factors, row(a, k)));
  }
  Value result = e.reshape(det, shape.drop_back(2));
  return e.ok ? b.setResults({result}) : failure();
}

} // namespace

void populateDetConverters(ConverterRegistry &r) { r.add("Det", 11, convertDet); }

} // namespace kiln::onnx_frontend
