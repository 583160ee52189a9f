// kiln-tune-worker: the auto-scheduler's builder and runner, one candidate per process.
//
//   kiln-tune-worker build --module TASK.mlir --trace-file TRACE.json -o CAND.so [--mcpu C]
//                          [--mtriple T]      (the trace file may hold "default")
//   kiln-tune-worker run --model CAND.so [--threads N] [--repeats R] [--min-repeat-ms MS]
//                        [--weights cold|warm]  (cold: weights flushed from the caches per run)
//                        [--write-outputs FILE | --check-outputs FILE]
// `run` prints "latencies S1 S2 ..." (seconds per run). Failures print one line on stderr and
// exit 1; the tuner records that line as the candidate's error.
#include "autotuner/measure/worker/BuildCandidate.h"
#include "autotuner/measure/worker/TimeCandidate.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

int failWith(const std::string &message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  return 1;
}

// "--flag value" pairs after the subcommand.
bool parseFlags(int argc, char **argv, std::map<std::string, std::string> &flags) {
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc || argv[i][0] != '-')
      return false;
    flags[argv[i]] = argv[i + 1];
  }
  return true;
}

std::string flag(const std::map<std::string, std::string> &flags, const char *name,
                 const std::string &fallback = "") {
  auto it = flags.find(name);
  return it == flags.end() ? fallback : it->second;
}

int build(const std::map<std::string, std::string> &flags) {
  kiln::autotuner::BuildRequest request;
  request.taskModulePath = flag(flags, "--module");
  request.outputPath = flag(flags, "-o");
  request.mcpu = flag(flags, "--mcpu", "native");
  request.mtriple = flag(flags, "--mtriple");
  std::ifstream traceFile(flag(flags, "--trace-file"));
  std::stringstream trace;
  trace << traceFile.rdbuf();
  if (!traceFile || request.taskModulePath.empty() || request.outputPath.empty())
    return failWith("build needs --module, a readable --trace-file and -o");
  request.trace = trace.str();
  while (!request.trace.empty() && std::isspace(static_cast<unsigned char>(request.trace.back())))
    request.trace.pop_back();
  std::string error;
  return kiln::autotuner::buildCandidate(request, error) ? 0 : failWith(error);
}

int run(const std::map<std::string, std::string> &flags) {
  kiln::autotuner::TimeRequest request;
  request.modelPath = flag(flags, "--model");
  request.threads = std::atoi(flag(flags, "--threads", "0").c_str());
  request.repeats = std::max(1, std::atoi(flag(flags, "--repeats", "3").c_str()));
  request.minRepeatMs = std::atof(flag(flags, "--min-repeat-ms", "20").c_str());
  request.writeOutputs = flag(flags, "--write-outputs");
  request.checkOutputs = flag(flags, "--check-outputs");
  request.coldWeights = flag(flags, "--weights", "cold") != "warm";
  if (request.modelPath.empty())
    return failWith("run needs --model");
  std::vector<double> latencies;
  std::string error;
  if (!kiln::autotuner::timeCandidate(request, latencies, error))
    return failWith(error);
  std::printf("latencies");
  for (double s : latencies)
    std::printf(" %.9g", s);
  std::printf("\n");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  std::map<std::string, std::string> flags;
  std::string command = argc > 1 ? argv[1] : "";
  if ((command != "build" && command != "run") || !parseFlags(argc, argv, flags))
    return failWith("usage: kiln-tune-worker build|run --flag value ... (see the source header)");
  return command == "build" ? build(flags) : run(flags);
}
