// Matrix products: numpy matmul and ONNX Gemm shape rules.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto lhs = llvm::cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = llvm::cast<RankedTensorType>(adaptor.getRhs().getType());
  if (lhs.getRank() == 0 || rhs.getRank() == 0)
    return emitOptionalError(loc, "matmul operands must not be scalars");
  // 1-D operands are promoted (lhs: prepend 1, rhs: append 1) and the dim removed afterwards.
  SmallVector<int64_t> a(lhs.getShape()), b(rhs.getShape());
  bool lhsVector = a.size() == 1, rhsVector = b.size() == 1;
  if (lhsVector)
    a.insert(a.begin(), 1);
  if (rhsVector)
    b.push_back(1);
  if (a.back() != b[b.size() - 2])
    return emitOptionalError(loc, "matmul contraction mismatch: ", formatShape(lhs.getShape()),
                             " x ", formatShape(rhs.getShape()));
  auto batch = broadcastShapes(ArrayRef<int64_t>(a).drop_back(2), ArrayRef<int64_t>(b).drop_back(2));
  if (!batch)
    return emitOptionalError(loc, "matmul batch dims do not broadcast: ",
                             formatShape(lhs.getShape()), " x ", formatShape(rhs.getShape()));
  SmallVector<int64_t> shape = *batch;
  if (!lhsVector)
    shape.push_back(a[a.size() - 2]);
  if (!rhsVector)
    shape.push_back(b.back());
  results.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                       Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto a = llvm::cast<RankedTensorType>(adaptor.getA().getType());
  auto b = llvm::cast<RankedTensorType>(adaptor.getB().getType());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "gemm operands must be 2-D");
  int64_t m = adaptor.getTransA() ? a.getDimSize(1) : a.getDimSize(0);
  int64_t ka = adaptor.getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  int64_t kb = adaptor.getTransB() ? b.getDimSize(1) : b.getDimSize(0);
  int64_t n = adaptor.getTransB() ? b.getDimSize(0) : b.getDimSize(1);
  if (ka != kb)
    return emitOptionalError(loc, "gemm contraction mismatch: ", ka, " vs ", kb);
  if (Value c = adaptor.getC()) {
    auto cShape = llvm::cast<RankedTensorType>(c.getType()).getShape();
    auto merged = broadcastShapes({m, n}, cShape);
    if (!merged || (*merged)[0] != m || (*merged)[1] != n)
      return emitOptionalError(loc, "gemm C of shape ", formatShape(cShape),
                               " does not broadcast to ", m, "x", n);
  }
  results.push_back(RankedTensorType::get({m, n}, a.getElementType()));
  return success();
}

} // namespace kiln::graph
