// The parsed form of `kiln_model_metadata`, the text the compiler emits beside each model
// (format in kiln/model_abi.h), and the parser that checks it.
#ifndef KILN_RUNTIME_CPU_METADATA_H
#define KILN_RUNTIME_CPU_METADATA_H

#include "kiln/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::rt {

// The metadata format version this runtime reads (the N of the "kiln-model N" line).
constexpr int kMetadataVersion = 1;

// A symbolic dim of the model and the sizes it may take.
struct SymbolMeta {
  std::string name;
  int64_t min = 0, max = 0;
};

// A dim of an input or output: scale * symbol + offset, or the fixed size `offset` when
// symbol < 0.
struct DimMeta {
  int32_t symbol = -1;
  int64_t scale = 0, offset = 0;
  int64_t at(const int64_t *symbolValues) const {
    return symbol < 0 ? offset : scale * symbolValues[symbol] + offset;
  }
};

struct TensorMeta {
  std::string name; // decoded ONNX value name
  kiln_dtype dtype;
  std::vector<int64_t> shape; // at the symbols' maxima: the layout of the model's buffers
  std::vector<DimMeta> dims;
  // What kiln_tensor_info reports: the shape with -1 for a symbolic dim, and per dim NULL or
  // the dim's expression ("seq", "2*seq+1").
  std::vector<int64_t> reportedShape;
  std::vector<std::string> dimText;
  std::vector<const char *> dimNames;
  size_t numElements; // at the maxima
  size_t byteSize;
  bool isSymbolic() const { return !dimText.empty(); }
};

struct Metadata {
  size_t workspaceBytes = 0;
  std::vector<SymbolMeta> symbols;
  std::vector<TensorMeta> inputs;
  std::vector<TensorMeta> outputs;
  std::vector<std::string> checks; // run-time check messages, in "check" record order
};

// Parses and validates metadata text. On failure returns false and sets `error` to one line
// such as "line 3: unknown dtype 'float8'"; `out` is then unspecified.
bool parseMetadata(std::string_view text, Metadata *out, std::string *error);

// Decodes a percent-encoded name: bytes in [A-Za-z0-9_.:/-] stand for themselves, any byte
// as %XX. False for other raw bytes, bad escapes, %00 and the empty name.
bool percentDecode(std::string_view encoded, std::string *out);

// "1x3x224x224"; "scalar" for rank 0. Used in every shape message so they read alike.
std::string formatShape(const int64_t *shape, size_t rank);

} // namespace kiln::rt

#endif
