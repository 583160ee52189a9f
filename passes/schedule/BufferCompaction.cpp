// compactIntermediates: an intermediate whose producer was moved under its consumer's loop
// (reverse_compute_at of an epilogue, compute_at of a producer) is still a whole-size buffer
// of the kernel: a 56x56x256 convolution writes 3.2 MB of it only for the fused ReLU to read
// each tile back right away, and every line of it goes out to memory and comes back. Where each
// iteration of the loop writes all it reads, one iteration's region suffices: the buffer
// becomes a local one of that shape in the loop's body (on the stack of the thread running
// it), indexed modulo the tile, and the tile stays in L1.
#include "passes/schedule/BufferCompaction.h"
#include "passes/schedule/ReadRegion.h"
#include "passes/schedule/Region.h"
#include "passes/schedule/Utils.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {
namespace {

// A local buffer sits on a worker's stack: keep it to a cache-sized tile.
constexpr int64_t kMaxCompactBytes = 256 << 10;

// Every loop that one of the block's reduce iter vars depends on lies inside `loop`: each
// point's whole reduction (init included) runs within one iteration of it.
bool reductionsInside(BlockOp block, ForOp loop) {
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    if (!block.isReduceVar(k))
      continue;
    for (Value v : block.getLoopVars())
      if (dependsOn(block, k, v) && !loop->isProperAncestor(loopOf(v)))
        return false;
  }
  return true;
}

// No loop between `loop` and the block's outermost reduce loop moves the point the block
// writes. Otherwise its accumulators sit at offsets of the local buffer that vary across the
// reduction (LLVM then keeps them in memory: 4x slower on ResNet's last 1x1 convolutions),
// where in a kernel-level buffer they are promoted to registers.
bool accumulatorsFixedAcrossReduction(BlockOp block, ForOp loop) {
  if (llvm::none_of(llvm::seq(block.getNumIterVars()), [&](unsigned k) {
        return block.isReduceVar(k);
      }))
    return true;
  SmallVector<ForOp> loops = enclosingLoops(block);
  auto at = llvm::find(loops, loop);
  for (ForOp between : llvm::make_range(std::next(at), loops.end())) {
    Value var = between.getInductionVar();
    bool reduces = false, moves = false;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      if (dependsOn(block, k, var))
        (block.isReduceVar(k) ? reduces : moves) = true;
    if (reduces)
      return true;
    if (moves && between.getExtent() > 1)
      return false;
  }
  return true;
}

// The deepest loop holding every block, not a vector loop; null when there is none.
ForOp commonLoop(ArrayRef<BlockOp> blocks) {
  SmallVector<ForOp> candidates = enclosingLoops(blocks.front());
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it)
    if (it->getKind() != ForOp::kVectorized &&
        llvm::all_of(blocks, [&](BlockOp b) { return (*it)->isProperAncestor(b); }))
      return *it;
  return ForOp();
}

// The block's writes of `buffer`, all at one index; that index's map, or null.
AffineMap uniqueWriteMap(BlockOp block, Value buffer) {
  AffineMap map;
  for (const BufferAccess &access : collectAccesses(block))
    if (access.buffer == buffer && access.isWrite) {
      if (!access.map || (map && map != access.map))
        return AffineMap();
      map = access.map;
    }
  return map;
}

// Compacts one kernel-level allocation when legal (see the file comment).
bool compact(memref::AllocOp alloc) {
  Value buffer = alloc.getResult();
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity())
    return false;
  // Every use is a load or store of a block.
  llvm::SetVector<BlockOp> blocks;
  for (Operation *user : buffer.getUsers()) {
    BlockOp block = user->getParentOfType<BlockOp>();
    if (!block || !llvm::isa<affine::AffineLoadOp, affine::AffineStoreOp>(user) ||
        hasDynamicDomains(block))
      return false;
    blocks.insert(block);
  }
  if (blocks.empty())
    return false;
  SmallVector<BlockOp> ordered(blocks.begin(), blocks.end());
  llvm::stable_sort(ordered, [](BlockOp a, BlockOp b) { return isBefore(a, b); });
  ForOp loop = commonLoop(ordered);
  if (!loop)
    return false;

  // The first block in program order writes, before any read of its own (an init region
  // runs first), every element any block touches in the iteration: an exact region, not
  // predicated, equal to the union of all accesses.
  BlockOp first = ordered.front();
  AffineMap firstWrite = uniqueWriteMap(first, buffer);
  if (!firstWrite || !bindingsStayInDomain(first))
    return false;
  for (const BufferAccess &access : collectAccesses(first))
    if (access.buffer == buffer && !access.isWrite &&
        (!first.getInitBlock() || access.map != firstWrite))
      return false;
  unsigned numOuter = outerVars(loop).size();
  SmallVector<std::optional<DimRegion>> written = accessRegion(first, firstWrite, loop, true);
  SmallVector<std::optional<DimRegion>> touched;
  for (BlockOp block : ordered) {
    if (!reductionsInside(block, loop) || !accumulatorsFixedAcrossReduction(block, loop))
      return false;
    for (const BufferAccess &access : collectAccesses(block)) {
      if (access.buffer != buffer)
        continue;
      if (!access.map)
        return false;
      SmallVector<std::optional<DimRegion>> r = accessRegion(block, access.map, loop, false);
      if (touched.empty())
        touched = r;
      for (auto [a, b] : llvm::zip(touched, r))
        a = a && b ? unionRegion(*a, *b, numOuter) : std::nullopt;
    }
  }
  SmallVector<CachedDim> dims;
  SmallVector<int64_t> shape;
  for (auto [d, region] : llvm::enumerate(touched)) {
    if (!region || !written[d] || *written[d] != *region)
      return false;
    std::optional<CachedDim> dim = cachedDim(region, type.getDimSize(d), alloc.getContext());
    if (!dim)
      return false;
    dims.push_back(*dim);
    shape.push_back(dim->extent);
  }
  auto localType = MemRefType::get(shape, type.getElementType());
  int64_t bytes = localType.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  if (bytes > kMaxCompactBytes || localType.getNumElements() >= type.getNumElements())
    return false;

  OpBuilder builder = OpBuilder::atBlockBegin(loop.getBodyBlock());
  Value local = builder.create<memref::AllocOp>(alloc.getLoc(), localType);
  for (BlockOp block : ordered)
    for (const BufferAccess &access : collectAccesses(block)) {
      if (access.buffer != buffer)
        continue;
      SmallVector<AffineExpr> results;
      for (auto [d, dim] : llvm::enumerate(dims))
        results.push_back(dim.local(access.map.getResult(d)));
      rewriteAccess(access.op, local, results);
    }
  alloc.erase();
  return true;
}

} // namespace

unsigned compactIntermediates(func::FuncOp kernel) {
  SmallVector<memref::AllocOp> allocs;
  for (Operation &op : kernel.getBody().front())
    if (auto alloc = llvm::dyn_cast<memref::AllocOp>(op))
      allocs.push_back(alloc);
  unsigned compacted = 0;
  for (memref::AllocOp alloc : allocs)
    compacted += compact(alloc);
  return compacted;
}

} // namespace kiln::schedule
