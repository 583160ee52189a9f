// Runs commands in child processes, a few at a time, each with a time limit: what makes a
// candidate that crashes or hangs cost one trial instead of the tuning session.
#ifndef KILN_AUTOTUNER_MEASURE_SUBPROCESS_H
#define KILN_AUTOTUNER_MEASURE_SUBPROCESS_H

#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace kiln::autotuner {

struct CommandResult {
  int exitCode = -1;    // the exit status when the child exited
  int signal = 0;       // the signal that killed it, 0 if none
  bool timedOut = false; // killed by us at the time limit
  std::string out, err; // what it printed

  bool succeeded() const { return exitCode == 0 && !signal && !timedOut; }
  // One line saying how it failed: its last stderr line, the signal, or the time limit.
  std::string failure() const;
};

// Runs each command (program path first, then its arguments) with at most `parallelism` alive
// at once; a child still running after `timeoutSec` is killed. Results follow the input order.
std::vector<CommandResult> runCommands(llvm::ArrayRef<std::vector<std::string>> commands,
                                       unsigned parallelism, double timeoutSec);

} // namespace kiln::autotuner

#endif
