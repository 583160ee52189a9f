// Building kl kernels: loop nests around blocks, buffers for tensors, broadcast loads.
#include "passes/conversion/graph_to_loop/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::lowering {

std::string KernelBuilder::uniqueName(StringRef base) {
  int &count = nameCounts[base];
  std::string name = count == 0 ? base.str() : (base + "_" + Twine(count)).str();
  ++count;
  return name;
}

loop::BlockOp KernelBuilder::emitBlock(StringRef baseName, ArrayRef<Axis> axes,
                                       const RegionFn &body, const RegionFn &init) {
  std::string name = uniqueName(baseName);
  OpBuilder::InsertionGuard guard(b);
  SmallVector<Value> loopVars;
  for (const Axis &axis : axes) {
    auto loop = b.create<loop::ForOp>(loc, axis.extent, name + "." + axis.name);
    loopVars.push_back(loop.getInductionVar());
    b.setInsertionPoint(loop.getBodyBlock()->getTerminator());
  }
  SmallVector<int64_t> domains, kinds;
  for (const Axis &axis : axes) {
    domains.push_back(axis.extent);
    kinds.push_back(axis.reduce ? 1 : 0);
  }
  OperationState state(loc, loop::BlockOp::getOperationName());
  state.addOperands(loopVars);
  state.addAttribute("block_name", b.getStringAttr(name));
  state.addAttribute("bindings",
                     AffineMapAttr::get(AffineMap::getMultiDimIdentityMap(axes.size(), b.getContext())));
  state.addAttribute("domains", b.getDenseI64ArrayAttr(domains));
  state.addAttribute("iter_kinds", b.getDenseI64ArrayAttr(kinds));
  Region *initRegion = state.addRegion();
  Region *bodyRegion = state.addRegion();
  auto fill = [&](Region *region, const RegionFn &fn) {
    Block *block = new Block();
    region->push_back(block);
    for (size_t i = 0; i < axes.size(); ++i)
      block->addArgument(b.getIndexType(), loc);
    OpBuilder rb(b.getContext()); // the region has no parent op yet
    rb.setInsertionPointToEnd(block);
    fn(rb, block->getArguments());
    rb.create<loop::YieldOp>(loc);
  };
  if (init)
    fill(initRegion, init);
  fill(bodyRegion, body);
  return llvm::cast<loop::BlockOp>(b.create(state));
}

Value KernelBuilder::allocate(MemRefType type) {
  OpBuilder ab(allocBlock, allocBlock->begin());
  return ab.create<memref::AllocOp>(loc, type);
}

Value KernelBuilder::load(OpBuilder &rb, Value memref, ArrayRef<AffineExpr> exprs,
                          ValueRange dims) {
  auto map = AffineMap::get(dims.size(), 0, exprs, rb.getContext());
  return rb.create<affine::AffineLoadOp>(loc, memref, map, dims);
}

void KernelBuilder::store(OpBuilder &rb, Value value, Value memref, ValueRange index) {
  rb.create<affine::AffineStoreOp>(loc, value, memref, index);
}

void KernelBuilder::store(OpBuilder &rb, Value value, Value memref, ArrayRef<AffineExpr> exprs,
                          ValueRange dims) {
  auto map = AffineMap::get(dims.size(), 0, exprs, rb.getContext());
  rb.create<affine::AffineStoreOp>(loc, value, memref, map, dims);
}

Value KernelBuilder::loadBroadcast(OpBuilder &rb, Value tensor, ValueRange resultIndex) {
  SmallVector<AffineExpr> dims;
  for (size_t d = 0; d < resultIndex.size(); ++d)
    dims.push_back(rb.getAffineDimExpr(d));
  return loadBroadcast(rb, tensor, dims, resultIndex);
}

Value KernelBuilder::loadBroadcast(OpBuilder &rb, Value tensor, ArrayRef<AffineExpr> resultIndex,
                                   ValueRange dims) {
  Value memref = buffer(tensor);
  auto shape = llvm::cast<MemRefType>(memref.getType()).getShape();
  size_t offset = resultIndex.size() - shape.size();
  SmallVector<AffineExpr> exprs;
  for (size_t d = 0; d < shape.size(); ++d)
    exprs.push_back(shape[d] == 1 ? rb.getAffineConstantExpr(0) : resultIndex[d + offset]);
  return load(rb, memref, exprs, dims);
}

Value KernelBuilder::constantFloat(OpBuilder &rb, Type type, double value) {
  if (auto floatType = llvm::dyn_cast<FloatType>(type))
    return rb.create<arith::ConstantOp>(loc, rb.getFloatAttr(floatType, value));
  Type storage = storageType(type);
  return rb.create<arith::ConstantOp>(loc, rb.getIntegerAttr(storage, int64_t(value)));
}

Type storageType(Type elementType) {
  if (auto integer = llvm::dyn_cast<IntegerType>(elementType); integer && !integer.isSignless())
    return IntegerType::get(integer.getContext(), integer.getWidth());
  return elementType;
}

// Bool orders as unsigned too (false < true): as signed i1, true would be -1.
bool isUnsignedInt(Type elementType) {
  return elementType.isUnsignedInteger() || elementType.isInteger(1);
}

MemRefType bufferType(ArrayRef<int64_t> shape, Type elementType) {
  return MemRefType::get(shape, storageType(elementType));
}

SmallVector<WindowRange> windowRanges(int64_t outSize, int64_t inSize, int64_t kernel,
                                      int64_t stride, int64_t dilation, int64_t padBegin) {
  SmallVector<WindowRange> ranges;
  for (int64_t o = 0; o < outSize; ++o) {
    int64_t start = o * stride - padBegin; // where tap 0 reads
    int64_t begin = std::min(kernel, start >= 0 ? 0 : (-start + dilation - 1) / dilation);
    int64_t end = std::min(kernel, start >= inSize ? 0 : (inSize - 1 - start) / dilation + 1);
    end = std::max(end, begin);
    if (!ranges.empty() && ranges.back().tapBegin == begin && ranges.back().tapEnd == end)
      ++ranges.back().count;
    else
      ranges.push_back({o, 1, begin, end});
  }
  return ranges;
}

std::string spatialAxisName(size_t i, const char *prefix) {
  static const char *const names[] = {"y", "x", "z", "w"};
  return std::string(prefix) + (i < 4 ? names[i] : ("s" + std::to_string(i)));
}

SmallVector<Axis> spatialAxes(ArrayRef<int64_t> shape) {
  SmallVector<Axis> axes;
  for (size_t d = 0; d < shape.size(); ++d)
    axes.push_back({"i" + std::to_string(d), shape[d]});
  return axes;
}

} // namespace kiln::lowering
