#include "autotuner/task_scheduler/Interrupt.h"

#include <atomic>
#include <csignal>

namespace kiln::autotuner {

static std::atomic<int> caughtSignal{0};
static int depth = 0; // guards nest: only the outermost installs and restores handlers
static struct sigaction previousInt, previousTerm;

static void onSignal(int sig) { caughtSignal.store(sig); }

InterruptGuard::InterruptGuard() {
  if (depth++)
    return;
  caughtSignal.store(0);
  struct sigaction action = {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previousInt);
  sigaction(SIGTERM, &action, &previousTerm);
}

InterruptGuard::~InterruptGuard() {
  if (--depth)
    return;
  sigaction(SIGINT, &previousInt, nullptr);
  sigaction(SIGTERM, &previousTerm, nullptr);
}

bool InterruptGuard::interrupted() { return caughtSignal.load() != 0; }
int InterruptGuard::signalNumber() { return caughtSignal.load(); }

} // namespace kiln::autotuner
