// The compile pipeline behind kilnc and the compiler C API.
#ifndef KILN_COMPILER_DRIVER_COMPILER_H
#define KILN_COMPILER_DRIVER_COMPILER_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::driver {

struct CompileOptions {
  std::string target = "cpu";
  int optLevel = 3;
  std::string mcpu = "native";
  std::string mtriple; // empty: the host
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
};

// What to produce: a textual intermediate form, an object file, or the model .so.
enum class Emit { Graph, Loop, LLVM, Asm, Object, SharedObject };

// Parses "graph", "loop", "llvm", "asm", "obj", "so".
bool parseEmit(const std::string &name, Emit &emit);

// Runs the pipeline on the ONNX model at `modelPath`. Textual forms go to `text`; Object and
// SharedObject are written to `outputPath` (atomically: nothing is left behind on failure).
// Returns false with a one-line `error` naming the offending file, node, op or shape.
bool compile(const std::string &modelPath, const CompileOptions &options, Emit emit,
             const std::string &outputPath, std::string &text, std::string &error);

// The preflight of `kilnc --check`: lists every unsupported op and shape problem of the model
// without generating code (it imports, fuses and lowers to loops only). Returns true when the
// model would compile; otherwise `problems` holds one line per problem.
bool check(const std::string &modelPath, const CompileOptions &options,
           std::vector<std::string> &problems);

} // namespace kiln::driver

#endif
