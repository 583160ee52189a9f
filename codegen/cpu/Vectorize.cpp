// Explicit vectorization of `vectorized` kl loops into vector dialect ops.
#include "codegen/cpu/Vectorize.h"
#include "codegen/cpu/DynamicDomains.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

using namespace mlir;

namespace kiln::codegen {

namespace {

// How an access index moves when the vectorized loop var advances by one.
std::optional<int64_t> strideAlong(AffineExpr e, unsigned dim) {
  MLIRContext *ctx = e.getContext();
  AffineExpr d = getAffineDimExpr(dim, ctx);
  AffineExpr next = e.replace(d, d + 1), after = e.replace(d, d + 2);
  auto s1 = llvm::dyn_cast<AffineConstantExpr>(simplifyAffineExpr(next - e, 64, 0));
  auto s2 = llvm::dyn_cast<AffineConstantExpr>(simplifyAffineExpr(after - next, 64, 0));
  if (!s1 || !s2 || s1.getValue() != s2.getValue())
    return std::nullopt;
  return s1.getValue();
}

class LoopVectorizer {
public:
  LoopVectorizer(loop::ForOp loop, loop::BlockOp block, unsigned position)
      : loop(loop), block(block), position(position), width(loop.getExtent()),
        b(loop) {}

  LogicalResult run() {
    Location loc = block.getLoc();
    zero = b.create<arith::ConstantIndexOp>(loc, 0);
    track(zero.getDefiningOp());
    // Loop vars with the vectorized one at lane 0.
    for (auto [i, v] : llvm::enumerate(block.getLoopVars()))
      laneZeroVars.push_back(i == position ? zero : v);
    inDomain = loop::bindingsInDomain(block);
    buildIterValues();
    for (Operation &op : block.getBodyBlock()->without_terminator())
      if (failed(visit(op)))
        return rollback();
    return success();
  }

private:
  void track(Operation *op) { created.push_back(op); }
  // Tracks every op a builder creates while it is installed.
  struct TrackingListener : OpBuilder::Listener {
    explicit TrackingListener(LoopVectorizer &owner) : owner(owner) {}
    void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override { owner.track(op); }
    LoopVectorizer &owner;
  };
  LogicalResult rollback() {
    for (Operation *op : llvm::reverse(created))
      op->erase();
    return failure();
  }

  // Iter var values at lane 0. An iter var that may leave its domain (legality made it
  // invariant along the loop) is clamped into it, so that every load stays in bounds: the
  // lanes of an instance that is predicated off then compute what an in-domain instance
  // computes, and only its stores are skipped, under one scalar guard on the predicate.
  void buildIterValues() {
    Location loc = block.getLoc();
    AffineMap bindings = block.getBindings();
    Value predicate;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
      Value v = b.create<affine::AffineApplyOp>(loc, bindings.getSubMap({k}), laneZeroVars);
      track(v.getDefiningOp());
      if (!inDomain[k]) {
        // The predicate tests the run-time domain; the clamp keeps loads inside the static
        // one, which storage is planned for.
        int64_t domain = block.getDomains()[k];
        TrackingListener listener(*this);
        b.setListener(&listener);
        Value bound = domainBound(b, loc, block, k);
        auto ok = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ult, v, bound);
        auto last = b.create<arith::ConstantIndexOp>(loc, domain - 1);
        auto below = b.create<arith::MinSIOp>(loc, v, last);
        auto clamped = b.create<arith::MaxSIOp>(loc, below, zero);
        b.setListener(nullptr);
        v = clamped;
        if (predicate) {
          predicate = b.create<arith::AndIOp>(loc, predicate, ok);
          track(predicate.getDefiningOp());
        } else {
          predicate = ok;
        }
      }
      iterValues.push_back(v);
    }
    if (!predicate)
      return;
    guard = b.create<scf::IfOp>(loc, predicate, /*withElseRegion=*/false);
    track(guard);
    b.setInsertionPoint(guard); // everything but the stores runs unguarded
  }

  bool predicated() { return guard != nullptr; }

  // The access map composed with the bindings: loop vars -> indices.
  // Mods that never wrap over the loop ranges (cache_read's local indices) are dropped.
  AffineMap onLoopVars(AffineMap access) {
    AffineMap composed = access.compose(block.getBindings());
    SmallVector<int64_t> extents;
    for (Value v : block.getLoopVars()) {
      auto arg = llvm::cast<BlockArgument>(v);
      extents.push_back(llvm::cast<loop::ForOp>(arg.getOwner()->getParentOp()).getExtent());
    }
    SmallVector<AffineExpr> results;
    for (AffineExpr e : composed.getResults())
      results.push_back(loop::simplifyModsInRange(e, extents));
    return AffineMap::get(composed.getNumDims(), composed.getNumSymbols(), results,
                          composed.getContext());
  }

  // Indices of an access (a map over the iter vars) at lane 0, as index values.
  SmallVector<Value> laneZeroIndices(AffineMap access) {
    SmallVector<Value> indices;
    for (unsigned i = 0; i < access.getNumResults(); ++i) {
      auto apply = b.create<affine::AffineApplyOp>(block.getLoc(), access.getSubMap({i}),
                                                   iterValues);
      track(apply);
      indices.push_back(apply);
    }
    return indices;
  }

  enum class Access { Uniform, Contiguous, Strided, Gathered, Other };
  // Along the vector loop: no movement, unit stride in the last dim, a constant stride in the
  // last dim (strided convolutions and pooling), or constant non-negative strides in other
  // dims of a static row-major buffer (a transpose's reads); the last two are gathered with
  // `*stride` elements between lanes.
  Access classify(AffineMap composed, MemRefType type, int64_t *stride = nullptr) {
    bool uniform = true, lastOnly = true;
    int64_t linear = 0, rowStride = 1;
    bool rowMajor = type.hasStaticShape() && type.getLayout().isIdentity();
    int64_t rank = composed.getNumResults();
    for (int64_t k = rank - 1; k >= 0; --k) {
      auto step = strideAlong(composed.getResult(k), position);
      if (!step || *step < 0)
        return Access::Other;
      bool isLast = k + 1 == rank;
      uniform &= *step == 0;
      lastOnly &= isLast || *step == 0;
      if (rowMajor)
        linear += *step * rowStride;
      if (rowMajor)
        rowStride *= type.getDimSize(k);
      if (isLast && !rowMajor)
        linear = *step;
    }
    if (uniform)
      return Access::Uniform;
    if (!lastOnly && (!rowMajor || linear * width > std::numeric_limits<int32_t>::max()))
      return Access::Other;
    if (stride)
      *stride = linear;
    if (!lastOnly)
      return Access::Gathered;
    return linear == 1 ? Access::Contiguous : Access::Strided;
  }

  // True when reading `stride * width` contiguous elements from any lane-0 address of the
  // access (a map over the iter vars) stays inside the buffer: the largest lane-0 linear
  // offset over all (clamped) iter var values, plus the wide load's length, is below the
  // buffer's element count.
  bool overreadStaysInBuffer(AffineMap access, Value memref, int64_t stride) {
    auto type = llvm::cast<MemRefType>(memref.getType());
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return false;
    SmallVector<int64_t> loopExtents;
    for (Value v : block.getLoopVars()) {
      auto arg = llvm::cast<BlockArgument>(v);
      loopExtents.push_back(llvm::cast<loop::ForOp>(arg.getOwner()->getParentOp()).getExtent());
    }
    loopExtents[position] = 1; // lane 0
    // Iter var k ranges over [0, extents[k]): its binding's range, clamped into its domain.
    SmallVector<int64_t> extents;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
      int64_t hi = loop::exprRange(block.getBindings().getResult(k), loopExtents).second;
      extents.push_back(std::min(hi, block.getDomains()[k] - 1) + 1);
    }
    int64_t maxOffset = 0, rowStride = 1;
    for (int64_t k = access.getNumResults() - 1; k >= 0; --k) {
      maxOffset += loop::exprRange(access.getResult(k), extents).second * rowStride;
      rowStride *= type.getDimSize(k);
    }
    return maxOffset + stride * width - 1 < type.getNumElements();
  }

  // Access maps of the body are over the iter vars (block arguments) it names.
  std::optional<AffineMap> iterVarMap(AffineMap map, ValueRange operands) {
    SmallVector<AffineExpr> dims;
    for (Value v : operands) {
      auto arg = llvm::dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner() != block.getBodyBlock())
        return std::nullopt;
      dims.push_back(getAffineDimExpr(arg.getArgNumber(), map.getContext()));
    }
    return map.replaceDimsAndSymbols(dims, {}, block.getNumIterVars(), 0);
  }

  Value asVector(Value v) {
    if (vectorValues.contains(v))
      return vectorValues.lookup(v);
    Value scalar = scalars.lookupOrNull(v);
    if (!scalar)
      return {};
    auto splat = b.create<vector::SplatOp>(block.getLoc(), VectorType::get({width}, scalar.getType()), scalar);
    track(splat);
    return splat;
  }

  LogicalResult visit(Operation &op) {
    Location loc = op.getLoc();
    // A vector of i1 is bit-packed in memory while a bool buffer holds one byte per element:
    // bool accesses stay scalar (the loop is unrolled instead).
    if (auto access = llvm::dyn_cast<affine::AffineReadOpInterface>(op))
      if (access.getValue().getType().isInteger(1))
        return failure();
    if (auto access = llvm::dyn_cast<affine::AffineWriteOpInterface>(op))
      if (access.getValueToStore().getType().isInteger(1))
        return failure();
    if (auto load = llvm::dyn_cast<affine::AffineLoadOp>(op)) {
      auto map = iterVarMap(load.getAffineMap(), load.getMapOperands());
      if (!map)
        return failure();
      AffineMap composed = onLoopVars(*map);
      int64_t stride = 0;
      auto type = llvm::cast<MemRefType>(load.getMemRef().getType());
      Access kind = classify(composed, type, &stride);
      if (kind == Access::Other)
        return failure();
      SmallVector<Value> indices = laneZeroIndices(*map);
      if (kind == Access::Strided && stride <= 4 && overreadStaysInBuffer(*map, load.getMemRef(), stride)) {
        // Lanes i * stride of one wide contiguous load: two loads and a shuffle instead of a
        // gather. The wide load reads up to stride - 1 elements past the last lane, which
        // overreadStaysInBuffer proved to be inside the buffer.
        auto wideType = VectorType::get({width * stride}, load.getType());
        auto wide = b.create<vector::LoadOp>(loc, wideType, load.getMemRef(), indices);
        SmallVector<int64_t> lanes;
        for (int64_t i = 0; i < width; ++i)
          lanes.push_back(i * stride);
        auto picked = b.create<vector::ShuffleOp>(loc, wide, wide, lanes);
        track(wide);
        track(picked);
        vectorValues[load.getResult()] = picked;
        return success();
      }
      if (kind == Access::Strided || kind == Access::Gathered) {
        // Lane i reads base + i * stride (elements, row-major); every lane stays in bounds
        // since the iter vars that vary along the loop stay in their domains and the others
        // are clamped.
        auto vecType = VectorType::get({width}, load.getType());
        SmallVector<int32_t> offsets;
        for (int64_t i = 0; i < width; ++i)
          offsets.push_back(int32_t(i * stride));
        auto offsetType = VectorType::get({width}, b.getI32Type());
        auto offsetsOp = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(offsetType, ArrayRef<int32_t>(offsets)));
        auto maskType = VectorType::get({width}, b.getI1Type());
        auto mask = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(maskType, true));
        auto passThru = b.create<arith::ConstantOp>(loc, b.getZeroAttr(vecType));
        auto gather = b.create<vector::GatherOp>(loc, vecType, load.getMemRef(), indices,
                                                 offsetsOp, mask, passThru);
        for (Operation *o : {offsetsOp.getOperation(), mask.getOperation(), passThru.getOperation(), gather.getOperation()})
          track(o);
        vectorValues[load.getResult()] = gather;
        return success();
      }
      if (kind == Access::Uniform) {
        auto scalar = b.create<memref::LoadOp>(loc, load.getMemRef(), indices);
        track(scalar);
        scalars.map(load.getResult(), scalar.getResult());
      } else {
        auto vec = b.create<vector::LoadOp>(loc, VectorType::get({width}, load.getType()),
                                            load.getMemRef(), indices);
        track(vec);
        vectorValues[load.getResult()] = vec;
      }
      return success();
    }
    if (auto store = llvm::dyn_cast<affine::AffineStoreOp>(op)) {
      auto map = iterVarMap(store.getAffineMap(), store.getMapOperands());
      if (!map)
        return failure();
      AffineMap composed = onLoopVars(*map);
      if (classify(composed, llvm::cast<MemRefType>(store.getMemRef().getType())) !=
          Access::Contiguous)
        return failure(); // a uniform address with per-lane values would reduce across lanes
      Value value = asVector(store.getValueToStore());
      if (!value)
        return failure();
      SmallVector<Value> indices = laneZeroIndices(*map);
      if (predicated()) {
        OpBuilder inGuard(guard.thenBlock()->getTerminator());
        track(inGuard.create<vector::StoreOp>(loc, value, store.getMemRef(), indices));
      } else {
        track(b.create<vector::StoreOp>(loc, value, store.getMemRef(), indices));
      }
      return success();
    }
    if (op.getNumRegions() != 0 || op.getNumResults() != 1 ||
        !llvm::isa<arith::ArithDialect, math::MathDialect>(op.getDialect()))
      return failure();
    Type resultType = op.getResult(0).getType();
    if (!resultType.isIntOrFloat())
      return failure();
    // Predicated-off lanes compute on clamped data: an op that may trap (integer division)
    // must not run for them.
    if (predicated() && !isPure(&op))
      return failure();
    bool varying = llvm::any_of(op.getOperands(), [&](Value v) { return vectorValues.contains(v); });
    for (Value v : op.getOperands())
      if (!vectorValues.contains(v) && !scalars.contains(v) &&
          v.getParentRegion() == &block.getBody())
        return failure(); // an iter var or other block value used directly
    if (!varying) {
      Operation *clone = b.clone(op, scalars);
      track(clone);
      return success();
    }
    SmallVector<Value> operands;
    for (Value v : op.getOperands()) {
      Value vec = v.getParentRegion() == &block.getBody() ? asVector(v) : Value();
      if (!vec) {
        // A value defined outside the block: broadcast it.
        auto splat = b.create<vector::SplatOp>(loc, VectorType::get({width}, v.getType()), v);
        track(splat);
        vec = splat;
      }
      operands.push_back(vec);
    }
    OperationState state(loc, op.getName());
    state.addOperands(operands);
    state.addTypes(VectorType::get({width}, resultType));
    state.addAttributes(op.getAttrs());
    Operation *vecOp = b.create(state);
    track(vecOp);
    vectorValues[op.getResult(0)] = vecOp->getResult(0);
    return success();
  }

  loop::ForOp loop;
  loop::BlockOp block;
  unsigned position;
  int64_t width;
  OpBuilder b;
  Value zero;
  SmallVector<Value> laneZeroVars;
  SmallVector<bool> inDomain;              // per iter var: its binding needs no predicate
  SmallVector<Value> iterValues;           // per iter var: its value at lane 0, clamped
  scf::IfOp guard;                         // the predicate around the stores, if any
  IRMapping scalars;                       // uniform values: block value -> scalar
  DenseMap<Value, Value> vectorValues;     // varying values: block value -> vector
  SmallVector<Operation *> created;
};

} // namespace

LogicalResult vectorizeLoop(loop::ForOp loop) {
  Block *body = loop.getBodyBlock();
  if (body->getOperations().size() != 2)
    return failure();
  auto block = llvm::dyn_cast<loop::BlockOp>(body->front());
  if (!block || block.getBodyBlock() == nullptr || block.getInitBlock())
    return failure();
  auto it = llvm::find(block.getLoopVars(), loop.getInductionVar());
  if (it == block.getLoopVars().end())
    return failure();
  unsigned position = it - block.getLoopVars().begin();
  // Every lane must share the predicate: iter vars that vary along the loop stay in domain.
  SmallVector<bool> inDomain = loop::bindingsInDomain(block);
  AffineMap bindings = block.getBindings();
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (!inDomain[k] && bindings.getResult(k).isFunctionOfDim(position))
      return failure();
  if (failed(LoopVectorizer(loop, block, position).run()))
    return failure();
  loop.erase();
  return success();
}

} // namespace kiln::codegen
