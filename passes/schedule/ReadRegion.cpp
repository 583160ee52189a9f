// Region analysis shared by cache_read and layout_rewrite.
#include "passes/schedule/ReadRegion.h"
#include "passes/schedule/Region.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SmallBitVector.h"

#include <numeric>

using namespace mlir;
using namespace kiln::loop;

namespace kiln::schedule::detail {

std::optional<CachedDim> cachedDim(const std::optional<DimRegion> &region, int64_t size,
                                   MLIRContext *ctx) {
  if (!region)
    return std::nullopt;
  if (region->extent >= size)
    return CachedDim{getAffineConstantExpr(0, ctx), size};
  SmallVector<AffineExpr> terms;
  addTerms(region->start, terms);
  CachedDim dim{region->start, region->extent};
  for (AffineExpr term : terms) {
    if (auto c = llvm::dyn_cast<AffineConstantExpr>(term)) {
      dim.shift += c.getValue();
      continue;
    }
    int64_t coefficient = 1;
    if (auto mul = llvm::dyn_cast<AffineBinaryOpExpr>(term);
        mul && term.getKind() == AffineExprKind::Mul)
      if (auto c = llvm::dyn_cast<AffineConstantExpr>(mul.getRHS()))
        coefficient = std::abs(c.getValue());
    dim.modulus = std::gcd(dim.modulus, coefficient);
  }
  if (dim.modulus && dim.extent > dim.modulus)
    return std::nullopt;
  return dim;
}

// Replaces `op` (an affine.load or affine.store of the block) by the same access of `buffer`
// at `results` (over the iter vars, the arguments of the op's region entry), passing only the
// iter vars used.
void rewriteAccess(Operation *op, Value buffer, ArrayRef<AffineExpr> results) {
  Block *entry = &op->getParentRegion()->front();
  while (entry->getParentOp() && !llvm::isa<BlockOp>(entry->getParentOp()))
    entry = &entry->getParentOp()->getParentRegion()->front();
  AffineMap map = AffineMap::get(entry->getNumArguments(), 0, results, op->getContext());
  llvm::SmallBitVector unused = getUnusedDimsBitVector({map});
  SmallVector<Value> operands;
  for (auto [i, arg] : llvm::enumerate(entry->getArguments()))
    if (!unused.test(i))
      operands.push_back(arg);
  OpBuilder b(op);
  if (auto store = llvm::dyn_cast<affine::AffineStoreOp>(op)) {
    b.create<affine::AffineStoreOp>(op->getLoc(), store.getValueToStore(), buffer,
                                    compressUnusedDims(map), operands);
  } else {
    auto load = b.create<affine::AffineLoadOp>(op->getLoc(), buffer, compressUnusedDims(map),
                                               operands);
    op->getResult(0).replaceAllUsesWith(load.getResult());
  }
  op->erase();
}

FailureOr<ReadRegion> analyzeReadRegion(BlockOp block, int64_t readIndex, ForOp loop,
                                        std::string &why) {
  auto failWith = [&](const Twine &message) -> FailureOr<ReadRegion> {
    why = message.str();
    return failure();
  };
  SmallVector<Value> reads = readBuffers(block);
  if (readIndex < 0 || readIndex >= int64_t(reads.size()))
    return failWith("the block reads " + Twine(reads.size()) + " buffer(s)");
  Value buffer = reads[readIndex];
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity())
    return failWith("the buffer has no static shape or a non-identity layout");
  if (!loop->isProperAncestor(block))
    return failWith("the block is not under the loop");
  if (loop.getKind() == ForOp::kVectorized)
    return failWith("the loop is vectorized");
  if (llvm::is_contained(writtenBuffers(block), buffer))
    return failWith("the block writes the buffer");
  if (SmallVector<BlockOp> writers = writersOf(loop, buffer); !writers.empty())
    return failWith("block '" + writers[0].getBlockName() + "' writes the buffer inside the loop");

  // The region read in one iteration of the loop: the union over the block's accesses.
  SmallVector<affine::AffineLoadOp> loads;
  SmallVector<AffineMap> maps;
  unsigned numOuter = outerVars(loop).size();
  SmallVector<std::optional<DimRegion>> regions;
  for (const BufferAccess &access : collectAccesses(block)) {
    if (access.buffer != buffer)
      continue;
    auto load = llvm::dyn_cast<affine::AffineLoadOp>(access.op);
    if (!load || !access.map)
      return failWith("the block reads the buffer at a non-affine index");
    SmallVector<std::optional<DimRegion>> r = accessRegion(block, access.map, loop, false);
    if (loads.empty())
      regions = r;
    for (auto [a, b] : llvm::zip(regions, r))
      a = a && b ? unionRegion(*a, *b, numOuter) : std::nullopt;
    loads.push_back(load);
    maps.push_back(access.map);
  }
  // The copy runs over buffer coordinates: a predicate of the block survives only where an
  // index is the predicated iter var itself into a dim as long as its domain (the copy's own
  // bound then cuts at the same place). Otherwise it would copy elements the block never
  // reads, which may not be written yet.
  SmallVector<bool> inDomain = bindingsInDomain(block);
  for (AffineMap map : maps)
    for (auto [d, e] : llvm::enumerate(map.getResults()))
      for (unsigned k = 0; k < block.getNumIterVars(); ++k)
        if (!inDomain[k] && e.isFunctionOfDim(k) &&
            (e != getAffineDimExpr(k, block.getContext()) ||
             type.getDimSize(d) != block.getDomains()[k]))
          return failWith("the block is predicated on iter var " + Twine(k) +
                          ", which indexes dim " + Twine(d) + " other than one to one");
  // A local buffer (another cache's, allocated in a loop) holds only what its predicated copy
  // wrote: copying it where the block's predicate does not cut the copy would read elements
  // never written.
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (alloc && llvm::isa<ForOp>(alloc->getParentOp()))
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      if (!inDomain[k] && llvm::none_of(maps, [&](AffineMap map) {
            return llvm::is_contained(map.getResults(), getAffineDimExpr(k, block.getContext()));
          }))
        return failWith("the buffer is a local one and the block is predicated on iter var " +
                        Twine(k) + ", which indexes none of its dims");
  ReadRegion result{buffer, type, loads, maps, {}};
  for (auto [d, region] : llvm::enumerate(regions)) {
    std::optional<CachedDim> dim = cachedDim(region, type.getDimSize(d), block.getContext());
    if (!dim)
      return failWith("dim " + Twine(d) +
                      " of the region read is not a window that iterations of the loop tile");
    result.dims.push_back(*dim);
  }
  return result;
}

} // namespace kiln::schedule::detail
