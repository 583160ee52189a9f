// Comparing the model lowered at probe sizes with its base, and fitting the dims that move.
#include "compiler/driver/ShapeProbes.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"
#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"

#include <cmath>
#include <set>

using namespace mlir;

namespace kiln::driver {

// Size 1 is probed only when the range has no other size: there the graph legitimately
// changes (a softmax over one element folds to 1, a transpose of a unit dim becomes a reshape)
// while the kernels at the maxima, bounded to 1, compute the same values. What size 1 changes
// in ONNX semantics, two symbols meeting in a broadcast, already fails to import at size 2.
std::vector<int64_t> probeSizes(const ShapeSymbol &s) {
  std::set<int64_t> sizes = {s.max - 1, s.min + (s.max - s.min) / 2, s.min};
  sizes.erase(s.max);
  if (sizes.size() > 1 && sizes.count(1)) {
    sizes.erase(1);
    if (s.max > 2)
      sizes.insert(2);
  }
  return std::vector<int64_t>(sizes.begin(), sizes.end());
}

namespace {

using loop::kIntegerConstant;
using loop::kReciprocalConstant;

// One number of the base module (a block domain, a dim of a value of @main) that a probe
// changed: its value at the base and at each (symbol, size) probe that changed it.
struct Moved {
  int64_t base = 0;
  std::map<std::pair<int, int64_t>, int64_t> samples;
};

class ProbeComparison {
public:
  ProbeComparison(const SymbolicInputs &symbols) : symbols_(symbols) {}

  // Compares the module lowered with `symbol` at `size` against the base.
  bool compare(ModuleOp base, ModuleOp probe, int symbol, int64_t size, std::string &error);
  // Fits every moved number and writes the annotations into the base.
  bool annotate(ModuleOp base, std::string &error);

private:
  bool compareOps(Operation *a, Operation *b, StringRef where);
  bool compareTypes(Type a, Type b, StringRef where, Value baseValue);
  bool compareMain(func::FuncOp a, func::FuncOp b);
  bool compareConstant(graph::ConstantOp a, graph::ConstantOp b);
  bool fail(StringRef where, const Twine &what);
  // value = scale * symbol + offset over the symbol's probes; false when no such formula.
  bool fit(const Moved &moved, StringRef what, int64_t &symbol, int64_t &scale, int64_t &offset);
  bool checkReshape(graph::ReshapeOp reshape);
  bool recordConstant(Operation *op, Attribute base, Attribute probe);
  bool isSymbolicDim(Value v, unsigned dim) const { return movedDims_.count({v, dim}) > 0; }

  const SymbolicInputs &symbols_;
  int symbol_ = 0;
  int64_t size_ = 0;
  std::string *error_ = nullptr;
  llvm::MapVector<std::pair<Operation *, unsigned>, Moved> domains_; // block, iter var
  llvm::MapVector<std::pair<Value, unsigned>, Moved> movedDims_;    // value of @main, dim
  llvm::MapVector<std::pair<Operation *, unsigned>, Moved> constants_; // arith.constant, kind
};

std::string symbolText(const SymbolicInputs &s, int symbol, int64_t size) {
  return "'" + s.symbols[symbol].name + "' = " + std::to_string(size);
}

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
    return fail(where, "the value of " + where.substr(4));
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

SmallVector<func::FuncOp> kernelsOf(ModuleOp module) {
  SmallVector<func::FuncOp> kernels;
  for (auto f : module.getOps<func::FuncOp>())
    if (f->hasAttr("kiln.kernel"))
      kernels.push_back(f);
  return kernels;
}

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

} // namespace

namespace {

bool ProbeComparison::fit(const Moved &moved, StringRef what, int64_t &symbol, int64_t &scale,
                          int64_t &offset) {
  symbol = moved.samples.begin()->first.first;
  for (const auto &[key, value] : moved.samples)
    if (key.first != symbol) {
      *error_ = (what + " changes with both '" + symbols_.symbols[symbol].name + "' and '" +
                 symbols_.symbols[key.first].name +
                 "'; Kiln keeps a dim symbolic only when it follows one symbol: fix one of them "
                 "with --input-shape or --dim-range")
                    .str();
      return false;
    }
  const ShapeSymbol &s = symbols_.symbols[symbol];
  std::vector<std::pair<int64_t, int64_t>> points = {{s.max, moved.base}};
  for (int64_t size : probeSizes(s)) {
    auto it = moved.samples.find({int(symbol), size});
    points.push_back({size, it == moved.samples.end() ? moved.base : it->second});
  }
  auto [x1, y1] = points[1];
  int64_t dx = s.max - x1, dy = moved.base - y1;
  bool affine = dx != 0 && dy % dx == 0 && dy > 0;
  scale = affine ? dy / dx : 0;
  offset = moved.base - scale * s.max;
  for (auto [x, y] : points)
    affine = affine && scale * x + offset == y;
  if (!affine) {
    std::string values;
    for (auto [x, y] : points)
      values += (values.empty() ? "" : ", ") + std::to_string(y) + " at " + std::to_string(x);
    *error_ = (what + " is not an increasing affine function of the symbolic dim '" + s.name +
               "' (" + values + "); fix it with --input-shape or --dim-range " + s.name + "=N:N")
                  .str();
  }
  return affine;
}

// Non-unit dims of a shape at the maxima, each with whether it moves with a symbol.
SmallVector<std::pair<int64_t, bool>> significantDims(ShapedType type,
                                                     llvm::function_ref<bool(unsigned)> moves) {
  SmallVector<std::pair<int64_t, bool>> dims;
  for (unsigned d = 0; d < type.getRank(); ++d)
    if (type.getDimSize(d) != 1 || moves(d))
      dims.push_back({type.getDimSize(d), moves(d)});
  return dims;
}

// A reshape of @main aliases its input's storage, which is laid out at the maxima. That is the
// layout of the reshaped tensor too when each group of dims it merges or splits has its moving
// dim first ([B, S, 768] -> [B, S, 12, 64], [S, 768] -> [S*768]); [12, S, 64] -> [12*S*64]
// would read padding.
bool ProbeComparison::checkReshape(graph::ReshapeOp reshape) {
  auto in = significantDims(llvm::cast<ShapedType>(reshape.getInput().getType()),
                            [&](unsigned d) { return isSymbolicDim(reshape.getInput(), d); });
  auto out = significantDims(llvm::cast<ShapedType>(reshape.getType()),
                             [&](unsigned d) { return isSymbolicDim(reshape.getResult(), d); });
  size_t i = 0, j = 0;
  while (i < in.size() && j < out.size()) {
    int64_t pi = in[i].first, pj = out[j].first;
    size_t gi = i++, gj = j++;
    while (pi != pj) {
      if (pi < pj && i < in.size())
        pi *= in[i++].first;
      else if (pj < pi && j < out.size())
        pj *= out[j++].first;
      else
        break;
    }
    for (size_t k = gi + 1; k < i; ++k)
      if (in[k].second)
        return false;
    for (size_t k = gj + 1; k < j; ++k)
      if (out[k].second)
        return false;
  }
  return true;
}

bool ProbeComparison::annotate(ModuleOp base, std::string &error) {
  error_ = &error;
  Builder b(base.getContext());
  DenseMap<Operation *, SmallVector<int64_t>> dynDomains;
  for (auto &[key, moved] : domains_) {
    auto block = llvm::cast<loop::BlockOp>(key.first);
    int64_t symbol, scale, offset;
    std::string what = "the domain of block '" + block.getBlockName().str() + "' in kernel @" +
                       block->getParentOfType<func::FuncOp>().getSymName().str();
    if (!fit(moved, what, symbol, scale, offset))
      return false;
    auto &entries = dynDomains[block];
    if (entries.empty())
      for (int64_t domain : block.getDomains())
        entries.append({-1, 0, domain});
    entries[3 * key.second] = symbol;
    entries[3 * key.second + 1] = scale;
    entries[3 * key.second + 2] = offset;
  }
  for (auto &[block, entries] : dynDomains)
    block->setAttr(loop::kDynamicDomainsAttr, b.getDenseI64ArrayAttr(entries));
  for (auto &[key, moved] : constants_) {
    int64_t symbol, scale, offset;
    std::string what = "a constant in kernel @" +
                       key.first->getParentOfType<func::FuncOp>().getSymName().str();
    if (!fit(moved, what, symbol, scale, offset))
      return false;
    key.first->setAttr(loop::kDynamicValueAttr,
                       b.getDenseI64ArrayAttr({symbol, scale, offset, int64_t(key.second)}));
  }

  auto main = base.lookupSymbol<func::FuncOp>("main");
  auto dimsOf = [&](Value v, const std::string &what) -> std::optional<DenseI64ArrayAttr> {
    auto type = llvm::cast<ShapedType>(v.getType());
    SmallVector<int64_t> dims;
    for (unsigned d = 0; d < type.getRank(); ++d) {
      auto it = movedDims_.find({v, d});
      int64_t symbol = -1, scale = 0, offset = type.getDimSize(d);
      if (it != movedDims_.end() &&
          !fit(it->second, what + " dim " + std::to_string(d), symbol, scale, offset))
        return std::nullopt;
      dims.append({symbol, scale, offset});
    }
    return b.getDenseI64ArrayAttr(dims);
  };
  auto nameOf = [&](DictionaryAttr attrs, const std::string &fallback) {
    auto name = attrs ? attrs.getAs<StringAttr>("kg.name") : StringAttr();
    return name ? "'" + name.str() + "'" : fallback;
  };
  for (unsigned i = 0; i < main.getNumArguments(); ++i) {
    auto dims = dimsOf(main.getArgument(i), "input " + nameOf(main.getArgAttrDict(i), std::to_string(i)));
    if (!dims)
      return false;
    main.setArgAttr(i, "kiln.dims", *dims);
  }
  auto ret = llvm::cast<func::ReturnOp>(main.getBody().front().getTerminator());
  for (auto [j, v] : llvm::enumerate(ret.getOperands())) {
    auto dims = dimsOf(v, "output " + nameOf(main.getResultAttrDict(j), std::to_string(j)));
    if (!dims)
      return false;
    main.setResultAttr(j, "kiln.dims", *dims);
  }
  for (auto reshape : main.getOps<graph::ReshapeOp>())
    if (!checkReshape(reshape)) {
      std::string node = "a reshape";
      if (auto loc = llvm::dyn_cast<NameLoc>(reshape.getLoc()))
        node = "the reshape of node '" + loc.getName().str() + "'";
      error = node + " merges a symbolic dim into the dims before it, which Kiln's storage at "
                     "the range maxima cannot alias; fix the symbolic dims with --input-shape";
      return false;
    }
  SmallVector<Attribute> table;
  for (const ShapeSymbol &s : symbols_.symbols)
    table.push_back(b.getArrayAttr(
        {b.getStringAttr(s.name), b.getI64IntegerAttr(s.min), b.getI64IntegerAttr(s.max)}));
  base->setAttr("kiln.symbols", b.getArrayAttr(table));
  return true;
}

} // namespace

OwningOpRef<ModuleOp> lowerWithSymbols(const SymbolicInputs &symbols, LowerAt lowerAt,
                                       std::string &error) {
  OwningOpRef<ModuleOp> base = lowerAt(symbols.maxima());
  if (!base)
    return base;
  ProbeComparison comparison(symbols);
  for (size_t s = 0; s < symbols.symbols.size(); ++s)
    for (int64_t size : probeSizes(symbols.symbols[s])) {
      std::vector<int64_t> values = symbols.maxima();
      values[s] = size;
      OwningOpRef<ModuleOp> probe = lowerAt(values);
      if (!probe) {
        error = "with the symbolic dim '" + symbols.symbols[s].name + "' = " +
                std::to_string(size) + ": " + error;
        return nullptr;
      }
      if (!comparison.compare(*base, *probe, int(s), size, error))
        return nullptr;
    }
  if (!comparison.annotate(*base, error))
    return nullptr;
  return base;
}

} // namespace kiln::driver
