// layout_rewrite: lays a kernel argument out, once, in the blocked order a block reads it in
// under a loop (the region cache_read would copy per iteration, for all iterations at once).
// When the argument is a weight, codegen (FoldConstantLayouts) runs the copy at compile time,
// so the kernel reads a pre-packed constant.
#include "passes/schedule/ReadRegion.h"
#include "passes/schedule/Schedule.h"
#include "passes/schedule/Utils.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln::loop;
using namespace kiln::schedule::detail;

namespace kiln::schedule {

// The blocked copy is a whole operand: keep it within what a weight may reasonably take.
static constexpr int64_t kMaxLayoutBytes = int64_t(1) << 30;

FailureOr<std::string> Schedule::layoutRewrite(StringRef blockName, int64_t readIndex,
                                               StringRef loopName) {
  BlockOp block = getBlock(blockName);
  ForOp loop = block ? getLoop(loopName) : ForOp();
  if (!block || !loop)
    return failure();
  std::string what = ("cannot rewrite the layout of read " + Twine(readIndex) + " of block '" +
                      blockName + "' for loop '" + loopName + "': ")
                         .str();
  std::string why;
  FailureOr<ReadRegion> region = analyzeReadRegion(block, readIndex, loop, why);
  if (failed(region))
    return fail(what + why);
  auto arg = llvm::dyn_cast<BlockArgument>(region->buffer);
  if (!arg || arg.getOwner() != &kernel.getBody().front())
    return fail(what + "the buffer is not a kernel argument");
  if (!writersOf(kernel, region->buffer).empty())
    return fail(what + "the kernel writes the buffer");

  // Dim d of the buffer becomes a window dim (which window) and a local dim (where in it).
  MemRefType type = region->type;
  unsigned rank = type.getRank();
  SmallVector<int64_t> windows, locals, copyDomain;
  for (auto [d, dim] : llvm::enumerate(region->dims)) {
    // A dim the whole block reads in one fixed range (no windows) may start anywhere: the
    // copy takes just that range. A windowed dim must start at 0.
    if (dim.shift != 0 && dim.modulus)
      return fail(what + "the region of dim " + Twine(d) + " starts at an offset");
    int64_t size = type.getDimSize(d);
    windows.push_back(dim.modulus ? llvm::divideCeil(size, dim.modulus) : 1);
    locals.push_back(dim.modulus ? dim.modulus : dim.extent);
    copyDomain.push_back(dim.modulus ? size : dim.extent);
  }
  // Window dims in the order the loops step through them, so that consecutive windows the
  // block reads sit next to each other.
  SmallVector<unsigned> order;
  auto firstLoop = [&](unsigned d) {
    AffineExpr start = region->dims[d].start;
    for (unsigned i = 0; i < 64; ++i)
      if (start.isFunctionOfDim(i))
        return i;
    return 64u;
  };
  for (unsigned d = 0; d < rank; ++d)
    order.push_back(d);
  llvm::sort(order, [&](unsigned a, unsigned b) {
    return std::make_pair(firstLoop(a), a) < std::make_pair(firstLoop(b), b);
  });
  // Local dims in the order the loops inside `loop` step through them, the buffer's last dim
  // (the vector lanes') kept innermost: the block then reads each window front to back, not
  // in strides of a whole tap or channel plane.
  AffineMap onLoops = region->maps.front().compose(block.getBindings());
  auto innerDepth = [&](unsigned d) {
    unsigned depth = ~0u;
    for (auto [j, v] : llvm::enumerate(block.getLoopVars())) {
      auto inner = llvm::dyn_cast<ForOp>(llvm::cast<BlockArgument>(v).getOwner()->getParentOp());
      if (!inner || !loop->isProperAncestor(inner) ||
          !onLoops.getResult(d).isFunctionOfDim(unsigned(j)))
        continue;
      depth = std::min(depth, unsigned(enclosingLoops(inner).size()));
    }
    return depth == ~0u ? 0u : depth;
  };
  SmallVector<unsigned> localOrder;
  for (unsigned d = 0; d + 1 < rank; ++d)
    localOrder.push_back(d);
  llvm::stable_sort(localOrder,
                    [&](unsigned a, unsigned b) { return innerDepth(a) < innerDepth(b); });
  if (rank > 0)
    localOrder.push_back(rank - 1);
  SmallVector<int64_t> shape;
  for (unsigned d : order)
    shape.push_back(windows[d]);
  for (unsigned d : localOrder)
    shape.push_back(locals[d]);
  auto packedType = MemRefType::get(shape, type.getElementType());
  int64_t bytes = packedType.getNumElements() * ((type.getElementTypeBitWidth() + 7) / 8);
  if (bytes > kMaxLayoutBytes)
    return fail(what + "the blocked copy takes " + Twine(bytes) + " bytes");
  MLIRContext *ctx = kernel.getContext();
  auto packedIndex = [&](ArrayRef<AffineExpr> index) {
    SmallVector<AffineExpr> results;
    for (unsigned d : order) {
      const CachedDim &dim = region->dims[d];
      results.push_back(dim.modulus ? index[d].floorDiv(dim.modulus)
                                    : getAffineConstantExpr(0, ctx));
    }
    for (unsigned d : localOrder)
      results.push_back(region->dims[d].local(index[d]));
    return results;
  };

  // The copy nest opens the kernel, over the elements the block may read.
  Location loc = block.getLoc();
  OpBuilder builder(kernelAllocPoint(kernel));
  Value packed = builder.create<memref::AllocOp>(loc, packedType);
  std::string copyName =
      uniqueBlockName(kernel, (blockName + ".layout" + Twine(readIndex)).str());
  SmallVector<LoopSpec> specs;
  for (auto [d, extent] : llvm::enumerate(copyDomain))
    specs.push_back({uniqueLoopName(kernel, copyName + ".ax" + std::to_string(d)), extent,
                     ForOp::kSerial.str(), nullptr});
  SmallVector<ForOp> copyLoops = createNest(builder, loc, specs);
  builder.setInsertionPoint(copyLoops.back().getBodyBlock()->getTerminator());
  SmallVector<Value> vars;
  for (ForOp l : copyLoops)
    vars.push_back(l.getInductionVar());
  BlockOp copy = createBlock(builder, loc, copyName, vars,
                             AffineMap::getMultiDimIdentityMap(rank, ctx), copyDomain,
                             SmallVector<int64_t>(rank, 0));
  builder.setInsertionPoint(copy.getBodyBlock()->getTerminator());
  ValueRange iterVars = copy.getBodyBlock()->getArguments();
  SmallVector<AffineExpr> source; // the copy's iter vars, offset to a fixed range's start
  for (unsigned d = 0; d < rank; ++d)
    source.push_back(getAffineDimExpr(d, ctx) +
                     (region->dims[d].modulus ? 0 : region->dims[d].shift));
  Value value = builder.create<affine::AffineLoadOp>(
      loc, region->buffer, AffineMap::get(rank, 0, source, ctx), iterVars);
  builder.create<affine::AffineStoreOp>(
      loc, value, packed, AffineMap::get(rank, 0, packedIndex(source), ctx), iterVars);

  for (auto [load, map] : llvm::zip(region->loads, region->maps))
    rewriteAccess(load, packed, packedIndex(map.getResults()));
  record({"layout_rewrite", {blockName.str(), loopName.str()}, {readIndex}});
  return copyName;
}

} // namespace kiln::schedule
