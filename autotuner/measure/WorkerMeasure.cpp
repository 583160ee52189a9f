#include "autotuner/measure/WorkerMeasure.h"

#include "autotuner/measure/Subprocess.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sstream>

namespace kiln::autotuner {

std::string findTuneWorker() {
  if (const char *env = std::getenv("KILN_TUNE_WORKER"))
    return env;
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&findTuneWorker), &info) || !info.dli_fname)
    return "";
  llvm::SmallString<256> path;
  if (llvm::sys::fs::real_path(info.dli_fname, path))
    path = info.dli_fname;
  llvm::sys::path::remove_filename(path);
  if (llvm::sys::path::filename(path) != "bin")
    llvm::sys::path::append(path, "..", "bin");
  llvm::sys::path::append(path, "kiln-tune-worker");
  return llvm::sys::fs::can_execute(path) ? std::string(path) : "";
}

std::vector<BuildResult> WorkerBuilder::build(const TaskWorkspace &task,
                                              llvm::ArrayRef<std::string> traces) {
  std::vector<std::vector<std::string>> commands;
  std::vector<BuildResult> results(traces.size());
  for (size_t i = 0; i < traces.size(); ++i) {
    std::string stem = task.dir + "/candidate" + std::to_string(counter++);
    std::ofstream(stem + ".json") << traces[i] << "\n";
    results[i].artifactPath = stem + ".so";
    std::vector<std::string> command = {options.workerPath, "build", "--module", task.modulePath,
                                        "--trace-file", stem + ".json", "-o", stem + ".so",
                                        "--mcpu", options.mcpu};
    if (!options.mtriple.empty())
      command.insert(command.end(), {"--mtriple", options.mtriple});
    commands.push_back(std::move(command));
  }
  std::vector<CommandResult> done = runCommands(commands, options.parallelism, options.timeoutSec);
  for (size_t i = 0; i < traces.size(); ++i) {
    llvm::sys::fs::remove(commands[i][5]);
    if (!done[i].succeeded()) {
      results[i].error = "build: " + done[i].failure();
      llvm::sys::fs::remove(results[i].artifactPath);
      results[i].artifactPath.clear();
    }
  }
  return results;
}

MeasureResult WorkerRunner::runOne(const BuildResult &built, const std::string &outputsFlag,
                                   const std::string &outputsPath) {
  MeasureResult result;
  if (built.artifactPath.empty()) {
    result.error = built.error;
    return result;
  }
  std::vector<std::string> command = {options.workerPath, "run", "--model", built.artifactPath,
                                      "--threads", std::to_string(options.threads),
                                      "--repeats", std::to_string(options.repeats),
                                      "--min-repeat-ms", std::to_string(options.minRepeatMs),
                                      outputsFlag, outputsPath};
  CommandResult done = runCommands({command}, 1, options.timeoutSec).front();
  if (!done.succeeded()) {
    result.error = "run: " + done.failure();
    return result;
  }
  std::istringstream line(done.out);
  std::string word;
  line >> word;
  for (double seconds; line >> seconds;)
    result.latenciesSec.push_back(seconds);
  if (word != "latencies" || result.latenciesSec.empty())
    result.error = "run: unreadable worker output '" + done.out + "'";
  return result;
}

std::vector<MeasureResult> WorkerRunner::run(const TaskWorkspace &task,
                                             llvm::ArrayRef<BuildResult> built) {
  std::vector<MeasureResult> results;
  for (const BuildResult &b : built) {
    results.push_back(runOne(b, "--check-outputs", task.referencePath));
    if (!b.artifactPath.empty())
      llvm::sys::fs::remove(b.artifactPath);
  }
  return results;
}

MeasureResult WorkerRunner::runReference(const TaskWorkspace &task, const BuildResult &built) {
  MeasureResult result = runOne(built, "--write-outputs", task.referencePath);
  if (!built.artifactPath.empty())
    llvm::sys::fs::remove(built.artifactPath);
  return result;
}

} // namespace kiln::autotuner
