// The kl dialect: op construction, custom syntax and verifiers.
#include "ir/loop/LoopDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace kiln::loop;

#include "ir/loop/LoopDialect.cpp.inc"

void KilnLoopDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/loop/LoopOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// ForOp: `kl.for %i : "name" in 64 parallel { ... }`
//===----------------------------------------------------------------------===//

void ForOp::build(OpBuilder &builder, OperationState &state, int64_t extent, StringRef name,
                  StringRef kind) {
  state.addAttribute(getExtentAttrName(state.name), builder.getI64IntegerAttr(extent));
  state.addAttribute(getLoopNameAttrName(state.name), builder.getStringAttr(name));
  state.addAttribute(getKindAttrName(state.name), builder.getStringAttr(kind));
  Region *body = state.addRegion();
  Block *block = new Block();
  block->addArgument(builder.getIndexType(), state.location);
  body->push_back(block);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  builder.create<YieldOp>(state.location);
}

void ForOp::print(OpAsmPrinter &p) {
  p << " " << getInductionVar() << " : ";
  p.printAttributeWithoutType(getLoopNameAttr());
  p << " in " << getExtent();
  if (getKind() != kSerial)
    p << " " << getKind();
  p.printOptionalAttrDictWithKeyword(
      (*this)->getAttrs(), {getExtentAttrName(), getLoopNameAttrName(), getKindAttrName()});
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false, /*printBlockTerminators=*/false);
}

ParseResult ForOp::parse(OpAsmParser &parser, OperationState &state) {
  OpAsmParser::Argument iv;
  StringAttr name;
  int64_t extent;
  if (parser.parseArgument(iv) || parser.parseColon() ||
      parser.parseAttribute(name, getLoopNameAttrName(state.name), state.attributes) ||
      parser.parseKeyword("in") || parser.parseInteger(extent))
    return failure();
  StringRef kind = kSerial;
  for (StringRef k : {kParallel, kVectorized, kUnrolled})
    if (succeeded(parser.parseOptionalKeyword(k)))
      kind = k;
  Builder &b = parser.getBuilder();
  state.addAttribute(getExtentAttrName(state.name), b.getI64IntegerAttr(extent));
  state.addAttribute(getKindAttrName(state.name), b.getStringAttr(kind));
  if (parser.parseOptionalAttrDictWithKeyword(state.attributes))
    return failure();
  iv.type = b.getIndexType();
  Region *body = state.addRegion();
  if (parser.parseRegion(*body, {iv}))
    return failure();
  ForOp::ensureTerminator(*body, b, state.location);
  return success();
}

LogicalResult ForOp::verify() {
  if (getExtent() <= 0)
    return emitOpError("loop '") << getLoopName() << "' has non-positive extent " << getExtent();
  StringRef kind = getKind();
  if (kind != kSerial && kind != kParallel && kind != kVectorized && kind != kUnrolled)
    return emitOpError("unknown loop kind '") << kind << "'";
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || !body.getArgument(0).getType().isIndex())
    return emitOpError("body must take one index induction variable");
  return success();
}

//===----------------------------------------------------------------------===//
// BlockOp: `kl.block "C" [%i, %j] map iter_vars(%vi: spatial 64, ...) init {...} {...}`
//===----------------------------------------------------------------------===//

void BlockOp::print(OpAsmPrinter &p) {
  p << " ";
  p.printAttributeWithoutType(getBlockNameAttr());
  p << " [" << getLoopVars() << "] ";
  p.printAttribute(getBindingsAttr());
  p << " iter_vars(";
  Block *body = getBodyBlock();
  for (unsigned i = 0; i < getNumIterVars(); ++i) {
    if (i)
      p << ", ";
    p << body->getArgument(i) << ": " << (isReduceVar(i) ? "reduce " : "spatial ")
      << getDomains()[i];
  }
  p << ")";
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                     {getBlockNameAttrName(), getBindingsAttrName(),
                                      getDomainsAttrName(), getIterKindsAttrName()});
  if (!getInit().empty()) {
    p << " init ";
    p.printRegion(getInit(), /*printEntryBlockArgs=*/true, /*printBlockTerminators=*/false);
  }
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false, /*printBlockTerminators=*/false);
}

ParseResult BlockOp::parse(OpAsmParser &parser, OperationState &state) {
  StringAttr name;
  SmallVector<OpAsmParser::UnresolvedOperand> loopVars;
  AffineMapAttr bindings;
  Builder &b = parser.getBuilder();
  if (parser.parseAttribute(name, getBlockNameAttrName(state.name), state.attributes) ||
      parser.parseOperandList(loopVars, OpAsmParser::Delimiter::Square) ||
      parser.parseAttribute(bindings, getBindingsAttrName(state.name), state.attributes) ||
      parser.parseKeyword("iter_vars") ||
      parser.resolveOperands(loopVars, b.getIndexType(), state.operands))
    return failure();
  SmallVector<OpAsmParser::Argument> iterVars;
  SmallVector<int64_t> domains, kinds;
  auto parseIterVar = [&]() -> ParseResult {
    OpAsmParser::Argument arg;
    int64_t domain;
    if (parser.parseArgument(arg) || parser.parseColon())
      return failure();
    if (succeeded(parser.parseOptionalKeyword("reduce")))
      kinds.push_back(1);
    else if (succeeded(parser.parseKeyword("spatial")))
      kinds.push_back(0);
    else
      return failure();
    if (parser.parseInteger(domain))
      return failure();
    arg.type = b.getIndexType();
    iterVars.push_back(arg);
    domains.push_back(domain);
    return success();
  };
  if (parser.parseCommaSeparatedList(OpAsmParser::Delimiter::Paren, parseIterVar) ||
      parser.parseOptionalAttrDictWithKeyword(state.attributes))
    return failure();
  state.addAttribute(getDomainsAttrName(state.name), b.getDenseI64ArrayAttr(domains));
  state.addAttribute(getIterKindsAttrName(state.name), b.getDenseI64ArrayAttr(kinds));
  Region *init = state.addRegion();
  if (succeeded(parser.parseOptionalKeyword("init"))) {
    if (parser.parseRegion(*init))
      return failure();
    BlockOp::ensureTerminator(*init, b, state.location);
  }
  Region *body = state.addRegion();
  if (parser.parseRegion(*body, iterVars))
    return failure();
  BlockOp::ensureTerminator(*body, b, state.location);
  return success();
}

LogicalResult BlockOp::verify() {
  unsigned n = getNumIterVars();
  AffineMap map = getBindings();
  if (getIterKinds().size() != n || map.getNumResults() != n)
    return emitOpError("block '") << getBlockName() << "' needs one kind and binding per iter var";
  if (map.getNumDims() != getLoopVars().size() || map.getNumSymbols() != 0)
    return emitOpError("bindings must map exactly the ") << getLoopVars().size() << " loop vars";
  for (unsigned i = 0; i < n; ++i) {
    if (getDomains()[i] <= 0)
      return emitOpError("iter var ") << i << " has non-positive domain";
    if (getIterKinds()[i] != 0 && getIterKinds()[i] != 1)
      return emitOpError("iter var ") << i << " kind must be 0 (spatial) or 1 (reduce)";
  }
  for (Value v : getLoopVars()) {
    auto arg = llvm::dyn_cast<BlockArgument>(v);
    auto loop = arg ? llvm::dyn_cast<ForOp>(arg.getOwner()->getParentOp()) : ForOp();
    if (!loop || !loop->isProperAncestor(*this))
      return emitOpError("binding operand is not the induction var of an enclosing kl.for");
  }
  for (Region *region : {&getBody(), &getInit()}) {
    if (region->empty())
      continue;
    Block &block = region->front();
    if (block.getNumArguments() != n ||
        !llvm::all_of(block.getArgumentTypes(), [](Type t) { return t.isIndex(); }))
      return emitOpError("regions must take the ") << n << " iter vars as index arguments";
  }
  if (!getInit().empty() && !hasReduction())
    return emitOpError("has an init region but no reduce iter var");
  return success();
}

#define GET_OP_CLASSES
#include "ir/loop/LoopOps.cpp.inc"
