// Comparing the model lowered at a probe size with its base, op by op.
#include "compiler/driver/ProbeComparison.h"

#include "ir/graph/ConstantData.h"
#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

namespace kiln::driver {

using loop::kIntegerConstant;
using loop::kReciprocalConstant;

namespace {

std::string symbolText(const SymbolicInputs &s, int symbol, int64_t size) {
  return "'" + s.symbols[symbol].name + "' = " + std::to_string(size);
}

} // namespace

bool ProbeComparison::fail(StringRef where, const Twine &what) {
  *error_ = (where + ": " + what + " changes with the symbolic dim " +
             symbolText(symbols_, symbol_, size_) +
             " in a way Kiln cannot keep symbolic; fix the dim with --input-shape or "
             "--dim-range " + symbols_.symbols[symbol_].name + "=N:N")
                .str();
  return false;
}

// Types equal up to their shapes; a shape that moves records the dims of `baseValue`.
bool ProbeComparison::compareTypes(Type a, Type b, StringRef where, Value baseValue) {
  if (a == b)
    return true;
  auto sa = llvm::dyn_cast<ShapedType>(a), sb = llvm::dyn_cast<ShapedType>(b);
  if (auto fa = llvm::dyn_cast<FunctionType>(a)) {
    auto fb = llvm::dyn_cast<FunctionType>(b);
    if (!fb || fa.getNumInputs() != fb.getNumInputs() || fa.getNumResults() != fb.getNumResults())
      return fail(where, "the signature");
    for (auto [x, y] : llvm::zip(fa.getInputs(), fb.getInputs()))
      if (!compareTypes(x, y, where, Value()))
        return false;
    for (auto [x, y] : llvm::zip(fa.getResults(), fb.getResults()))
      if (!compareTypes(x, y, where, Value()))
        return false;
    return true;
  }
  if (!sa || !sb || sa.getElementType() != sb.getElementType() || !sa.hasRank() ||
      !sb.hasRank() || sa.getRank() != sb.getRank() || sa.getTypeID() != sb.getTypeID())
    return fail(where, "a type");
  for (unsigned d = 0; d < sa.getRank(); ++d) {
    if (sa.getDimSize(d) == sb.getDimSize(d))
      continue;
    // Storage is planned at the maxima: no buffer may be larger at a smaller size.
    if (sb.getDimSize(d) > sa.getDimSize(d))
      return fail(where, "a buffer that grows as the dim shrinks");
    if (baseValue) {
      Moved &m = movedDims_[{baseValue, d}];
      m.base = sa.getDimSize(d);
      m.samples[{symbol_, size_}] = sb.getDimSize(d);
    }
  }
  return true;
}

namespace {

// Whether `v`, an operand of the probe's op, takes only the value 0 in the probe: an iter var
// whose domain is 1 or the var of a loop of extent 1 there (lowerings index a dim of size 1 by
// 0 rather than by its iter var; at the base, where the var ranges wider, both read the same).
bool pinnedToZero(Value v) {
  auto arg = llvm::dyn_cast<BlockArgument>(v);
  if (!arg)
    return false;
  Operation *owner = arg.getOwner()->getParentOp();
  if (auto loop = llvm::dyn_cast_or_null<loop::ForOp>(owner))
    return loop.getExtent() == 1;
  if (auto block = llvm::dyn_cast_or_null<loop::BlockOp>(owner))
    return block.getDomains()[arg.getArgNumber()] == 1;
  return false;
}

// The two ops' maps (attribute `name`) agree once the probe's map operands pinned to 0 are 0.
bool sameMapWhenPinned(Operation *a, Operation *b, StringAttr name) {
  AffineMap ma = llvm::cast<AffineMapAttr>(a->getAttr(name)).getValue();
  AffineMap mb = llvm::cast<AffineMapAttr>(b->getAttr(name)).getValue();
  if (ma.getNumDims() != mb.getNumDims() || ma.getNumSymbols() != mb.getNumSymbols() ||
      ma.getNumResults() != mb.getNumResults())
    return false;
  // The map's operands are the op's trailing operands (affine.load/store/apply, kl.block).
  unsigned numMapOperands = ma.getNumInputs();
  if (b->getNumOperands() < numMapOperands)
    return false;
  auto operands = b->getOperands().take_back(numMapOperands);
  MLIRContext *ctx = a->getContext();
  SmallVector<AffineExpr> dims, symbols;
  for (unsigned i = 0; i < ma.getNumDims(); ++i)
    dims.push_back(pinnedToZero(operands[i]) ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(i, ctx));
  for (unsigned i = 0; i < ma.getNumSymbols(); ++i)
    symbols.push_back(pinnedToZero(operands[ma.getNumDims() + i]) ? getAffineConstantExpr(0, ctx)
                                                                  : getAffineSymbolExpr(i, ctx));
  for (unsigned r = 0; r < ma.getNumResults(); ++r) {
    AffineExpr ea = simplifyAffineExpr(ma.getResult(r).replaceDimsAndSymbols(dims, symbols),
                                       ma.getNumDims(), ma.getNumSymbols());
    AffineExpr eb = simplifyAffineExpr(mb.getResult(r).replaceDimsAndSymbols(dims, symbols),
                                       mb.getNumDims(), mb.getNumSymbols());
    if (ea != eb)
      return false;
  }
  return true;
}

} // namespace

// A kernel constant that moves with a symbol: an integer (a dim size, a clamp bound) or the
// reciprocal of one (a mean's divisor), recorded as the size.
bool ProbeComparison::recordConstant(Operation *op, Attribute base, Attribute probe) {
  auto asSize = [](Attribute attr, int64_t &size, unsigned &kind) {
    if (auto i = llvm::dyn_cast<IntegerAttr>(attr)) {
      size = i.getValue().getSExtValue();
      kind = kIntegerConstant;
      return true;
    }
    auto f = llvm::dyn_cast<FloatAttr>(attr);
    if (!f || f.getValueAsDouble() <= 0)
      return false;
    size = int64_t(std::llround(1.0 / f.getValueAsDouble()));
    kind = kReciprocalConstant;
    // Exactly what the lowering would have folded for that size.
    return size > 0 && FloatAttr::get(f.getType(), 1.0 / double(size)) == f;
  };
  int64_t x, y;
  unsigned kx, ky;
  if (!asSize(base, x, kx) || !asSize(probe, y, ky) || kx != ky)
    return false;
  Moved &m = constants_[{op, kx}];
  m.base = x;
  m.samples[{symbol_, size_}] = y;
  return true;
}

bool ProbeComparison::compareOps(Operation *a, Operation *b, StringRef where) {
  if (a->getName() != b->getName() || a->getNumOperands() != b->getNumOperands() ||
      a->getNumResults() != b->getNumResults() || a->getNumRegions() != b->getNumRegions() ||
      a->getAttrs().size() != b->getAttrs().size())
    return fail(where, "the structure of " + a->getName().getStringRef());
  for (auto [x, y] : llvm::zip(a->getResults(), b->getResults()))
    if (!compareTypes(x.getType(), y.getType(), where, Value()))
      return false;
  for (NamedAttribute attr : a->getAttrs()) {
    Attribute other = b->getAttr(attr.getName());
    StringRef name = attr.getName().getValue();
    if (!other)
      return fail(where, "the attributes of " + a->getName().getStringRef());
    if (attr.getValue() == other || name == "sym_name" ||
        (name == "extent" && llvm::isa<loop::ForOp>(a)))
      continue;
    if (auto type = llvm::dyn_cast<TypeAttr>(attr.getValue())) {
      auto otherType = llvm::dyn_cast<TypeAttr>(other);
      if (!otherType || !compareTypes(type.getValue(), otherType.getValue(), where, Value()))
        return otherType ? false : fail(where, name);
      continue;
    }
    if (llvm::isa<AffineMapAttr>(attr.getValue()) && sameMapWhenPinned(a, b, attr.getName()))
      continue;
    if (name == "value" && llvm::isa<arith::ConstantOp>(a)) {
      if (!recordConstant(a, attr.getValue(), other))
        return fail(where, "a constant (" + a->getName().getStringRef() + ")");
      continue;
    }
    auto block = llvm::dyn_cast<loop::BlockOp>(a);
    if (block && name == "domains") {
      auto mine = block.getDomains(), theirs = llvm::cast<loop::BlockOp>(b).getDomains();
      for (unsigned k = 0; k < mine.size(); ++k)
        if (mine[k] != theirs[k]) {
          if (theirs[k] > mine[k])
            return fail(where, "block '" + block.getBlockName() + "' (its domain grows as the dim shrinks)");
          Moved &m = domains_[{a, k}];
          m.base = mine[k];
          m.samples[{symbol_, size_}] = theirs[k];
        }
      continue;
    }
    std::string what = (a->getName().getStringRef() + " attribute '" + name + "'").str();
    if (block)
      what += " of block '" + block.getBlockName().str() + "'";
    return fail(where, what);
  }
  for (auto [ra, rb] : llvm::zip(a->getRegions(), b->getRegions())) {
    if (ra.getBlocks().size() != rb.getBlocks().size())
      return fail(where, "the structure of " + a->getName().getStringRef());
    for (auto [ba, bb] : llvm::zip(ra, rb)) {
      if (ba.getNumArguments() != bb.getNumArguments() ||
          ba.getOperations().size() != bb.getOperations().size())
        return fail(where, "the structure of " + a->getName().getStringRef());
      for (auto [x, y] : llvm::zip(ba.getArguments(), bb.getArguments()))
        if (!compareTypes(x.getType(), y.getType(), where, Value()))
          return false;
      for (auto [x, y] : llvm::zip(ba, bb))
        if (!compareOps(&x, &y, where))
          return false;
    }
  }
  return true;
}

// A constant whose shape moves must be the leading box of the base's (position tables sliced
// to the sequence length, ranges, causal masks): the kernels read only that box.
bool ProbeComparison::compareConstant(graph::ConstantOp a, graph::ConstantOp b) {
  std::string where = "a constant of @main";
  if (auto loc = llvm::dyn_cast<NameLoc>(a.getLoc()))
    where = "the constant of node '" + loc.getName().str() + "'";
  if (a.getValue() == b.getValue())
    return true;
  auto ta = llvm::cast<ShapedType>(a.getType()), tb = llvm::cast<ShapedType>(b.getType());
  if (ta == tb) {
    bool splatA = false, splatB = false;
    auto ra = graph::getRawBytes(a.getValue(), splatA), rb = graph::getRawBytes(b.getValue(), splatB);
    if (ra && rb && splatA == splatB && *ra == *rb)
      return true;
    return fail(where, "its value");
  }
  if (!compareTypes(ta, tb, where, a.getResult()))
    return false;
  if (ta.getNumElements() > (int64_t(1) << 24))
    return fail(where, "a large constant");
  auto va = graph::readAsDouble(a.getValue()), vb = graph::readAsDouble(b.getValue());
  if (!va || !vb)
    return fail(where, "an unreadable constant");
  SmallVector<int64_t> index(tb.getRank(), 0);
  for (int64_t flat = 0; flat < tb.getNumElements(); ++flat) {
    int64_t rest = flat, baseFlat = 0;
    for (int d = tb.getRank() - 1; d >= 0; --d) {
      index[d] = rest % tb.getDimSize(d);
      rest /= tb.getDimSize(d);
    }
    for (int d = 0; d < tb.getRank(); ++d)
      baseFlat = baseFlat * ta.getDimSize(d) + index[d];
    double x = (*va)[baseFlat], y = (*vb)[flat];
    if (x != y && !(x != x && y != y))
      return fail(where, "a constant that is not a leading box of its largest form");
  }
  return true;
}

bool ProbeComparison::compareMain(func::FuncOp a, func::FuncOp b) {
  Block &ba = a.getBody().front(), &bb = b.getBody().front();
  if (ba.getOperations().size() != bb.getOperations().size())
    return fail("@main", "the graph");
  for (auto [x, y] : llvm::zip(ba.getArguments(), bb.getArguments()))
    if (!compareTypes(x.getType(), y.getType(), "@main", x))
      return false;
  for (auto [x, y] : llvm::zip(ba, bb)) {
    if (x.getName() != y.getName() || x.getNumOperands() != y.getNumOperands() ||
        x.getNumResults() != y.getNumResults())
      return fail("@main", "the graph");
    auto call = llvm::dyn_cast<func::CallOp>(x);
    if (call && call.getCallee() != llvm::cast<func::CallOp>(y).getCallee())
      return fail("@main", "the tasks");
    if (auto c = llvm::dyn_cast<graph::ConstantOp>(x)) {
      if (!compareConstant(c, llvm::cast<graph::ConstantOp>(y)))
        return false;
      continue;
    }
    for (auto [rx, ry] : llvm::zip(x.getResults(), y.getResults()))
      if (!compareTypes(rx.getType(), ry.getType(), "@main", rx))
        return false;
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(x))
      for (auto [rx, ry] : llvm::zip(ret.getOperands(), y.getOperands()))
        if (!compareTypes(rx.getType(), ry.getType(), "@main", rx))
          return false;
  }
  return true;
}

namespace {

SmallVector<func::FuncOp> kernelsOf(ModuleOp module) {
  SmallVector<func::FuncOp> kernels;
  for (auto f : module.getOps<func::FuncOp>())
    if (f->hasAttr("kiln.kernel"))
      kernels.push_back(f);
  return kernels;
}

} // namespace

bool ProbeComparison::compare(ModuleOp base, ModuleOp probe, int symbol, int64_t size,
                              std::string &error) {
  symbol_ = symbol;
  size_ = size;
  error_ = &error;
  auto mainA = base.lookupSymbol<func::FuncOp>("main"), mainB = probe.lookupSymbol<func::FuncOp>("main");
  if (!mainA || !mainB || !compareMain(mainA, mainB))
    return mainA && mainB ? false : fail("@main", "the graph");
  SmallVector<func::FuncOp> ka = kernelsOf(base), kb = kernelsOf(probe);
  if (ka.size() != kb.size())
    return fail("the model", "the number of kernels (" + Twine(ka.size()) + " against " +
                                 Twine(kb.size()) + ")");
  for (auto [x, y] : llvm::zip(ka, kb))
    if (!compareOps(x, y, ("kernel @" + x.getSymName()).str()))
      return false;
  return true;
}


} // namespace kiln::driver
