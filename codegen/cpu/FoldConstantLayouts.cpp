// Compile-time layout rewrite: a kernel's "<block>.layout<i>" copy (schedule primitive
// layout_rewrite) that reads a weight runs here, once; the kernel then takes the blocked
// weight as a constant argument instead of copying it on every call.
#include "codegen/cpu/FoldConstantLayouts.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;
using kiln::loop::BlockOp;
using kiln::loop::ForOp;

namespace kiln::codegen {

namespace {
// A layout copy in a kernel: P[store(iv)] = A[load(iv)] over the block's domain, where A is
// kernel argument `argument` and P a kernel-level allocation nothing else writes.
struct LayoutCopy {
  BlockOp block;
  Operation *nest; // the top-level op holding the copy alone
  affine::AffineLoadOp load;
  affine::AffineStoreOp store;
  unsigned argument;
  memref::AllocOp packed;
};
} // namespace

// Row-major offset of the access's index at the block's iter var values `iv`.
// Results marked in `skip` count as 0.
static int64_t offsetAt(AffineMap map, ValueRange operands, MemRefType type,
                        ArrayRef<int64_t> iv, ArrayRef<bool> skip = {}) {
  SmallVector<int64_t> dims;
  for (Value v : operands)
    dims.push_back(iv[llvm::cast<BlockArgument>(v).getArgNumber()]);
  int64_t offset = 0;
  for (auto [d, e] : llvm::enumerate(map.getResults()))
    offset = offset * type.getDimSize(d) +
             (!skip.empty() && skip[d] ? 0 : loop::evaluateAffineExpr(e, dims));
  return offset;
}

// An access's row-major offset along the innermost iter var `inner`, split as
// base(other iter vars) + table[inner]: results that read only `inner` (the floordiv and mod of
// a lane split) go to the table, results that read it linearly add their step to it, the rest
// make the base. Empty when a result reads `inner` together with other iter vars non-linearly.
struct RowOffsets {
  SmallVector<bool> inTable; // per map result: contributes to the table, not the base
  std::vector<int64_t> table;
};

static std::optional<RowOffsets> rowOffsets(AffineMap map, ValueRange operands, MemRefType type,
                                            unsigned inner, int64_t extent) {
  MLIRContext *ctx = map.getContext();
  SmallVector<AffineExpr> shifted, onlyInner;
  for (auto [j, v] : llvm::enumerate(operands)) {
    bool isInner = llvm::cast<BlockArgument>(v).getArgNumber() == inner;
    AffineExpr d = getAffineDimExpr(j, ctx);
    shifted.push_back(isInner ? d + 1 : d);
    onlyInner.push_back(isInner ? d : getAffineConstantExpr(0, ctx));
  }
  RowOffsets rows;
  rows.table.assign(extent, 0);
  SmallVector<int64_t> strides(map.getNumResults(), 1);
  for (int64_t d = int64_t(map.getNumResults()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * type.getDimSize(d + 1);
  for (auto [d, e] : llvm::enumerate(map.getResults())) {
    bool readsInner = false, readsOthers = false;
    for (auto [j, v] : llvm::enumerate(operands))
      if (e.isFunctionOfDim(j))
        (llvm::cast<BlockArgument>(v).getArgNumber() == inner ? readsInner : readsOthers) = true;
    rows.inTable.push_back(readsInner && !readsOthers);
    std::optional<int64_t> step;
    if (readsInner && readsOthers) {
      auto c = llvm::dyn_cast<AffineConstantExpr>(
          simplifyAffineExpr(e.replaceDims(shifted) - e, map.getNumDims(), map.getNumSymbols()));
      if (!c)
        return std::nullopt;
      step = c.getValue();
    }
    for (int64_t k = 0; readsInner && k < extent; ++k) {
      SmallVector<int64_t> dims;
      for (Value v : operands)
        dims.push_back(llvm::cast<BlockArgument>(v).getArgNumber() == inner ? k : 0);
      int64_t value = step ? *step * k : loop::evaluateAffineExpr(e, dims);
      rows.table[k] += value * strides[d];
    }
  }
  return rows;
}

static std::optional<LayoutCopy> matchLayoutCopy(func::FuncOp kernel, BlockOp block) {
  if (!block.getBlockName().contains(".layout") || block.hasReduction() ||
      block.getInitBlock())
    return std::nullopt;
  SmallVector<Operation *> ops;
  for (Operation &op : block.getBodyBlock()->without_terminator())
    ops.push_back(&op);
  if (ops.size() != 2)
    return std::nullopt;
  auto load = llvm::dyn_cast<affine::AffineLoadOp>(ops[0]);
  auto store = llvm::dyn_cast<affine::AffineStoreOp>(ops[1]);
  if (!load || !store || store.getValueToStore() != load.getResult())
    return std::nullopt;
  Block *entry = &kernel.getBody().front();
  auto source = llvm::dyn_cast<BlockArgument>(load.getMemRef());
  auto packed = store.getMemRef().getDefiningOp<memref::AllocOp>();
  if (!source || source.getOwner() != entry || !packed || packed->getBlock() != entry)
    return std::nullopt;
  SmallVector<Value> indices(load.getMapOperands());
  indices.append(store.getMapOperands().begin(), store.getMapOperands().end());
  for (Value v : indices)
    if (auto arg = llvm::dyn_cast<BlockArgument>(v); !arg || arg.getOwner() != block.getBodyBlock())
      return std::nullopt;
  Operation *nest = block;
  while (nest->getBlock() != entry)
    nest = nest->getParentOp();
  int blocks = 0;
  nest->walk([&](BlockOp) { ++blocks; });
  int writers = 0;
  kernel.walk([&](affine::AffineStoreOp s) { writers += s.getMemRef() == packed.getResult(); });
  if (blocks != 1 || writers != 1)
    return std::nullopt;
  return LayoutCopy{block, nest, load, store, source.getArgNumber(), packed};
}

// The copy run on the weight's bytes: the blocked weight, or null when unreadable.
static ElementsAttr runCopy(LayoutCopy copy, ElementsAttr weight) {
  bool isSplat = false;
  std::optional<ArrayRef<char>> raw = graph::getRawBytes(weight, isSplat);
  auto sourceType = llvm::cast<MemRefType>(copy.load.getMemRef().getType());
  MemRefType packedType = copy.packed.getType();
  int64_t elementBytes = (sourceType.getElementTypeBitWidth() + 7) / 8;
  if (!raw || (!isSplat && int64_t(raw->size()) != sourceType.getNumElements() * elementBytes))
    return nullptr;
  std::vector<char> bytes(packedType.getNumElements() * elementBytes, 0);
  ArrayRef<int64_t> domains = copy.block.getDomains();
  SmallVector<int64_t> iv(domains.size(), 0);
  if (domains.empty())
    return nullptr;
  // Along the innermost iter var, each offset is a per-row base plus a per-position table
  // (rowOffsets): one affine evaluation per row instead of one per element (ResNet-50 has 25M
  // weights).
  unsigned inner = domains.size() - 1;
  std::optional<RowOffsets> fromRow =
      isSplat ? std::nullopt
              : rowOffsets(copy.load.getAffineMap(), copy.load.getMapOperands(), sourceType,
                           inner, domains[inner]);
  std::optional<RowOffsets> toRow = rowOffsets(
      copy.store.getAffineMap(), copy.store.getMapOperands(), packedType, inner, domains[inner]);
  bool byRow = toRow && (isSplat || fromRow);
  int64_t rowLength = byRow ? domains[inner] : 1;
  for (bool more = true; more;) {
    if (byRow) {
      int64_t from = isSplat ? 0 : offsetAt(copy.load.getAffineMap(), copy.load.getMapOperands(),
                                            sourceType, iv, fromRow->inTable);
      int64_t to = offsetAt(copy.store.getAffineMap(), copy.store.getMapOperands(), packedType,
                            iv, toRow->inTable);
      for (int64_t k = 0; k < rowLength; ++k)
        std::memcpy(&bytes[(to + toRow->table[k]) * elementBytes],
                    raw->data() + (isSplat ? 0 : from + fromRow->table[k]) * elementBytes,
                    elementBytes);
    } else {
      int64_t from = isSplat ? 0 : offsetAt(copy.load.getAffineMap(), copy.load.getMapOperands(),
                                            sourceType, iv);
      int64_t to = offsetAt(copy.store.getAffineMap(), copy.store.getMapOperands(), packedType, iv);
      std::memcpy(&bytes[to * elementBytes], raw->data() + from * elementBytes, elementBytes);
    }
    more = false;
    for (int64_t d = int64_t(domains.size()) - (byRow ? 2 : 1); d >= 0 && !more; --d) {
      more = ++iv[d] < domains[d];
      if (!more)
        iv[d] = 0;
    }
  }
  auto tensorType = RankedTensorType::get(packedType.getShape(), packedType.getElementType());
  auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(bytes), alignof(int64_t));
  return DenseResourceElementsAttr::get(tensorType, "kiln_blocked_weight", std::move(blob));
}

static Value constantSource(Value v) {
  while (auto reshape = v.getDefiningOp<graph::ReshapeOp>())
    v = reshape.getInput();
  return v.getDefiningOp<graph::ConstantOp>() ? v : Value();
}

// Folds every layout copy of `kernel` that reads a constant operand of `call`.
static void foldKernel(ModuleOp module, func::CallOp call, func::FuncOp kernel) {
  SmallVector<LayoutCopy> copies;
  kernel.walk([&](BlockOp block) {
    if (auto copy = matchLayoutCopy(kernel, block);
        copy && copy->argument < call.getNumOperands() &&
        constantSource(call.getOperand(copy->argument)))
      copies.push_back(*copy);
  });
  auto task = module.lookupSymbol<func::FuncOp>(call.getCallee());
  for (LayoutCopy copy : copies) {
    Value source = constantSource(call.getOperand(copy.argument));
    auto weight = source.getDefiningOp<graph::ConstantOp>();
    ElementsAttr blocked = runCopy(copy, weight.getValue());
    if (!blocked)
      continue;
    OpBuilder b(call);
    Value constant = b.create<graph::ConstantOp>(weight.getLoc(), blocked);
    unsigned position = call.getNumOperands();
    call->insertOperands(position, constant);
    (void)kernel.insertArgument(position, copy.packed.getType(), {}, copy.packed.getLoc());
    copy.packed.getResult().replaceAllUsesWith(kernel.getArgument(position));
    copy.nest->erase();
    copy.packed.erase();
  }
  if (copies.empty())
    return;
  // Operands no kernel code reads any more (the weights now passed blocked) are dropped, so
  // the model does not carry them twice. The task function is only a name from here on.
  for (int64_t i = int64_t(call.getNumOperands()) - 1; i >= 0; --i)
    if (kernel.getArgument(i).use_empty() && constantSource(call.getOperand(i))) {
      (void)kernel.eraseArgument(i);
      call->eraseOperand(i);
    }
  if (task) {
    task.eraseBody();
    task.setPrivate();
    task.setFunctionType(
        FunctionType::get(module.getContext(), call.getOperandTypes(), call.getResultTypes()));
  }
}

void foldConstantLayouts(ModuleOp module) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return;
  SmallVector<func::CallOp> calls(main.getBody().front().getOps<func::CallOp>());
  for (func::CallOp call : calls)
    if (auto kernel = module.lookupSymbol<func::FuncOp>((call.getCallee() + "_kernel").str()))
      foldKernel(module, call, kernel);
  // Weights only the copies read are gone (reshapes of them first).
  for (bool erased = true; erased;) {
    erased = false;
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(main.getBody().front())))
      if (llvm::isa<graph::ConstantOp, graph::ReshapeOp>(op) && op.use_empty()) {
        op.erase();
        erased = true;
      }
  }
}

} // namespace kiln::codegen
