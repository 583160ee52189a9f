// Indexing ops (gather/scatter by run-time indices, reverse_sequence, trilu, top_k_indices):
// result types and operand checks.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"

using namespace mlir;

namespace kiln::graph {

static RankedTensorType rankedType(Value v) { return llvm::cast<RankedTensorType>(v.getType()); }

static bool isIndexElement(Type t) { return t.isInteger(64) || t.isInteger(32); }

static LogicalResult checkReduction(std::optional<Location> loc, StringRef reduction) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return emitOptionalError(loc, "unknown scatter reduction '", reduction, "'");
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                 Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = rankedType(adaptor.getData()), indices = rankedType(adaptor.getIndices());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "gather_elements axis ", axis, " out of range");
  if (!isIndexElement(indices.getElementType()))
    return emitOptionalError(loc, "gather_elements indices must be int32 or int64");
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, "gather_elements indices ", formatShape(indices.getShape()),
                             " and data ", formatShape(data.getShape()), " differ in rank");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > data.getDimSize(d))
      return emitOptionalError(loc, "gather_elements indices ", formatShape(indices.getShape()),
                               " exceed data ", formatShape(data.getShape()), " off the axis");
  results.push_back(indices.clone(data.getElementType()));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                           Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = rankedType(adaptor.getData()), indices = rankedType(adaptor.getIndices());
  int64_t batch = adaptor.getBatchDims(), r = data.getRank(), q = indices.getRank();
  if (!isIndexElement(indices.getElementType()))
    return emitOptionalError(loc, "gather_nd indices must be int32 or int64");
  if (batch < 0 || batch >= std::min(r, q))
    return emitOptionalError(loc, "gather_nd batch_dims ", batch, " out of range");
  int64_t depth = indices.getShape().back();
  if (depth < 1 || batch + depth > r)
    return emitOptionalError(loc, "gather_nd index depth ", depth, " does not fit data rank ", r);
  for (int64_t d = 0; d < batch; ++d)
    if (data.getDimSize(d) != indices.getDimSize(d))
      return emitOptionalError(loc, "gather_nd batch dims of ", formatShape(data.getShape()),
                               " and ", formatShape(indices.getShape()), " differ");
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(batch + depth));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &results) {
  auto data = rankedType(adaptor.getData()), indices = rankedType(adaptor.getIndices());
  auto updates = rankedType(adaptor.getUpdates());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= data.getRank())
    return emitOptionalError(loc, "scatter_elements axis ", axis, " out of range");
  if (!isIndexElement(indices.getElementType()))
    return emitOptionalError(loc, "scatter_elements indices must be int32 or int64");
  if (indices.getShape() != updates.getShape() ||
      updates.getElementType() != data.getElementType())
    return emitOptionalError(loc, "scatter_elements updates must match the indices' shape and "
                                  "the data's element type");
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, "scatter_elements indices and data differ in rank");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && indices.getDimSize(d) > data.getDimSize(d))
      return emitOptionalError(loc, "scatter_elements indices ", formatShape(indices.getShape()),
                               " exceed data ", formatShape(data.getShape()), " off the axis");
  if (failed(checkReduction(loc, adaptor.getReduction())))
    return failure();
  results.push_back(data);
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto data = rankedType(adaptor.getData()), indices = rankedType(adaptor.getIndices());
  auto updates = rankedType(adaptor.getUpdates());
  if (!isIndexElement(indices.getElementType()))
    return emitOptionalError(loc, "scatter_nd indices must be int32 or int64");
  if (indices.getRank() < 1)
    return emitOptionalError(loc, "scatter_nd indices need rank >= 1");
  int64_t depth = indices.getShape().back();
  if (depth < 1 || depth > data.getRank())
    return emitOptionalError(loc, "scatter_nd index depth ", depth, " does not fit data rank ",
                             data.getRank());
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(depth));
  if (updates.getShape() != ArrayRef<int64_t>(expected) ||
      updates.getElementType() != data.getElementType())
    return emitOptionalError(loc, "scatter_nd updates ", formatShape(updates.getShape()),
                             " should be ", formatShape(expected), " of the data's element type");
  if (failed(checkReduction(loc, adaptor.getReduction())))
    return failure();
  results.push_back(data);
  return success();
}

LogicalResult ReverseSequenceOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                                  Adaptor adaptor,
                                                  SmallVectorImpl<Type> &results) {
  auto input = rankedType(adaptor.getInput()), lens = rankedType(adaptor.getSeqLens());
  int64_t batch = adaptor.getBatchAxis(), time = adaptor.getTimeAxis();
  if (input.getRank() < 2 || batch < 0 || time < 0 || batch > 1 || time > 1 || batch == time)
    return emitOptionalError(loc, "reverse_sequence needs batch and time axes 0 and 1 of a "
                                  "tensor of rank >= 2");
  if (lens.getRank() != 1 || lens.getDimSize(0) != input.getDimSize(batch) ||
      !isIndexElement(lens.getElementType()))
    return emitOptionalError(loc, "reverse_sequence seq_lens must be an int32/int64 vector of ",
                             input.getDimSize(batch), " entries");
  results.push_back(input);
  return success();
}

LogicalResult TriluOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                        Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedType(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(loc, "trilu needs rank >= 2");
  if (adaptor.getK()) {
    auto k = rankedType(adaptor.getK());
    if (k.getNumElements() != 1 || !k.getElementType().isInteger(64))
      return emitOptionalError(loc, "trilu k must be a single int64");
  }
  results.push_back(input);
  return success();
}

LogicalResult TopKIndicesOp::inferReturnTypes(MLIRContext *ctx, std::optional<Location> loc,
                                              Adaptor adaptor, SmallVectorImpl<Type> &results) {
  auto input = rankedType(adaptor.getInput());
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (axis < 0 || axis >= input.getRank())
    return emitOptionalError(loc, "top_k axis ", axis, " out of range");
  if (k < 0 || k > input.getDimSize(axis))
    return emitOptionalError(loc, "top_k k = ", k, " is out of range for a dim of size ",
                             input.getDimSize(axis));
  if (!llvm::isa<FloatType, IntegerType>(input.getElementType()))
    return emitOptionalError(loc, "top_k needs a numeric input");
  SmallVector<int64_t> shape(input.getShape());
  shape[axis] = k;
  results.push_back(RankedTensorType::get(shape, IntegerType::get(ctx, 64)));
  return success();
}

} // namespace kiln::graph
