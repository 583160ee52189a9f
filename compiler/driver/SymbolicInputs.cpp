// Finding the symbolic dims of a model's inputs and the ranges they take.
#include "compiler/driver/SymbolicInputs.h"
#include "compiler/driver/Compiler.h"

#include "compiler/frontend/onnx/Importer.h"

#include "llvm/ADT/StringRef.h"

#include <algorithm>
#include <map>

namespace kiln::driver {

std::vector<std::pair<std::string, std::vector<int64_t>>>
SymbolicInputs::shapesAt(const std::vector<int64_t> &values) const {
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const Input &input : inputs) {
    if (!input.declaredSymbolic)
      continue;
    std::vector<int64_t> dims = input.dims;
    for (size_t d = 0; d < dims.size(); ++d)
      if (input.dimSymbol[d] >= 0)
        dims[d] = values[input.dimSymbol[d]];
    shapes.push_back({input.name, dims});
  }
  return shapes;
}

std::vector<int64_t> SymbolicInputs::maxima() const {
  std::vector<int64_t> values;
  for (const ShapeSymbol &s : symbols)
    values.push_back(s.max);
  return values;
}

bool parseDimRange(const std::string &text, std::string &name, int64_t &min, int64_t &max) {
  size_t eq = text.rfind('='), colon = text.rfind(':');
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq)
    return false;
  name = text.substr(0, eq);
  return !llvm::StringRef(text).substr(eq + 1, colon - eq - 1).getAsInteger(10, min) &&
         !llvm::StringRef(text).substr(colon + 1).getAsInteger(10, max) && min >= 1 && min <= max;
}

bool findSymbolicInputs(const std::string &path, const CompileOptions &options,
                        SymbolicInputs &out, std::string &error) {
  std::vector<onnx_frontend::InputSignature> signatures;
  if (!onnx_frontend::readInputSignatures(path, signatures, error))
    return false;
  // A dim_param that a --input-shape fixes is fixed in every input that shares it.
  std::map<std::string, int64_t> fixedParams;
  for (const auto &[name, dims] : options.inputShapes)
    for (const auto &signature : signatures)
      if (signature.name == name && signature.dims.size() == dims.size())
        for (size_t d = 0; d < dims.size(); ++d)
          if (signature.dims[d] < 0 && !signature.dimParams[d].empty())
            fixedParams[signature.dimParams[d]] = dims[d];

  std::map<std::string, int> symbolIndex;
  for (const auto &signature : signatures) {
    bool named = std::any_of(options.inputShapes.begin(), options.inputShapes.end(),
                             [&](const auto &entry) { return entry.first == signature.name; });
    SymbolicInputs::Input input{signature.name, {}, signature.dims};
    for (size_t d = 0; d < signature.dims.size(); ++d) {
      input.dimSymbol.push_back(-1);
      if (named || signature.dims[d] >= 0)
        continue;
      input.declaredSymbolic = true;
      const std::string &param = signature.dimParams[d];
      auto fixed = fixedParams.find(param);
      if (!param.empty() && fixed != fixedParams.end()) {
        input.dims[d] = fixed->second;
        continue;
      }
      std::string symbol = param.empty() ? signature.name + ":" + std::to_string(d) : param;
      auto [it, added] = symbolIndex.insert({symbol, int(out.symbols.size())});
      if (added)
        out.symbols.push_back({symbol});
      input.dimSymbol.back() = it->second;
    }
    out.inputs.push_back(std::move(input));
  }

  for (const CompileOptions::DimRange &range : options.dimRanges) {
    auto it = symbolIndex.find(range.symbol);
    if (it == symbolIndex.end()) {
      std::string known;
      for (const ShapeSymbol &s : out.symbols)
        known += (known.empty() ? "'" : ", '") + s.name + "'";
      error = "--dim-range names '" + range.symbol + "', which is not a symbolic dim of " + path +
              " (" + (known.empty() ? std::string("it has none") : "its symbols: " + known) + ")";
      return false;
    }
    out.symbols[it->second].min = range.min;
    out.symbols[it->second].max = range.max;
  }
  // A symbol with one value is a fixed dim.
  for (size_t s = 0; s < out.symbols.size(); ++s)
    if (out.symbols[s].min == out.symbols[s].max)
      for (auto &input : out.inputs)
        for (size_t d = 0; d < input.dims.size(); ++d)
          if (input.dimSymbol[d] == int(s)) {
            input.dims[d] = out.symbols[s].max;
            input.dimSymbol[d] = -1;
          }
  // Renumber the symbols that are left.
  std::vector<int> renumber(out.symbols.size(), -1);
  std::vector<ShapeSymbol> kept;
  for (size_t s = 0; s < out.symbols.size(); ++s)
    if (out.symbols[s].min < out.symbols[s].max) {
      renumber[s] = int(kept.size());
      kept.push_back(out.symbols[s]);
    }
  for (auto &input : out.inputs)
    for (int &s : input.dimSymbol)
      if (s >= 0)
        s = renumber[s];
  out.symbols = std::move(kept);
  return true;
}

} // namespace kiln::driver
