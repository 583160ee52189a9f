// Caching: cache_write redirects a block's writes to a fresh buffer and copies it back after
// the block's outermost loop; cache_read copies the region of a buffer a block reads in one
// iteration of a loop into a compact local buffer at the start of that loop's body.
#include "passes/schedule/ReadRegion.h"
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
  // The copy-out covers the whole buffer: the block must write all of it, one element per
  // spatial point.
  SmallVector<int64_t> spatialDomains;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (!block.isReduceVar(k))
      spatialDomains.push_back(block.getDomains()[k]);
  if (!writesIdentity(block, buffer) || ArrayRef(spatialDomains) != type.getShape())
    return fail(what + "it does not write its whole buffer at its spatial iter vars");
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

FailureOr<std::string> Schedule::cacheRead(StringRef blockName, int64_t readIndex,
                                           StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what = ("cannot cache read " + Twine(readIndex) + " of block '" + blockName +
                      "' at loop '" + loopName + "': ")
                         .str();
  std::string why;
  FailureOr<ReadRegion> region = analyzeReadRegion(block, readIndex, loop, why);
  if (failed(region))
    return fail(what + why);
  Value buffer = region->buffer;
  MemRefType type = region->type;
  ArrayRef<CachedDim> dims = region->dims;
  MLIRContext *ctx = getKernel().getContext();
  SmallVector<int64_t> shape;
  for (const CachedDim &dim : dims)
    shape.push_back(dim.extent);
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

  for (auto [load, map] : llvm::zip(region->loads, region->maps)) {
    SmallVector<AffineExpr> results;
    for (auto [d, dim] : llvm::enumerate(dims))
      results.push_back(dim.local(map.getResult(d)));
    rewriteAccess(load, local, results);
  }
  record({"cache_read", {blockName.str(), loopName.str()}, {readIndex}});
  return copyName;
}

} // namespace kiln::schedule
