// Run-time block domains, read from the stage's symbol argument.
#include "codegen/cpu/DynamicDomains.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::codegen {

Value domainBound(OpBuilder &b, Location loc, loop::BlockOp block, unsigned k) {
  std::optional<loop::DynamicDomain> dynamic = loop::dynamicDomain(block, k);
  auto stage = block->getParentOfType<func::FuncOp>();
  auto argIndex = stage ? stage->getAttrOfType<IntegerAttr>(kSymbolsArgAttr) : IntegerAttr();
  if (!dynamic || !argIndex)
    return b.create<arith::ConstantIndexOp>(loc, block.getDomains()[k]);
  Value symbols = stage.getArgument(argIndex.getInt());
  Value slot = b.create<arith::ConstantIndexOp>(loc, dynamic->symbol);
  Value raw = b.create<memref::LoadOp>(loc, symbols, slot);
  Value size = b.create<arith::IndexCastOp>(loc, b.getIndexType(), raw);
  if (dynamic->scale != 1)
    size = b.create<arith::MulIOp>(loc, size, b.create<arith::ConstantIndexOp>(loc, dynamic->scale));
  if (dynamic->offset != 0)
    size = b.create<arith::AddIOp>(loc, size, b.create<arith::ConstantIndexOp>(loc, dynamic->offset));
  return size;
}

} // namespace kiln::codegen
