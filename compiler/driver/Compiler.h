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
  // `--dim-range NAME=MIN:MAX`: the sizes a symbolic dim takes at run time (see
  // SymbolicInputs.h for the default).
  struct DimRange {
    std::string symbol;
    int64_t min, max;
  };
  std::vector<DimRange> dimRanges;
  // A tuning database (JSON lines): kernels with a record replay the fastest one, the
  // others get the default schedule. Empty: default schedules only.
  std::string tuningDb;
  // At -O1 and above, convolutions run channels last (passes/graph/ChannelsLast.cpp);
  // `--conv-layout=nchw` keeps ONNX's layout.
  bool channelsLast = true;
  // How 3x3 stride-1 channels-last convolutions run (passes/graph/Winograd.cpp): "auto"
  // tunes their direct and Winograd forms side by side and builds the fastest by the
  // database's records (direct without a database); "direct"; "winograd" for all of them.
  std::string convAlgorithm = "auto";
};

// What `kilnc --tune` asks for; see autotuner/task_scheduler/TuningSession.h.
struct TuneRequest {
  int64_t trials = 1000;
  int64_t trialsPerTask = 0;
  int threads = 0;
  bool progress = true;
  uint64_t seed = 0;
  std::string workDir;
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

// Tunes every task of the model, appending records to options.tuningDb (created when
// missing); `report` receives the final per-task table. Ctrl-C stops between candidates with
// every record kept: then `interrupted` is set and the call still returns true.
bool tune(const std::string &modelPath, const CompileOptions &options, const TuneRequest &request,
          std::string &report, bool &interrupted, std::string &error);

} // namespace kiln::driver

#endif
