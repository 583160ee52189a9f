// The builder half of the measurement worker: compiles a task module with one candidate
// schedule into a model .so. Runs in its own process, so a crash costs one candidate.
#ifndef KILN_AUTOTUNER_MEASURE_WORKER_BUILDCANDIDATE_H
#define KILN_AUTOTUNER_MEASURE_WORKER_BUILDCANDIDATE_H

#include <string>

namespace kiln::autotuner {

struct BuildRequest {
  std::string taskModulePath; // from taskModuleText()
  std::string trace;          // JSON trace text; "default" for the default schedule
  std::string mcpu = "native";
  std::string mtriple;
  std::string outputPath;
};

// Returns false with `error` naming what failed (parse, replay step, codegen, link).
bool buildCandidate(const BuildRequest &request, std::string &error);

} // namespace kiln::autotuner

#endif
