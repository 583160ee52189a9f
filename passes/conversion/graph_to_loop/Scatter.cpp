// Lowering of scatter_elements and scatter_nd as "pull" reductions: each output element starts
// from the data (init) and a reduce loop over the updates combines those whose index selects
// it. Every store then goes to the block's own position, so the loop analysis sees all writes
// (a store at a computed index would be invisible to it) and the spatial loops stay parallel.
// The cost is a scan over the updates per output element along the scattered dims.
#include "ir/graph/GraphDialect.h"
#include "ir/graph/ShapeUtils.h"
#include "passes/conversion/graph_to_loop/Indexing.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace kiln::graph;

namespace kiln::lowering {

// acc combined with update under an ONNX scatter reduction.
static Value combine(OpBuilder &rb, Location loc, StringRef reduction, Type elementType,
                     Value acc, Value update) {
  bool isFloat = llvm::isa<FloatType>(elementType), isUnsigned = isUnsignedInt(elementType);
  if (reduction == "add")
    return isFloat ? rb.create<arith::AddFOp>(loc, acc, update).getResult()
                   : rb.create<arith::AddIOp>(loc, acc, update).getResult();
  if (reduction == "mul")
    return isFloat ? rb.create<arith::MulFOp>(loc, acc, update).getResult()
                   : rb.create<arith::MulIOp>(loc, acc, update).getResult();
  if (reduction == "max") {
    if (isFloat)
      return rb.create<arith::MaximumFOp>(loc, acc, update);
    return isUnsigned ? rb.create<arith::MaxUIOp>(loc, acc, update).getResult()
                      : rb.create<arith::MaxSIOp>(loc, acc, update).getResult();
  }
  if (reduction == "min") {
    if (isFloat)
      return rb.create<arith::MinimumFOp>(loc, acc, update);
    return isUnsigned ? rb.create<arith::MinUIOp>(loc, acc, update).getResult()
                      : rb.create<arith::MinSIOp>(loc, acc, update).getResult();
  }
  return update; // "none": the last matching update wins
}

static Value isSame(OpBuilder &rb, Location loc, Value a, Value b) {
  return rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, a, b);
}

// The data copied unchanged (no updates to apply).
static void emitCopy(KernelBuilder &kb, Value data, Value out) {
  auto shape = llvm::cast<RankedTensorType>(data.getType()).getShape();
  if (graph::numElements(shape) == 0)
    return;
  kb.emitBlock("scatter_copy", spatialAxes(shape), [&](OpBuilder &rb, ValueRange iv) {
    kb.store(rb, kb.loadBroadcast(rb, data, iv), out, iv);
  });
}

// Iter vars: the data's dims (spatial), then `reduce` (the updates to scan). `body` gets the
// position and the scan vars and returns (matches, update).
using MatchFn = std::function<std::pair<Value, Value>(OpBuilder &, ValueRange pos, ValueRange scan)>;
static void emitPullScatter(KernelBuilder &kb, StringRef name, Value data, Type elementType,
                            StringRef reduction, ArrayRef<Axis> reduce, Value out,
                            const MatchFn &match) {
  auto shape = llvm::cast<RankedTensorType>(data.getType()).getShape();
  SmallVector<Axis> axes = spatialAxes(shape);
  axes.append(reduce.begin(), reduce.end());
  size_t rank = shape.size();
  Location loc = kb.loc;
  kb.emitBlock(
      name, axes,
      [&](OpBuilder &rb, ValueRange iv) {
        ValueRange pos = iv.take_front(rank);
        auto [matches, update] = match(rb, pos, iv.drop_front(rank));
        Value acc = rb.create<affine::AffineLoadOp>(loc, out, pos);
        Value next = combine(rb, loc, reduction, elementType, acc, update);
        kb.store(rb, rb.create<arith::SelectOp>(loc, matches, next, acc), out, pos);
      },
      [&](OpBuilder &rb, ValueRange iv) {
        ValueRange pos = iv.take_front(rank);
        kb.store(rb, rb.create<affine::AffineLoadOp>(loc, kb.buffer(data), pos), out, pos);
      });
}

// out[p] combines updates[u] for every u with u = p off the axis and wrap(indices[u]) = p[axis].
// The scan runs over updates' axis dim; where the updates are smaller than the data off the
// axis, positions past them match nothing (and read the updates at a clamped position).
static LogicalResult lowerScatterElements(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ScatterElementsOp>(operation);
  auto dataShape = op.getData().getType().getShape();
  auto updShape = op.getUpdates().getType().getShape();
  if (graph::numElements(updShape) == 0) {
    emitCopy(kb, op.getData(), out);
    return success();
  }
  if (graph::numElements(dataShape) == 0)
    return success();
  unsigned axis = op.getAxis();
  Location loc = kb.loc;
  emitPullScatter(
      kb, "scatter_elements", op.getData(), op.getType().getElementType(), op.getReduction(),
      {{"r" + std::to_string(axis), updShape[axis], true}}, out,
      [&](OpBuilder &rb, ValueRange pos, ValueRange scan) -> std::pair<Value, Value> {
        Value inside = rb.create<arith::ConstantIntOp>(loc, 1, 1);
        SmallVector<Value> at(pos);
        at[axis] = scan[0];
        for (unsigned d = 0; d < dataShape.size(); ++d) {
          if (d == axis || updShape[d] == dataShape[d])
            continue;
          Value bound = rb.create<arith::ConstantIndexOp>(loc, updShape[d]);
          inside = rb.create<arith::AndIOp>(
              loc, inside, rb.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, pos[d], bound));
          at[d] = rb.create<arith::MinSIOp>(
              loc, pos[d], rb.create<arith::ConstantIndexOp>(loc, updShape[d] - 1));
        }
        Value raw = rb.create<memref::LoadOp>(loc, kb.buffer(op.getIndices()), at);
        Value update = rb.create<memref::LoadOp>(loc, kb.buffer(op.getUpdates()), at);
        Value target = wrapIndex(rb, loc, raw, dataShape[axis], /*clamp=*/false);
        Value matches = rb.create<arith::AndIOp>(loc, inside, isSame(rb, loc, target, pos[axis]));
        return {matches, update};
      });
  return success();
}

// out[p] combines updates[b, p[depth:]] for every index tuple b with wrap(indices[b]) =
// p[:depth]; the scan runs over the tuples.
static LogicalResult lowerScatterND(KernelBuilder &kb, Operation *operation, Value out) {
  auto op = llvm::cast<ScatterNDOp>(operation);
  auto dataShape = op.getData().getType().getShape();
  auto indexShape = op.getIndices().getType().getShape();
  ArrayRef<int64_t> tupleShape = indexShape.drop_back();
  int64_t depth = indexShape.back();
  if (graph::numElements(tupleShape) == 0) {
    emitCopy(kb, op.getData(), out);
    return success();
  }
  if (graph::numElements(dataShape) == 0)
    return success();
  SmallVector<Axis> scanAxes;
  for (size_t d = 0; d < tupleShape.size(); ++d)
    scanAxes.push_back({"r" + std::to_string(d), tupleShape[d], true});
  bool dummyScan = scanAxes.empty(); // a single tuple still scans once
  if (dummyScan)
    scanAxes.push_back({"r0", 1, true});
  Location loc = kb.loc;
  emitPullScatter(
      kb, "scatter_nd", op.getData(), op.getType().getElementType(), op.getReduction(), scanAxes,
      out, [&](OpBuilder &rb, ValueRange pos, ValueRange scan) -> std::pair<Value, Value> {
        ValueRange tuple = dummyScan ? ValueRange() : scan;
        Value matches = rb.create<arith::ConstantIntOp>(loc, 1, 1);
        for (int64_t j = 0; j < depth; ++j) {
          SmallVector<Value> at(tuple);
          at.push_back(rb.create<arith::ConstantIndexOp>(loc, j));
          Value raw = rb.create<memref::LoadOp>(loc, kb.buffer(op.getIndices()), at);
          Value target = wrapIndex(rb, loc, raw, dataShape[j], /*clamp=*/false);
          matches = rb.create<arith::AndIOp>(loc, matches, isSame(rb, loc, target, pos[j]));
        }
        SmallVector<Value> at(tuple);
        llvm::append_range(at, pos.drop_front(depth));
        Value update = rb.create<memref::LoadOp>(loc, kb.buffer(op.getUpdates()), at);
        return {matches, update};
      });
  return success();
}

void populateScatterLowerings(LoweringRegistry &registry) {
  registry[ScatterElementsOp::getOperationName()] = lowerScatterElements;
  registry[ScatterNDOp::getOperationName()] = lowerScatterND;
}

} // namespace kiln::lowering
