// Compute location: compute_at and reverse_compute_at move a block under another block's loop,
// regenerating its loops over the region needed (produced) there. compute_inline lives in
// Inline.cpp.
#include "passes/schedule/Region.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// Regenerates `block`'s loops at `builder`'s insertion point: iter var k ranges over
// `regions[k]` (the full domain when absent), its start over the outer vars of `loop`. The
// block's old private loops are erased.
static void relocate(BlockOp block, ForOp loop, ArrayRef<std::optional<DimRegion>> regions,
                     OpBuilder &builder, func::FuncOp kernel) {
  SmallVector<ForOp> dying = privateLoops(block);
  Operation *oldTop = privateNestTop(block);
  auto taken = [&](StringRef name) {
    ForOp other = findLoop(kernel, name);
    return other && !llvm::is_contained(dying, other);
  };
  SmallVector<LoopSpec> specs;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    std::string name = regeneratedLoopName(block, k, dying);
    for (unsigned i = 1;
         taken(name) || llvm::any_of(specs, [&](auto &s) { return s.name == name; }); ++i)
      name = regeneratedLoopName(block, k, dying) + "_" + std::to_string(i);
    int64_t extent = regions[k] ? regions[k]->extent : block.getDomains()[k];
    specs.push_back({name, extent, ForOp::kSerial.str(), nullptr});
  }
  SmallVector<ForOp> loops = createNest(builder, block.getLoc(), specs);
  block->moveBefore(loops.back().getBodyBlock()->getTerminator());
  OperandList operands(block.getContext());
  SmallVector<AffineExpr> outer;
  for (Value v : outerVars(loop))
    outer.push_back(operands.dim(v));
  SmallVector<AffineExpr> results;
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    AffineExpr start = regions[k] ? regions[k]->start.replaceDims(outer)
                                  : getAffineConstantExpr(0, block.getContext());
    results.push_back(start + operands.dim(loops[k].getInductionVar()));
  }
  setBindings(block, operands.values, results);
  if (oldTop != block.getOperation())
    oldTop->erase();
}

// Regions of `a` and `b` merged dim by dim; a dim becomes std::nullopt (full) when either is
// unknown or their starts do not differ by a constant.
static void mergeRegions(SmallVectorImpl<std::optional<DimRegion>> &into,
                         ArrayRef<std::optional<DimRegion>> other, unsigned numOuter) {
  for (auto [a, b] : llvm::zip(into, other))
    a = a && b ? unionRegion(*a, *b, numOuter) : std::nullopt;
}

// For each dim of `buffer`, the iter var the block writes it at, or -1 for a unit dim written
// at 0: the block's spatial iter vars of extent > 1 in order, each once (a reduction's
// keep-dims output, 128x1 for a 128-row sum, qualifies). std::nullopt when some write is not
// of that form.
static std::optional<SmallVector<int>> writtenIterVars(BlockOp block, Value buffer) {
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  std::optional<SmallVector<int>> result;
  for (const BufferAccess &access : collectAccesses(block)) {
    if (!access.isWrite)
      continue;
    if (!type || access.buffer != buffer || !access.map)
      return std::nullopt;
    SmallVector<int> dims;
    for (auto [d, expr] : llvm::enumerate(access.map.getResults())) {
      auto c = llvm::dyn_cast<AffineConstantExpr>(expr);
      auto var = llvm::dyn_cast<AffineDimExpr>(expr);
      if (c && c.getValue() == 0 && type.getDimSize(d) == 1)
        dims.push_back(-1);
      else if (var && !block.isReduceVar(var.getPosition()))
        dims.push_back(int(var.getPosition()));
      else
        return std::nullopt;
    }
    SmallVector<int> expected;
    for (unsigned k = 0; k < block.getNumIterVars(); ++k)
      if (!block.isReduceVar(k) && (block.getDomains()[k] > 1 || llvm::is_contained(dims, int(k))))
        expected.push_back(int(k));
    if (SmallVector<int>(llvm::make_filter_range(dims, [](int k) { return k >= 0; })) != expected ||
        (result && *result != dims))
      return std::nullopt;
    result = dims;
  }
  return result;
}

// Each written iter var's region is its buffer dim's; the others (a reduce var, a unit dim)
// keep their whole domain (std::nullopt).
static SmallVector<std::optional<DimRegion>>
iterVarRegions(BlockOp block, ArrayRef<int> writtenDims,
               ArrayRef<std::optional<DimRegion>> bufferRegions) {
  SmallVector<std::optional<DimRegion>> regions(block.getNumIterVars(), std::nullopt);
  for (auto [dim, k] : llvm::enumerate(writtenDims))
    if (k >= 0)
      regions[k] = bufferRegions[dim];
  return regions;
}

// Iter var `k`'s binding takes every value of its domain exactly once: a mixed-radix sum of
// loop vars (c0 = 1, each next coefficient the previous times its loop's extent). An rfactor
// block's reduce var, bound to the outer part of a split only, does not, and regenerated over
// its whole domain it would read past its rows.
static bool sweepsDomain(BlockOp block, unsigned k) {
  std::optional<LinearBinding> binding = linearBinding(block, k);
  if (!binding || binding->constant != 0)
    return false;
  SmallVector<std::pair<int64_t, int64_t>> terms; // coefficient, extent
  for (auto [var, coefficient] : llvm::zip(block.getLoopVars(), binding->coefficients)) {
    if (coefficient == 0)
      continue;
    ForOp loop = loopOf(var);
    if (!loop)
      return false;
    if (loop.getExtent() > 1)
      terms.push_back({coefficient, loop.getExtent()});
  }
  llvm::sort(terms);
  int64_t expected = 1;
  for (auto [coefficient, extent] : terms) {
    if (coefficient != expected)
      return false;
    expected *= extent;
  }
  return expected == block.getDomains()[k];
}

// Every read of `buffer` in the block is at the place the block writes it.
static bool readsOnlyWhereWritten(BlockOp block, Value buffer) {
  SmallVector<BufferAccess> accesses = collectAccesses(block);
  auto write = llvm::find_if(accesses, [&](auto &a) { return a.isWrite && a.buffer == buffer; });
  return llvm::all_of(accesses, [&](const BufferAccess &a) {
    return a.isWrite || a.buffer != buffer || (a.map && a.map == write->map);
  });
}

LogicalResult Schedule::computeAt(StringRef blockName, StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what =
      ("cannot compute block '" + blockName + "' at loop '" + loopName + "': ").str();
  for (unsigned k = 0; k < block.getNumIterVars(); ++k)
    if (block.isReduceVar(k) && !sweepsDomain(block, k))
      return fail(what + "its reduce iter var " + std::to_string(k) +
                  " does not sweep its domain once");
  SmallVector<Value> written = writtenBuffers(block);
  std::optional<SmallVector<int>> writtenDims;
  if (written.size() == 1)
    writtenDims = writtenIterVars(block, written[0]);
  if (!writtenDims)
    return fail(what + "the block must write one buffer at its iter vars");
  Value buffer = written[0];
  // Moved under a consumer, the block computes only what that consumer reads: a kernel
  // output (an argument) must be written in full, so only intermediates qualify.
  if (!buffer.getDefiningOp<memref::AllocOp>())
    return fail(what + "the block writes a kernel output, not an intermediate buffer");
  // A reduction reads its accumulator where it writes it; moved, it still sweeps its whole
  // reduce domain for each point the consumer needs, so its init keeps it exact.
  if (llvm::is_contained(readBuffers(block), buffer) &&
      (!block.hasReduction() || !readsOnlyWhereWritten(block, buffer)))
    return fail(what + "the block reads the buffer it writes");
  if (writersOf(kernel, buffer).size() != 1)
    return fail(what + "the block is not the only writer of its buffer");
  SmallVector<BlockOp> readers = readersOf(kernel, buffer);
  llvm::erase(readers, block);
  if (readers.empty())
    return fail(what + "nothing reads the block's buffer");
  for (BlockOp reader : readers) {
    if (!loop->isProperAncestor(reader))
      return fail(what + "consumer block '" + reader.getBlockName() + "' is not under the loop");
    if (!isBefore(block, reader))
      return fail(what + "consumer block '" + reader.getBlockName() + "' runs before the block");
  }
  if (loop.getKind() == ForOp::kVectorized)
    return fail(what + "the loop is vectorized");
  // Recomputed by iterations that may overlap, a reduction's init and sums would race in
  // parallel ones: move it first, then parallelize (parallel() checks what it may).
  if (block.hasReduction() && (loop.getKind() == ForOp::kParallel ||
                               llvm::any_of(enclosingLoops(loop), [](ForOp outer) {
                                 return outer.getKind() == ForOp::kParallel;
                               })))
    return fail(what + "a reduction cannot move under a parallel loop");
  if (bufferOutOfScope(block, loop))
    return fail(what + "the block uses a local buffer allocated outside the loop's scope");
  for (Value input : readBuffers(block))
    for (BlockOp writer : writersOf(kernel, input))
      if (writer != block && !isBefore(writer, block))
        return fail(what + "block '" + writer.getBlockName() + "' writes its input later");

  // Insert after every op of the loop body that (re)writes an input, before every consumer.
  Block *body = loop.getBodyBlock();
  Operation *after = nullptr;
  for (Value input : readBuffers(block))
    for (BlockOp writer : writersOf(loop, input))
      if (Operation *op = ancestorIn(writer, body); op && (!after || after->isBeforeInBlock(op)))
        after = op;
  // And after the allocation of a local buffer it uses (cache_read's, opening the body).
  for (const BufferAccess &access : collectAccesses(block))
    if (Operation *def = access.buffer.getDefiningOp(); def && def->getBlock() == body)
      if (!after || after->isBeforeInBlock(def))
        after = def;
  for (BlockOp reader : readers) {
    Operation *op = ancestorIn(reader, body);
    if (after && !after->isBeforeInBlock(op))
      return fail(what + "consumer block '" + reader.getBlockName() +
                  "' comes before the block's inputs are written");
  }

  unsigned numOuter = outerVars(loop).size();
  SmallVector<std::optional<DimRegion>> regions;
  bool first = true;
  for (BlockOp reader : readers)
    for (const BufferAccess &access : collectAccesses(reader)) {
      if (access.buffer != buffer)
        continue;
      SmallVector<std::optional<DimRegion>> r(block.getNumIterVars(), std::nullopt);
      if (access.map)
        r = iterVarRegions(block, *writtenDims, accessRegion(reader, access.map, loop, /*exact=*/false));
      if (first)
        regions = r;
      else
        mergeRegions(regions, r, numOuter);
      first = false;
    }
  for (auto [k, r] : llvm::enumerate(regions))
    if (r && r->extent >= block.getDomains()[k])
      r = std::nullopt;

  OpBuilder builder(kernel.getContext());
  if (after)
    builder.setInsertionPointAfter(after);
  else
    builder.setInsertionPointToStart(body);
  relocate(block, loop, regions, builder, kernel);
  record({"compute_at", {blockName.str(), loopName.str()}, {}});
  return success();
}

LogicalResult Schedule::reverseComputeAt(StringRef blockName, StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what =
      ("cannot reverse-compute block '" + blockName + "' at loop '" + loopName + "': ").str();
  if (block.hasReduction())
    return fail(what + "the block has a reduce iter var");
  if (loop.getKind() == ForOp::kVectorized)
    return fail(what + "the loop is vectorized");
  if (bufferOutOfScope(block, loop))
    return fail(what + "the block uses a local buffer allocated outside the loop's scope");
  Operation *oldTop = privateNestTop(block);
  Operation *top = ancestorIn(loop, oldTop->getBlock());
  if (!top || top == oldTop || !top->isBeforeInBlock(oldTop))
    return fail(what + "the block is not after the loop's nest");
  SmallVector<Value> reads = readBuffers(block), writes = writtenBuffers(block);
  for (Value w : writes)
    if (llvm::is_contained(reads, w))
      return fail(what + "the block reads the buffer it writes");

  // Nothing between the loop's nest and the block may touch what the block reads or writes,
  // and nothing in the nest may touch what it writes.
  for (Operation *op = top; op != oldTop; op = op->getNextNode()) {
    WalkResult walk = op->walk([&](BlockOp other) {
      for (const BufferAccess &access : collectAccesses(other))
        if (llvm::is_contained(writes, access.buffer) ||
            (op != top && access.isWrite && llvm::is_contained(reads, access.buffer)))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return fail(what + "blocks between the loop and the block access its buffers");
  }

  SmallVector<Value> outer = outerVars(loop);
  SmallVector<int64_t> outerExtents;
  for (ForOp l : enclosingLoops(loop))
    outerExtents.push_back(l.getExtent());
  outerExtents.push_back(loop.getExtent());
  SmallVector<std::optional<DimRegion>> regions(block.getNumIterVars(), std::nullopt);
  SmallVector<bool> constrained(block.getNumIterVars(), false);
  for (Value buffer : reads) {
    SmallVector<BlockOp> writers = writersOf(top, buffer);
    if (writers.empty())
      continue;
    auto type = llvm::cast<MemRefType>(buffer.getType());
    SmallVector<std::optional<DimRegion>> produced;
    for (BlockOp writer : writers) {
      if (!loop->isProperAncestor(writer))
        return fail(what + "producer block '" + writer.getBlockName() + "' is not under the loop");
      for (unsigned k = 0; k < writer.getNumIterVars(); ++k)
        for (Value v : outer)
          if (writer.isReduceVar(k) && dependsOn(writer, k, v))
            return fail(what + "producer block '" + writer.getBlockName() +
                        "' is still reducing across iterations of the loop");
      SmallVector<int64_t> spatialDomains;
      for (unsigned k = 0; k < writer.getNumIterVars(); ++k)
        if (!writer.isReduceVar(k))
          spatialDomains.push_back(writer.getDomains()[k]);
      if (!writesIdentity(writer, buffer) || ArrayRef(spatialDomains) != type.getShape())
        return fail(what + "producer block '" + writer.getBlockName() +
                    "' does not write its whole buffer at its iter vars");
      AffineMap writeMap;
      for (const BufferAccess &access : collectAccesses(writer))
        if (access.isWrite)
          writeMap = access.map;
      SmallVector<std::optional<DimRegion>> r = accessRegion(writer, writeMap, loop, true);
      SmallVector<Value> seen;
      for (const std::optional<DimRegion> &d : r) {
        if (!d || llvm::any_of(d->innerVars, [&](Value v) { return llvm::is_contained(seen, v); }))
          return fail(what + "the region producer block '" + writer.getBlockName() +
                      "' writes under the loop is not a box");
        seen.append(d->innerVars.begin(), d->innerVars.end());
      }
      if (!produced.empty() && produced != r)
        return fail(what + "producers of one buffer write different regions under the loop");
      produced = r;
    }
    for (const BufferAccess &access : collectAccesses(block)) {
      if (access.buffer != buffer)
        continue;
      for (unsigned d = 0; access.map && d < access.map.getNumResults(); ++d) {
        // A constant index (a broadcast dim) must be produced in every iteration.
        if (auto c = llvm::dyn_cast<AffineConstantExpr>(access.map.getResult(d))) {
          auto [lo, hi] = exprRange(produced[d]->start, outerExtents);
          if (c.getValue() < hi || c.getValue() >= lo + produced[d]->extent)
            return fail(what + "the block reads a produced buffer at a constant index that is "
                               "not produced in every iteration");
          continue;
        }
        auto dim = llvm::dyn_cast<AffineDimExpr>(access.map.getResult(d));
        if (!dim)
          return fail(what + "the block reads a produced buffer at a non-trivial index");
        unsigned k = dim.getPosition();
        if (constrained[k] && regions[k] != produced[d])
          return fail(what + "iter var " + Twine(k) + " is bound to two different regions");
        constrained[k] = true;
        regions[k] = produced[d];
      }
      if (!access.map)
        return fail(what + "the block reads a produced buffer at a non-affine index");
    }
  }
  if (!llvm::is_contained(constrained, true))
    return fail(what + "the block reads nothing produced under the loop");

  OpBuilder builder(loop.getBodyBlock()->getTerminator());
  relocate(block, loop, regions, builder, kernel);
  record({"reverse_compute_at", {blockName.str(), loopName.str()}, {}});
  return success();
}

} // namespace kiln::schedule
