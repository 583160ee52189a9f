// Caching: cache_write redirects a block's writes to a fresh buffer and copies it back after
// the block's outermost loop; cache_read copies the region of a buffer a block reads in one
// iteration of a loop into a compact local buffer at the start of that loop's body.
#include "passes/schedule/Region.h"
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/SmallBitVector.h"

#include <numeric>

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

FailureOr<std::string> Schedule::cacheWrite(StringRef name) {
  BlockOp block = getBlock(name);
  if (!block)
    return failure();
  std::string what = ("cannot cache the writes of block '" + name + "': ").str();
  SmallVector<Value> written = writtenBuffers(block);
  if (written.size() != 1)
    return fail(what + "it must write exactly one buffer");
  Value buffer = written[0];
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.hasStaticShape())
    return fail(what + "its buffer has no static shape");
  if (writersOf(kernel, buffer).size() != 1)
    return fail(what + "it is not the only writer of its buffer");
  // Reads of the buffer inside the block must be the accumulator read of a reduction with an
  // init region (which writes the cache first), at the same index as the writes.
  AffineMap writeMap;
  for (const BufferAccess &access : collectAccesses(block))
    if (access.isWrite)
      writeMap = access.map;
  for (const BufferAccess &access : collectAccesses(block))
    if (access.buffer == buffer &&
        (!access.map || access.map != writeMap || (!access.isWrite && !block.getInitBlock())))
      return fail(what + "it reads its buffer before writing it, or at another index");
  Operation *top = topLevelOp(block);
  for (BlockOp reader : readersOf(kernel, buffer))
    if (reader != block && !isBefore(top, reader))
      return fail(what + "block '" + reader.getBlockName() +
                  "' reads the buffer inside the block's nest");

  OpBuilder builder(kernelAllocPoint(kernel));
  Location loc = block.getLoc();
  auto cacheType = MemRefType::get(type.getShape(), type.getElementType(),
                                   MemRefLayoutAttrInterface(), type.getMemorySpace());
  Value cache = builder.create<memref::AllocOp>(loc, cacheType);
  for (const BufferAccess &access : collectAccesses(block))
    if (access.buffer == buffer)
      access.op->replaceUsesOfWith(buffer, cache);

  std::string copyName = uniqueBlockName(kernel, (name + ".write_back").str());
  SmallVector<LoopSpec> specs;
  for (unsigned d = 0; d < type.getRank(); ++d)
    specs.push_back({uniqueLoopName(kernel, copyName + ".ax" + std::to_string(d)),
                     type.getDimSize(d), ForOp::kSerial.str(), nullptr});
  builder.setInsertionPointAfter(top);
  SmallVector<ForOp> loops = createNest(builder, loc, specs);
  SmallVector<Value> vars;
  for (ForOp loop : loops)
    vars.push_back(loop.getInductionVar());
  if (loops.empty())
    builder.setInsertionPointAfter(top);
  else
    builder.setInsertionPoint(loops.back().getBodyBlock()->getTerminator());
  BlockOp copy =
      createBlock(builder, loc, copyName, vars,
                  AffineMap::getMultiDimIdentityMap(vars.size(), getKernel().getContext()),
                  type.getShape(), SmallVector<int64_t>(type.getRank(), 0));
  builder.setInsertionPoint(copy.getBodyBlock()->getTerminator());
  ValueRange iterVars = copy.getBodyBlock()->getArguments();
  Value value = builder.create<affine::AffineLoadOp>(loc, cache, iterVars);
  builder.create<affine::AffineStoreOp>(loc, value, buffer, iterVars);
  record({"cache_write", {name.str()}, {}});
  return copyName;
}

// A local buffer lives on the stack of the task that runs the loop (codegen turns nested
// allocations into allocas at the start of the stage): keep it well inside a thread's stack.
static constexpr int64_t kMaxLocalBytes = 1 << 20;

namespace {
// How one dim of the cached region maps to the local buffer: global index i sits at
// `(i - shift) mod modulus` (no mod when modulus is 0). The region's start is `shift` plus
// terms of the outer loop vars that are all multiples of `modulus`, and extent <= modulus,
// so the mod removes exactly the start's loop-dependent part.
struct CachedDim {
  AffineExpr start; // over outerVars(loop)
  int64_t extent;
  int64_t shift = 0;
  int64_t modulus = 0;
  AffineExpr local(AffineExpr index) const {
    return modulus ? (index - shift) % modulus : index - shift;
  }
};
} // namespace

// Null when no mod separates the windows of consecutive iterations (a convolution's halo)
// or the index does not split into loop-invariant and varying parts: copying the whole dim
// would read elements the block never reads, which may not be written yet.
static std::optional<CachedDim> cachedDim(const std::optional<DimRegion> &region, int64_t size,
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

// Replaces `op` (an affine.load of the block) by a load of `buffer` at `results` (over the
// iter vars, the arguments of the op's region entry), passing only the iter vars used.
static void rewriteLoad(affine::AffineLoadOp op, Value buffer, ArrayRef<AffineExpr> results) {
  Block *entry = &op->getParentRegion()->front();
  while (entry->getParentOp() && !llvm::isa<BlockOp>(entry->getParentOp()))
    entry = &entry->getParentOp()->getParentRegion()->front();
  AffineMap map = AffineMap::get(entry->getNumArguments(), 0, results, op.getContext());
  llvm::SmallBitVector unused = getUnusedDimsBitVector({map});
  SmallVector<Value> operands;
  for (auto [i, arg] : llvm::enumerate(entry->getArguments()))
    if (!unused.test(i))
      operands.push_back(arg);
  OpBuilder b(op);
  auto load = b.create<affine::AffineLoadOp>(op.getLoc(), buffer, compressUnusedDims(map),
                                             operands);
  op.getResult().replaceAllUsesWith(load.getResult());
  op.erase();
}

FailureOr<std::string> Schedule::cacheRead(StringRef blockName, int64_t readIndex,
                                           StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what = ("cannot cache read " + Twine(readIndex) + " of block '" + blockName +
                      "' at loop '" + loopName + "': ")
                         .str();
  SmallVector<Value> reads = readBuffers(block);
  if (readIndex < 0 || readIndex >= int64_t(reads.size()))
    return fail(what + "the block reads " + Twine(reads.size()) + " buffer(s)");
  Value buffer = reads[readIndex];
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity())
    return fail(what + "the buffer has no static shape or a non-identity layout");
  if (!loop->isProperAncestor(block))
    return fail(what + "the block is not under the loop");
  if (loop.getKind() == ForOp::kVectorized)
    return fail(what + "the loop is vectorized");
  if (llvm::is_contained(writtenBuffers(block), buffer))
    return fail(what + "the block writes the buffer");
  if (SmallVector<BlockOp> writers = writersOf(loop, buffer); !writers.empty())
    return fail(what + "block '" + writers[0].getBlockName() + "' writes the buffer inside the loop");

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
      return fail(what + "the block reads the buffer at a non-affine index");
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
            (e != getAffineDimExpr(k, getKernel().getContext()) ||
             type.getDimSize(d) != block.getDomains()[k]))
          return fail(what + "the block is predicated on iter var " + Twine(k) +
                      ", which indexes dim " + Twine(d) + " other than one to one");
  MLIRContext *ctx = getKernel().getContext();
  SmallVector<CachedDim> dims;
  SmallVector<int64_t> shape;
  for (auto [d, region] : llvm::enumerate(regions)) {
    std::optional<CachedDim> dim = cachedDim(region, type.getDimSize(d), ctx);
    if (!dim)
      return fail(what + "dim " + Twine(d) +
                  " of the region read is not a window that iterations of the loop tile");
    dims.push_back(*dim);
    shape.push_back(dim->extent);
  }
  auto localType = MemRefType::get(shape, type.getElementType());
  int64_t bytes = localType.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  if (bytes > kMaxLocalBytes)
    return fail(what + "the region takes " + Twine(bytes) + " bytes, more than " +
                Twine(kMaxLocalBytes));

  // The local buffer and the copy nest open the loop body.
  Location loc = block.getLoc();
  OpBuilder builder = OpBuilder::atBlockBegin(loop.getBodyBlock());
  Value local = builder.create<memref::AllocOp>(loc, localType);
  std::string copyName =
      uniqueBlockName(kernel, (blockName + ".pack" + Twine(readIndex)).str());
  SmallVector<LoopSpec> specs;
  for (auto [d, extent] : llvm::enumerate(shape))
    specs.push_back({uniqueLoopName(kernel, copyName + ".ax" + std::to_string(d)), extent,
                     ForOp::kSerial.str(), nullptr});
  SmallVector<ForOp> copyLoops = createNest(builder, loc, specs);
  builder.setInsertionPoint(copyLoops.back().getBodyBlock()->getTerminator());
  OperandList operands(ctx);
  SmallVector<AffineExpr> outer;
  for (Value v : outerVars(loop))
    outer.push_back(operands.dim(v));
  SmallVector<AffineExpr> bindings;
  for (auto [d, dim] : llvm::enumerate(dims))
    bindings.push_back(dim.start.replaceDims(outer) +
                       operands.dim(copyLoops[d].getInductionVar()));
  BlockOp copy = createBlock(
      builder, loc, copyName, operands.values,
      AffineMap::get(operands.values.size(), 0, bindings, ctx), type.getShape(),
      SmallVector<int64_t>(type.getRank(), 0));
  setBindings(copy, operands.values, bindings);
  builder.setInsertionPoint(copy.getBodyBlock()->getTerminator());
  ValueRange iterVars = copy.getBodyBlock()->getArguments();
  SmallVector<AffineExpr> localIndex;
  for (auto [d, dim] : llvm::enumerate(dims))
    localIndex.push_back(dim.local(getAffineDimExpr(d, ctx)));
  Value value = builder.create<affine::AffineLoadOp>(loc, buffer, iterVars);
  builder.create<affine::AffineStoreOp>(
      loc, value, local, AffineMap::get(type.getRank(), 0, localIndex, ctx), iterVars);
  dropUnusedMapOperands(copy.getBody());

  for (auto [load, map] : llvm::zip(loads, maps)) {
    SmallVector<AffineExpr> results;
    for (auto [d, dim] : llvm::enumerate(dims))
      results.push_back(dim.local(map.getResult(d)));
    rewriteLoad(load, local, results);
  }
  record({"cache_read", {blockName.str(), loopName.str()}, {readIndex}});
  return copyName;
}

} // namespace kiln::schedule
