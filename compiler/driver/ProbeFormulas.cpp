// Fitting what moved with a symbol into affine formulas, and writing them into the base.
#include "compiler/driver/ProbeComparison.h"
#include "compiler/driver/ShapeProbes.h"

#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"

using namespace mlir;

namespace kiln::driver {

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
  auto main = base.lookupSymbol<func::FuncOp>("main");
  if (!checkLayouts(main, dynDomains))
    return false;
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
  SmallVector<Attribute> table;
  for (const ShapeSymbol &s : symbols_.symbols)
    table.push_back(b.getArrayAttr(
        {b.getStringAttr(s.name), b.getI64IntegerAttr(s.min), b.getI64IntegerAttr(s.max)}));
  base->setAttr("kiln.symbols", b.getArrayAttr(table));
  return true;
}


} // namespace kiln::driver
