// kiln-run's work once the flags are parsed: load, prepare inputs, run or bench, emit outputs.
#ifndef KILN_TOOLS_KILN_RUN_RUNNER_H
#define KILN_TOOLS_KILN_RUN_RUNNER_H

#include "tools/kiln-run/options.h"

#include <string>

namespace kiln::run {

// Returns the process exit code: 0, or 1 after printing one "kiln-run: error: ..." line.
int runModel(const Options &options);

// The file name for output `name`: '/' becomes '_' so every output stays inside the folder.
std::string outputFileName(const std::string &name);

} // namespace kiln::run

#endif
