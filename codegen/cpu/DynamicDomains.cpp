// Run-time block domains, read from the stage's symbol argument.
#include "codegen/cpu/DynamicDomains.h"

#include "ir/loop/Analysis.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::codegen {

namespace {

// scale * symbols[symbol] + offset as an index.
Value symbolicSize(OpBuilder &b, Location loc, Value symbols, int64_t symbol, int64_t scale,
                   int64_t offset) {
  Value size = symbolAtEntry(symbols, symbol);
  if (scale != 1)
    size = b.create<arith::MulIOp>(loc, size, b.create<arith::ConstantIndexOp>(loc, scale));
  if (offset != 0)
    size = b.create<arith::AddIOp>(loc, size, b.create<arith::ConstantIndexOp>(loc, offset));
  return size;
}

Value symbolsArgument(func::FuncOp stage) {
  auto argIndex = stage ? stage->getAttrOfType<IntegerAttr>(kSymbolsArgAttr) : IntegerAttr();
  return argIndex ? stage.getArgument(argIndex.getInt()) : Value();
}

} // namespace

Value symbolAtEntry(Value symbols, int64_t symbol) {
  Block *entry = llvm::cast<BlockArgument>(symbols).getOwner();
  for (Operation &op : *entry)
    if (auto read = llvm::dyn_cast<arith::IndexCastOp>(op))
      if (auto tag = read->getAttrOfType<IntegerAttr>(kSymbolReadAttr); tag && tag.getInt() == symbol)
        return read;
  auto b = OpBuilder::atBlockBegin(entry);
  Location loc = symbols.getLoc();
  Value slot = b.create<arith::ConstantIndexOp>(loc, symbol);
  Value raw = b.create<memref::LoadOp>(loc, symbols, slot);
  auto read = b.create<arith::IndexCastOp>(loc, b.getIndexType(), raw);
  read->setAttr(kSymbolReadAttr, b.getI64IntegerAttr(symbol));
  return read;
}

Value domainBound(OpBuilder &b, Location loc, loop::BlockOp block, unsigned k) {
  std::optional<loop::DynamicDomain> dynamic = loop::dynamicDomain(block, k);
  Value symbols = symbolsArgument(block->getParentOfType<func::FuncOp>());
  if (!dynamic || !symbols || !loop::needsRuntimeGuard(block, k))
    return b.create<arith::ConstantIndexOp>(loc, block.getDomains()[k]);
  return symbolicSize(b, loc, symbols, dynamic->symbol, dynamic->scale, dynamic->offset);
}

void materializeDynamicValues(func::FuncOp stage) {
  Value symbols = symbolsArgument(stage);
  if (!symbols)
    return;
  SmallVector<arith::ConstantOp> constants;
  stage.walk([&](arith::ConstantOp c) {
    if (c->hasAttr(loop::kDynamicValueAttr))
      constants.push_back(c);
  });
  for (arith::ConstantOp c : constants) {
    auto entries = c->getAttrOfType<DenseI64ArrayAttr>(loop::kDynamicValueAttr);
    OpBuilder b(c);
    Location loc = c.getLoc();
    Value size = symbolicSize(b, loc, symbols, entries[0], entries[1], entries[2]);
    Type type = c.getType();
    Value value = size;
    if (entries[3] == loop::kReciprocalConstant) {
      Value asInt = b.create<arith::IndexCastOp>(loc, b.getI64Type(), size);
      Value asFloat = b.create<arith::SIToFPOp>(loc, type, asInt);
      Value one = b.create<arith::ConstantOp>(loc, type, b.getFloatAttr(type, 1.0));
      value = b.create<arith::DivFOp>(loc, one, asFloat);
    } else if (!type.isIndex()) {
      value = b.create<arith::IndexCastOp>(loc, type, size);
    }
    c.replaceAllUsesWith(value);
    c.erase();
  }
}

} // namespace kiln::codegen
