// Symbolic dims by differential compilation: the probe sizes, and the driver loop.
#include "compiler/driver/ShapeProbes.h"
#include "compiler/driver/ProbeComparison.h"

#include <set>

using namespace mlir;

namespace kiln::driver {

// Size 1 is probed only when at least two other sizes can be: there the graph legitimately
// changes (a softmax over one element folds to 1, a transpose of a unit dim becomes a reshape)
// while the kernels at the maxima, bounded to 1, compute the same values. What size 1 changes
// in ONNX semantics, two symbols meeting in a broadcast, already fails to import at size 2.
// Two probes besides the maximum are kept wherever the range has them, so that three points
// test each affine fit (with two, any increasing function would pass).
std::vector<int64_t> probeSizes(const ShapeSymbol &s) {
  std::set<int64_t> sizes = {s.max - 1, s.min + (s.max - s.min) / 2, s.min};
  sizes.erase(s.max);
  if (sizes.count(1) && s.max > 3) {
    sizes.erase(1);
    sizes.insert(2);
    if (sizes.size() < 2)
      sizes.insert(3);
  }
  return std::vector<int64_t>(sizes.begin(), sizes.end());
}

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
