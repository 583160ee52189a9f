// Data movement and shape ops: inference, verification and folding of shape arithmetic.
#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace kiln::graph {

// Re-materializes a small constant operand with a new order of elements. Integers stay
// int64 end to end: shape arithmetic carries INT64_MAX ("to the end") through these folds.
template <typename T, typename IndexFn>
static OpFoldResult permuteValues(std::optional<std::vector<T>> values,
                                  RankedTensorType resultType, IndexFn sourceIndex) {
  if (!values)
    return {};
  std::vector<T> out(resultType.getNumElements());
  for (int64_t i = 0; i < int64_t(out.size()); ++i)
    out[i] = (*values)[sourceIndex(i)];
  if constexpr (std::is_same_v<T, int64_t>)
    return makeDenseInt(resultType, out);
  else
    return makeDense(resultType, out);
}

template <typename IndexFn>
static OpFoldResult permuteConstant(Attribute operand, RankedTensorType resultType,
                                    IndexFn sourceIndex) {
  auto elements = llvm::dyn_cast_or_null<ElementsAttr>(operand);
  if (!elements || !resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldElements ||
      elements.getNumElements() > kMaxFoldElements)
    return {};
  if (resultType.getElementType().isIntOrIndex())
    return permuteValues(readAsInt64(operand), resultType, sourceIndex);
  return permuteValues(readAsDouble(operand), resultType, sourceIndex);
}

// Splits a row-major linear index into coordinates.
static SmallVector<int64_t> delinearize(int64_t index, ArrayRef<int64_t> shape) {
  SmallVector<int64_t> coords(shape.size());
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    coords[d] = index % shape[d];
    index /= shape[d];
  }
  return coords;
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType(), out = getResult().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("changes the element type");
  if (in.hasStaticShape() && out.hasStaticShape() && in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ") << formatShape(in.getShape()) << " to "
                                          << formatShape(out.getShape());
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getResult().getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    setOperand(inner.getInput());
    return getResult();
  }
  // Same elements in the same order: a new type on the same data, whatever its size.
  if (auto dense = llvm::dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getResult().getType());
  if (auto resource = llvm::dyn_cast_or_null<DenseResourceElementsAttr>(adaptor.getInput()))
    return DenseResourceElementsAttr::get(getResult().getType(), resource.getRawHandle());
  return {};
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  SmallVector<bool> seen(input.getRank(), false);
  if (int64_t(perm.size()) != input.getRank())
    return emitOptionalError(loc, "transpose perm has ", perm.size(), " entries for rank ",
                             input.getRank());
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOptionalError(loc, "transpose perm is not a permutation");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i)
    identity &= perm[i] == int64_t(i);
  if (identity)
    return getInput();
  auto inShape = getInput().getType().getShape();
  auto outShape = getResult().getType().getShape();
  auto inStrides = rowMajorStrides(inShape);
  return permuteConstant(adaptor.getInput(), getResult().getType(), [&](int64_t i) {
    auto coords = delinearize(i, outShape);
    int64_t src = 0;
    for (size_t d = 0; d < perm.size(); ++d)
      src += coords[d] * inStrides[perm[d]];
    return src;
  });
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = llvm::cast<RankedTensorType>(adaptor.getInputs()[0].getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "concat axis ", axis, " out of range");
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto type = llvm::cast<RankedTensorType>(v.getType());
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != axis && (type.getRank() != first.getRank() || type.getDimSize(d) != shape[d]))
        return emitOptionalError(loc, "concat inputs ", formatShape(first.getShape()), " and ",
                                 formatShape(type.getShape()), " differ off the axis");
    shape[axis] += type.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

// Concatenates constant parts read by `read` (int64 or double, see permuteConstant).
template <typename T, typename ReadFn>
static OpFoldResult concatConstants(ConcatOp op, ArrayRef<Attribute> inputs, ReadFn read) {
  auto type = op.getResult().getType();
  std::vector<std::vector<T>> parts;
  for (Attribute a : inputs) {
    auto values = read(a);
    if (!values)
      return {};
    parts.push_back(std::move(*values));
  }
  int64_t axis = op.getAxis(), outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  std::vector<T> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < parts.size(); ++p) {
      int64_t chunk = llvm::cast<ShapedType>(op.getInputs()[p].getType()).getDimSize(axis) * inner;
      out.insert(out.end(), parts[p].begin() + o * chunk, parts[p].begin() + (o + 1) * chunk);
    }
  if constexpr (std::is_same_v<T, int64_t>)
    return makeDenseInt(type, out);
  else
    return makeDense(type, out);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return getInputs()[0];
  auto type = getResult().getType();
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  if (type.getElementType().isIntOrIndex())
    return concatConstants<int64_t>(*this, adaptor.getInputs(),
                                    [](Attribute a) { return readAsInt64(a); });
  return concatConstants<double>(*this, adaptor.getInputs(),
                                 [](Attribute a) { return readAsDouble(a); });
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = llvm::cast<RankedTensorType>(adaptor.getInput().getType());
  if (int64_t(adaptor.getSizes().size()) != input.getRank())
    return emitOptionalError(loc, "slice needs one size per dim");
  results.push_back(RankedTensorType::get(adaptor.getSizes(), input.getElementType()));
  return success();
}

LogicalResult SliceOp::verify() {
  auto shape = getInput().getType().getShape();
  for (size_t d = 0; d < shape.size(); ++d) {
    int64_t start = getStarts()[d], size = getSizes()[d], step = getSteps()[d];
    int64_t last = start + (size - 1) * step;
    if (step == 0 || size < 0 ||
        (size > 0 && (start < 0 || start >= shape[d] || last < 0 || last >= shape[d])))
      return emitOpError("slice of dim ") << d << " leaves the input bounds";
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getResult().getType() &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getSteps(), [](int64_t s) { return s == 1; }))
    return getInput();
  auto inStrides = rowMajorStrides(getInput().getType().getShape());
  auto outShape = getResult().getType().getShape();
  return permuteConstant(adaptor.getInput(), getResult().getType(), [&](int64_t i) {
    auto coords = delinearize(i, outShape);
    int64_t src = 0;
    for (size_t d = 0; d < coords.size(); ++d)
      src += (getStarts()[d] + coords[d] * getSteps()[d]) * inStrides[d];
    return src;
  });
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = llvm::cast<RankedTensorType>(adaptor.getData().getType());
  auto indices = llvm::cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "gather axis ", axis, " out of range");
  if (!indices.getElementType().isInteger(64) && !indices.getElementType().isInteger(32))
    return emitOptionalError(loc, "gather indices must be int32 or int64");
  SmallVector<int64_t> shape(data.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(axis + 1));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto indices = readAsInt64(adaptor.getIndices());
  if (!indices)
    return {};
  auto dataShape = getData().getType().getShape();
  int64_t axis = getAxis(), extent = dataShape[axis];
  for (int64_t &i : *indices) {
    if (i < -extent || i >= extent)
      return {}; // left for the verifier of the lowering to report
    if (i < 0)
      i += extent;
  }
  int64_t inner = 1;
  for (size_t d = axis + 1; d < dataShape.size(); ++d)
    inner *= dataShape[d];
  int64_t numIndices = indices->size();
  return permuteConstant(adaptor.getData(), getResult().getType(), [&](int64_t i) {
    int64_t in = i % inner, rest = i / inner;
    int64_t idx = (*indices)[rest % numIndices], outer = rest / numIndices;
    return (outer * extent + idx) * inner + in;
  });
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  int64_t rank = llvm::cast<RankedTensorType>(adaptor.getInput().getType()).getRank();
  int64_t start = adaptor.getStart(), end = adaptor.getEnd();
  if (start < 0 || end > rank || start > end)
    return emitOptionalError(loc, "shape range [", start, ", ", end, ") out of rank ", rank);
  results.push_back(RankedTensorType::get({end - start}, IntegerType::get(ctx, 64)));
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto type = getInput().getType();
  if (!type.hasStaticShape())
    return {};
  auto dims = type.getShape().slice(getStart(), getEnd() - getStart());
  return makeDenseInt(getResult().getType(), SmallVector<int64_t>(dims));
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = getResult().getType();
  if (!type.hasStaticShape())
    return {};
  auto value = llvm::dyn_cast<TypedAttr>(getValue());
  if (!value || value.getType() != type.getElementType())
    return {};
  return DenseElementsAttr::get(type, value);
}

} // namespace kiln::graph
