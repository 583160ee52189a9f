// Caching: cache_write redirects a block's writes to a fresh buffer and copies it back after
// the block's outermost loop.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// After the allocations that open the kernel body.
static Operation *allocInsertionPoint(func::FuncOp kernel) {
  Block &entry = kernel.getBody().front();
  for (Operation &op : entry)
    if (!llvm::isa<memref::AllocOp>(op))
      return &op;
  return entry.getTerminator();
}

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

  OpBuilder builder(allocInsertionPoint(kernel));
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

} // namespace kiln::schedule
