// compute_inline: substitutes an injective block's computation into each load of its buffer,
// then deletes the block, its private loops and, once unused, the buffer.
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// Why `block`'s body cannot be cloned into a reader, or "" when it can: besides its single
// store it may only load and compute without side effects.
static std::string bodyBlocker(BlockOp block, Value buffer) {
  unsigned stores = 0;
  std::string why;
  block.getBody().walk([&](Operation *op) {
    if (llvm::isa<affine::AffineLoadOp, memref::LoadOp, YieldOp>(op) ||
        op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return;
    if (auto store = llvm::dyn_cast<affine::AffineStoreOp>(op)) {
      ++stores;
      if (store.getMemRef() != buffer || store->getParentOp() != block)
        why = "its store is not a top-level store to its buffer";
      return;
    }
    if (!isMemoryEffectFree(op))
      why = ("it has side effects (" + op->getName().getStringRef() + ")").str();
  });
  if (why.empty() && stores != 1)
    why = "it must store exactly once";
  return why;
}

// Replaces `load` (of the inlined block's buffer) by a clone of the block's computation.
static void inlineInto(BlockOp block, affine::AffineLoadOp load) {
  OpBuilder builder(load);
  AffineMap index = load.getAffineMap();
  SmallVector<Value> operands(load.getMapOperands());
  Block *body = block.getBodyBlock();
  // A top-level load at plain iter vars composes with the reader's index map; every other use
  // of an iter var gets an affine.apply of the reader's index.
  auto direct = [&](Operation *op) {
    auto inner = llvm::dyn_cast<affine::AffineLoadOp>(op);
    return inner && inner->getBlock() == body && inner.getAffineMap().getNumSymbols() == 0 &&
           llvm::all_of(inner.getMapOperands(), [&](Value v) {
             auto arg = llvm::dyn_cast<BlockArgument>(v);
             return arg && arg.getOwner() == body;
           });
  };
  auto store = *body->getOps<affine::AffineStoreOp>().begin();
  IRMapping mapping;
  for (BlockArgument arg : body->getArguments())
    if (!llvm::all_of(arg.getUsers(), [&](Operation *u) {
          return (u == store && store.getValueToStore() != arg) || direct(u);
        }))
      mapping.map(arg, builder.create<affine::AffineApplyOp>(
                           load.getLoc(), index.getSubMap({arg.getArgNumber()}), operands));
  for (Operation &op : body->without_terminator()) {
    if (&op == store.getOperation())
      continue;
    if (!direct(&op)) {
      builder.clone(op, mapping);
      continue;
    }
    auto inner = llvm::cast<affine::AffineLoadOp>(&op);
    // Compose the inner access with the reader's index: A[f(v)] with v = index(operands).
    SmallVector<AffineExpr> dims;
    for (Value v : inner.getMapOperands())
      dims.push_back(index.getResult(llvm::cast<BlockArgument>(v).getArgNumber()));
    SmallVector<AffineExpr> results;
    for (AffineExpr e : inner.getAffineMap().getResults())
      results.push_back(
          simplifyAffineExpr(e.replaceDims(dims), index.getNumDims(), index.getNumSymbols()));
    AffineMap map =
        AffineMap::get(index.getNumDims(), index.getNumSymbols(), results, block.getContext());
    auto cloned =
        builder.create<affine::AffineLoadOp>(inner.getLoc(), inner.getMemRef(), map, operands);
    mapping.map(inner.getResult(), cloned.getResult());
  }
  load.getResult().replaceAllUsesWith(mapping.lookupOrDefault(store.getValueToStore()));
  load.erase();
}

LogicalResult Schedule::computeInline(StringRef name) {
  BlockOp block = getBlock(name);
  if (!block)
    return failure();
  std::string what = ("cannot inline block '" + name + "': ").str();
  if (block.hasReduction())
    return fail(what + "it has a reduce iter var");
  SmallVector<Value> written = writtenBuffers(block);
  if (written.size() != 1 || !writesIdentity(block, written[0]))
    return fail(what + "it must write one buffer at its iter vars");
  Value buffer = written[0];
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return fail(what + "its buffer is a kernel argument");
  if (llvm::is_contained(readBuffers(block), buffer))
    return fail(what + "it reads the buffer it writes");
  if (std::string why = bodyBlocker(block, buffer); !why.empty())
    return fail(what + why);
  if (writersOf(kernel, buffer).size() != 1)
    return fail(what + "it is not the only writer of its buffer");
  SmallVector<BlockOp> readers = readersOf(kernel, buffer);
  if (readers.empty())
    return fail(what + "nothing reads its buffer");
  SmallVector<affine::AffineLoadOp> loads;
  for (BlockOp reader : readers) {
    if (!isBefore(block, reader))
      return fail(what + "reader block '" + reader.getBlockName() + "' runs before it");
    if (bufferOutOfScope(block, reader))
      return fail(what + "it reads a local buffer out of reader block '" +
                  reader.getBlockName() + "''s scope");
    for (const BufferAccess &access : collectAccesses(reader)) {
      if (access.buffer != buffer)
        continue;
      auto load = llvm::dyn_cast<affine::AffineLoadOp>(access.op);
      if (!load)
        return fail(what + "reader block '" + reader.getBlockName() +
                    "' loads it at a non-affine index");
      loads.push_back(load);
    }
  }
  for (Value input : readBuffers(block))
    for (BlockOp writer : writersOf(kernel, input))
      if (!isBefore(writer, block))
        return fail(what + "block '" + writer.getBlockName() + "' writes its input later");

  for (affine::AffineLoadOp load : loads)
    inlineInto(block, load);
  privateNestTop(block)->erase();
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (llvm::all_of(alloc->getUsers(),
                   [](Operation *u) { return llvm::isa<memref::DeallocOp>(u); })) {
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      user->erase();
    alloc.erase();
  }
  record({"compute_inline", {name.str()}, {}});
  return success();
}

} // namespace kiln::schedule
