// The auto-scheduler's design space for one kernel: sketch rules (inlining, SSRSRS multi-level
// tiling with consumer fusion, cache_write, spatial vectorization) whose free choices (tile
// sizes, compute locations, parallel granularity, vectorize, unroll) are drawn at random, and
// mutations that change one choice of a trace. Every trace it returns replays on a fresh copy
// of the kernel (schedule::Schedule::replay) and verifies.
#ifndef KILN_AUTOTUNER_RULES_SEARCHSPACE_H
#define KILN_AUTOTUNER_RULES_SEARCHSPACE_H

#include "passes/schedule/Trace.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LogicalResult.h"

#include <optional>
#include <random>
#include <string>

namespace kiln::autotuner {

class SearchSpace {
public:
  // Analyses a freshly lowered kernel (not modified; it must outlive the space).
  explicit SearchSpace(mlir::func::FuncOp kernel);

  // A random schedule: a sketch rule chosen per block, then every free choice drawn at random.
  // The returned trace replays on a fresh clone of the kernel. nullopt only if nothing applies.
  std::optional<schedule::Trace> sample(std::mt19937_64 &rng) const;

  // One random mutation of `trace` (tile sizes, unroll, compute location, parallel granularity,
  // vectorize on/off), re-validated by replaying; nullopt when no mutation yields a valid
  // trace that differs from `trace`. A trace the rules did not produce (e.g. the default
  // schedule's) is read as the nearest point of the space, then mutated.
  std::optional<schedule::Trace> mutate(const schedule::Trace &trace, std::mt19937_64 &rng) const;

  // The point of this space nearest another task's trace: its choices, read as from any
  // trace (a choice it did not make is not taken), tile factors adapted to this kernel's
  // extents (Decisions::adaptTiles) and drawn afresh where they cannot be. nullopt when the
  // result does not replay. Worth trying when the other
  // kernel has the same structure (structureKey): a 1x1 convolution's good register tile,
  // loop order and packing usually suit its neighbour of another shape.
  std::optional<schedule::Trace> transfer(const schedule::Trace &foreign,
                                          std::mt19937_64 &rng) const;

  // The default schedule's trace (passes/schedule/DefaultSchedule): a good first candidate.
  const schedule::Trace &defaultTrace() const { return defaults; }

private:
  mlir::func::FuncOp kernel;
  schedule::Trace defaults;
};

// The kernel's blocks with their loops and which are reductions, in order, extents left out:
// equal for two kernels whose schedules name the same loops (tasks of one operator pattern
// at different shapes), so one's choices can seed the other's search (SearchSpace::transfer).
std::string structureKey(mlir::func::FuncOp kernel);

// A kernel clone (in its own module, owned) with a trace replayed on it.
class ScheduledKernel {
public:
  // Fails (with the replay or verifier error in *error when given) if a step does not apply
  // or the result does not verify.
  static llvm::FailureOr<ScheduledKernel> apply(mlir::func::FuncOp original,
                                                const schedule::Trace &trace,
                                                std::string *error = nullptr);
  mlir::func::FuncOp kernel() { return func; }
  mlir::ModuleOp module() { return *owner; }

private:
  mlir::OwningOpRef<mlir::ModuleOp> owner;
  mlir::func::FuncOp func;
};

} // namespace kiln::autotuner

#endif
