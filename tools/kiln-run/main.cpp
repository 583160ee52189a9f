// kiln-run: runs a compiled model.so on .npy or random inputs (see kiln-run --help).
#include "tools/kiln-run/options.h"
#include "tools/kiln-run/runner.h"

#include <cstdio>

int main(int argc, char **argv) {
  kiln::run::Options options;
  std::string error;
  if (!kiln::run::parseOptions(argc, argv, &options, &error)) {
    std::fprintf(stderr, "kiln-run: error: %s\n", error.c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(kiln::run::kUsage, stdout);
    return 0;
  }
  return kiln::run::runModel(options);
}
