// Ctrl-C and `kill` during tuning: while a guard lives, SIGINT and SIGTERM only raise a flag
// that the tuning loop polls, so it stops between candidates with every record already on
// disk (records are appended and synced as they are measured). Guards nest: the compiler
// installs one before importing the model, so an early Ctrl-C is caught too.
#ifndef KILN_AUTOTUNER_TASK_SCHEDULER_INTERRUPT_H
#define KILN_AUTOTUNER_TASK_SCHEDULER_INTERRUPT_H

namespace kiln::autotuner {

class InterruptGuard {
public:
  InterruptGuard();
  ~InterruptGuard(); // restores the previous handlers
  InterruptGuard(const InterruptGuard &) = delete;
  InterruptGuard &operator=(const InterruptGuard &) = delete;

  static bool interrupted();
  // The signal that stopped tuning (SIGINT or SIGTERM), 0 if none.
  static int signalNumber();
};

} // namespace kiln::autotuner

#endif
