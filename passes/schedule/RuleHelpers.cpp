#include "passes/schedule/RuleHelpers.h"

#include "passes/schedule/Utils.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/AffineExpr.h"

using namespace mlir;
using namespace kiln::loop;

namespace kiln::schedule::detail {

bool applyWhole(Schedule &s, function_ref<LogicalResult(func::FuncOp, Schedule &)> steps) {
  auto trial = llvm::cast<func::FuncOp>(s.getKernel()->clone());
  Schedule t(trial);
  bool applies = succeeded(steps(trial, t));
  Trace trace = t.trace();
  trial->erase();
  if (!applies)
    return false;
  for (const TraceStep &step : trace.steps)
    if (failed(s.apply(step)))
      return false; // the same steps on the same IR: does not happen
  return true;
}

SmallVector<std::string> blockNames(func::FuncOp kernel) {
  SmallVector<std::string> names;
  kernel.walk([&](BlockOp b) { names.push_back(b.getBlockName().str()); });
  return names;
}

std::optional<SmallVector<ForOp>> freshNest(BlockOp block) {
  SmallVector<ForOp> loops = privateLoops(block);
  if (loops.empty() || !llvm::isa<func::FuncOp>(loops.front()->getParentOp()) ||
      loops.size() != block.getNumIterVars() || !block.getBindings().isIdentity())
    return std::nullopt;
  for (auto [loop, var] : llvm::zip(loops, block.getLoopVars()))
    if (loop.getInductionVar() != var || loop.getKind() != ForOp::kSerial)
      return std::nullopt;
  return loops;
}

bool inliningMultipliesWork(BlockOp producer, BlockOp reader) {
  auto volume = [](BlockOp block) {
    int64_t n = 1;
    for (int64_t d : block.getDomains())
      n *= d;
    return n;
  };
  return reader.hasReduction() || volume(reader) > volume(producer);
}

bool expensiveToRecompute(BlockOp block) {
  WalkResult r = block.getBody().walk([](Operation *op) {
    if (llvm::isa<arith::SelectOp, scf::IfOp, affine::AffineIfOp>(op) ||
        llvm::isa<math::MathDialect>(op->getDialect()))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

bool isConstantArgument(Value buffer) {
  auto arg = llvm::dyn_cast<BlockArgument>(buffer);
  auto kernel = arg ? llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp()) : nullptr;
  if (!kernel || arg.getOwner() != &kernel.getBody().front())
    return false;
  auto constants = kernel->getAttrOfType<DenseI64ArrayAttr>("kiln.constant_args");
  return constants && llvm::is_contained(constants.asArrayRef(), int64_t(arg.getArgNumber()));
}

bool worthLayingOut(BlockOp block, Value buffer) {
  if (isConstantArgument(buffer))
    return true;
  auto arg = llvm::dyn_cast<BlockArgument>(buffer);
  auto type = llvm::dyn_cast<MemRefType>(buffer.getType());
  if (!arg || !llvm::isa<func::FuncOp>(arg.getOwner()->getParentOp()) || !type ||
      !type.hasStaticShape() ||
      type.getNumElements() * (type.getElementTypeBitWidth() / 8) < kRuntimeLayoutMinBytes)
    return false;
  // A matrix read element by element (B of a GEMM), not a window (a convolution's input,
  // whose copy would grow by the kernel's overlap).
  for (const BufferAccess &access : collectAccesses(block, /*includeInit=*/false))
    if (access.buffer == buffer &&
        (!access.map || llvm::any_of(access.map.getResults(), [](AffineExpr e) {
          return !llvm::isa<AffineDimExpr, AffineConstantExpr>(e);
        })))
      return false;
  return true;
}

std::optional<int64_t> panelOperand(BlockOp block, unsigned vec) {
  SmallVector<Value> reads = readBuffers(block);
  for (auto [index, buffer] : llvm::enumerate(reads)) {
    if (!worthLayingOut(block, buffer))
      continue;
    // Only a buffer the body reads (not one the init alone reads, a bias) is a panel operand.
    bool lanes = true, read = false;
    for (const BufferAccess &access : collectAccesses(block, /*includeInit=*/false)) {
      if (access.buffer != buffer)
        continue;
      read = true;
      unsigned rank = access.map ? access.map.getNumResults() : 0;
      lanes &= rank > 0 && access.map.getResult(rank - 1).isFunctionOfDim(vec);
      for (unsigned d = 0; lanes && d + 1 < rank; ++d)
        lanes &= !access.map.getResult(d).isFunctionOfDim(vec);
    }
    if (lanes && read)
      return int64_t(index);
  }
  return std::nullopt;
}

SmallVector<unsigned> batchIterVars(BlockOp block, int64_t panel) {
  Value panelBuffer = readBuffers(block)[panel];
  SmallVector<unsigned> batch;
  SmallVector<BufferAccess> accesses = collectAccesses(block, /*includeInit=*/false);
  for (unsigned k = 0; k < block.getNumIterVars(); ++k) {
    if (block.isReduceVar(k))
      continue;
    bool inPanel = false, inOther = false;
    for (const BufferAccess &access : accesses) {
      if (access.isWrite || !access.map)
        continue;
      bool reads = llvm::any_of(access.map.getResults(),
                                [&](AffineExpr e) { return e.isFunctionOfDim(k); });
      (access.buffer == panelBuffer ? inPanel : inOther) |= reads;
    }
    if (inPanel && inOther)
      batch.push_back(k);
  }
  return batch;
}

SmallVector<int64_t> rfactorWidths(int64_t extent) {
  SmallVector<int64_t> widths;
  for (int64_t w : {64, 32, 16, 8})
    if (extent % w == 0 && extent > w)
      widths.push_back(w);
  return widths;
}

std::optional<unsigned> rfactorLoop(BlockOp block, ArrayRef<ForOp> nest) {
  SmallVector<ForOp> loops(nest);
  unsigned r = loops.size() - 1;
  // rfactor refuses blocks with run-time domains (see Rfactor.cpp).
  if (!block.isReduceVar(r) || rfactorWidths(loops[r].getExtent()).empty() ||
      loop::hasDynamicDomains(block))
    return std::nullopt;
  SmallVector<unsigned> spatial;
  for (unsigned k = 0; k < loops.size(); ++k)
    if (!block.isReduceVar(k)) {
      if (!spatial.empty() && spatial.back() + 1 != k)
        return std::nullopt;
      spatial.push_back(k);
    }
  if (!spatial.empty() && (spatial.front() != 0 ||
                           vectorizeBlocker(loops[spatial.back()], false).empty()))
    return std::nullopt;
  MLIRContext *ctx = block.getContext();
  AffineExpr var = getAffineDimExpr(r, ctx);
  for (const BufferAccess &access : collectAccesses(block, /*includeInit=*/false)) {
    if (access.isWrite || !access.map)
      continue;
    ArrayRef<AffineExpr> results = access.map.getResults();
    for (auto [d, e] : llvm::enumerate(results)) {
      AffineExpr step = simplifyAffineExpr(e.replace(var, var + 1) - e, access.map.getNumDims(), 0);
      auto c = llvm::dyn_cast<AffineConstantExpr>(step);
      if (!c || (c.getValue() != 0 && (c.getValue() != 1 || d + 1 != results.size())))
        return std::nullopt;
    }
  }
  return r;
}

} // namespace kiln::schedule::detail
