// The symbolic dims of a model's inputs: which dims are symbols, their names and ranges.
//
// A model whose inputs have symbolic dims (ONNX dim_param, or no dim_value) is compiled once
// for every size in each symbol's range [min, max]: tensors are stored at the range maximum
// and kernels iterate over the sizes the run's inputs bind (see ShapeProbes.h). Dims that
// share a dim_param are one symbol; an unnamed dim is its own symbol, named "INPUT:DIM".
#ifndef KILN_COMPILER_DRIVER_SYMBOLICINPUTS_H
#define KILN_COMPILER_DRIVER_SYMBOLICINPUTS_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::driver {

struct CompileOptions;

// The range a symbol takes when --dim-range does not give one.
inline constexpr int64_t kDefaultSymbolMin = 1, kDefaultSymbolMax = 128;

struct ShapeSymbol {
  std::string name;
  int64_t min = kDefaultSymbolMin, max = kDefaultSymbolMax;
};

struct SymbolicInputs {
  std::vector<ShapeSymbol> symbols;
  // Per graph input with a shape: its name and, per dim, the symbol it is (-1: fixed), with
  // the fixed dims' values.
  struct Input {
    std::string name;
    std::vector<int> dimSymbol;
    std::vector<int64_t> dims;
    bool declaredSymbolic = false; // the model leaves some dim open: the importer needs dims
  };
  std::vector<Input> inputs;

  bool empty() const { return symbols.empty(); }
  // The --input-shape list that fixes every symbol at `values` (one per symbol).
  std::vector<std::pair<std::string, std::vector<int64_t>>>
  shapesAt(const std::vector<int64_t> &values) const;
  std::vector<int64_t> maxima() const;
};

// Finds the symbols of the model at `path`. Inputs named by --input-shape are fixed, and so is
// every symbol they fix (a dim_param shared with another input). Ranges come from
// --dim-range SYMBOL=MIN:MAX; naming a symbol the model lacks, or MIN > MAX, is an error.
bool findSymbolicInputs(const std::string &path, const CompileOptions &options,
                        SymbolicInputs &out, std::string &error);

// Parses "NAME=MIN:MAX" (MIN >= 1).
bool parseDimRange(const std::string &text, std::string &name, int64_t &min, int64_t &max);

} // namespace kiln::driver

#endif
