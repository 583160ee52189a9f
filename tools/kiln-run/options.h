// Command-line options of kiln-run.
#ifndef KILN_TOOLS_KILN_RUN_OPTIONS_H
#define KILN_TOOLS_KILN_RUN_OPTIONS_H

#include "kiln/runtime.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kiln::run {

struct InputFile {
  std::string name; // ONNX input name
  std::string path; // .npy file
};

struct Options {
  std::string modelPath;
  std::vector<InputFile> inputs;
  // --dim SYMBOL=N: the size of a symbolic dim for random inputs (default: its maximum).
  std::vector<std::pair<std::string, int64_t>> dims;
  std::string outputDir; // empty: print the outputs instead
  int64_t benchIterations = 0;
  int32_t numThreads = 0; // 0: all cores
  int32_t threadAffinity = KILN_THREAD_AFFINITY_AUTO;
  uint64_t seed = 0;
  bool info = false;
  bool help = false;
};

extern const char kUsage[];

// Parses argv. On a usage error returns false with a one-line message.
bool parseOptions(int argc, const char *const *argv, Options *out, std::string *error);

} // namespace kiln::run

#endif
