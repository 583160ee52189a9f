#include "autotuner/task_scheduler/Interrupt.h"

#include <atomic>
#include <csignal>

namespace kiln::autotuner {

static std::atomic<int> caughtSignal{0};
static struct sigaction previousInt, previousTerm;

static void onSignal(int sig) { caughtSignal.store(sig); }

InterruptGuard::InterruptGuard() {
  caughtSignal.store(0);
  struct sigaction action = {};
  action.sa_handler = onSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previousInt);
  sigaction(SIGTERM, &action, &previousTerm);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previousInt, nullptr);
  sigaction(SIGTERM, &previousTerm, nullptr);
}

bool InterruptGuard::interrupted() { return caughtSignal.load() != 0; }
int InterruptGuard::signalNumber() { return caughtSignal.load(); }

} // namespace kiln::autotuner
