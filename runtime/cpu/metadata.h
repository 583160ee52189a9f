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

struct TensorMeta {
  std::string name; // decoded ONNX value name
  kiln_dtype dtype;
  std::vector<int64_t> shape;
  size_t numElements;
  size_t byteSize;
};

struct Metadata {
  size_t workspaceBytes = 0;
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
