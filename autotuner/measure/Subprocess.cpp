#include "autotuner/measure/Subprocess.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <sys/wait.h>
#include <thread>

namespace kiln::autotuner {

std::string CommandResult::failure() const {
  if (timedOut)
    return "timed out";
  std::string last;
  for (size_t end = err.size(); end > 0 && last.empty();) {
    size_t start = err.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    last = err.substr(start, end - start);
    end = start ? start - 1 : 0;
  }
  if (signal)
    return "crashed (" + std::string(strsignal(signal)) + ")" + (last.empty() ? "" : ": " + last);
  if (!last.empty())
    return last;
  return exitCode < 0 ? "could not start" : "exited with status " + std::to_string(exitCode);
}

namespace {

struct Child {
  size_t index;
  pid_t pid;
  std::chrono::steady_clock::time_point start;
  llvm::SmallString<128> outPath, errPath;
};

std::string readAndRemove(const llvm::SmallString<128> &path) {
  std::string text;
  if (auto buffer = llvm::MemoryBuffer::getFile(path))
    text = (*buffer)->getBuffer().str();
  llvm::sys::fs::remove(path);
  return text;
}

} // namespace

std::vector<CommandResult> runCommands(llvm::ArrayRef<std::vector<std::string>> commands,
                                       unsigned parallelism, double timeoutSec) {
  std::vector<CommandResult> results(commands.size());
  std::vector<Child> alive;
  size_t next = 0;
  auto start = [&](size_t i) {
    Child child{i, 0, std::chrono::steady_clock::now(), {}, {}};
    llvm::sys::fs::createTemporaryFile("kiln-worker", "out", child.outPath);
    llvm::sys::fs::createTemporaryFile("kiln-worker", "err", child.errPath);
    std::vector<llvm::StringRef> args(commands[i].begin(), commands[i].end());
    std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), child.outPath.str(),
                                                  child.errPath.str()};
    std::string message;
    bool failed = false;
    llvm::sys::ProcessInfo info = llvm::sys::ExecuteNoWait(args.front(), args, std::nullopt,
                                                           redirects, 0, &message, &failed);
    if (failed || info.Pid <= 0) {
      results[i].err = "cannot start " + args.front().str() + ": " + message;
      readAndRemove(child.outPath);
      readAndRemove(child.errPath);
      return;
    }
    child.pid = info.Pid;
    alive.push_back(child);
  };
  auto finish = [&](const Child &child, int status, bool timedOut) {
    CommandResult &r = results[child.index];
    r.timedOut = timedOut;
    if (!timedOut && WIFEXITED(status))
      r.exitCode = WEXITSTATUS(status);
    else if (!timedOut && WIFSIGNALED(status))
      r.signal = WTERMSIG(status);
    r.out = readAndRemove(child.outPath);
    r.err = readAndRemove(child.errPath);
  };

  while (next < commands.size() || !alive.empty()) {
    while (next < commands.size() && alive.size() < std::max(1u, parallelism))
      start(next++);
    bool progressed = false;
    for (size_t k = 0; k < alive.size();) {
      Child &child = alive[k];
      int status = 0;
      pid_t done = waitpid(child.pid, &status, WNOHANG);
      std::chrono::duration<double> age = std::chrono::steady_clock::now() - child.start;
      bool late = done == 0 && age.count() > timeoutSec;
      if (late) {
        kill(child.pid, SIGKILL);
        waitpid(child.pid, &status, 0);
      }
      if (done != 0 || late) {
        finish(child, status, late);
        alive.erase(alive.begin() + k);
        progressed = true;
      } else {
        ++k;
      }
    }
    if (!progressed && !alive.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return results;
}

} // namespace kiln::autotuner
