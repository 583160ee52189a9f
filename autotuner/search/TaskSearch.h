// Evolutionary search over one task's schedule space, guided by the cost model
// (MetaSchedule-style): a population seeded with the best measured schedules and random
// samples evolves by mutation, parents drawn in proportion to their predicted score; the
// next batch to measure is the best predicted unmeasured candidates, plus a share of direct
// mutations of the best measured ones (robust while the model is still poor) and an eps share
// of random ones so the model keeps seeing unexplored parts of the space.
#ifndef KILN_AUTOTUNER_SEARCH_TASKSEARCH_H
#define KILN_AUTOTUNER_SEARCH_TASKSEARCH_H

#include "autotuner/cost_model/CostModel.h"
#include "autotuner/rules/SearchSpace.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <random>

namespace kiln::autotuner {

struct SearchOptions {
  size_t populationSize = 128;
  size_t generations = 3;
  double mutationProbability = 0.85;
  double epsGreedy = 0.05;
  double localShare = 0.25;  // of a batch: mutations of the best measured schedules
  size_t measuredSeeds = 16; // best measured schedules that seed each population
  size_t transferred = 4;    // per batch at most: other tasks' best schedules, adapted
};

// A candidate with the features the cost model scores.
struct Candidate {
  schedule::Trace trace;
  std::string key; // the trace's JSON text: identity for deduplication and records
  std::vector<float> features;
};

class TaskSearch {
public:
  TaskSearch(std::string taskKey, mlir::func::FuncOp kernel, SearchOptions options,
             uint64_t seed);

  // Applies `trace` to a clone of the kernel and extracts its features; nullopt when it
  // does not replay.
  std::optional<Candidate> makeCandidate(const schedule::Trace &trace) const;

  // Records a measurement (from this session or an earlier one); a failed candidate has no
  // latency and is never proposed again.
  void addMeasured(const Candidate &candidate, std::optional<double> latencySec);

  // Up to `count` unmeasured candidates to measure next.
  std::vector<Candidate> propose(size_t count, const CostModel &model);

  // The best schedules measured so far of tasks with this kernel's structure, best first: the
  // next batch measures each one not seen before adapted to this task (SearchSpace::transfer),
  // so what one task's search finds (a register tile, a loop order, a packing) is tried by
  // its neighbours at other shapes without waiting for their own searches to stumble on it.
  void setNeighbourBests(std::vector<Candidate> bests) { neighbourBests = std::move(bests); }

  // This task's fastest measured schedule, if any.
  const Candidate *best() const {
    return bestMeasured.empty() ? nullptr : &bestMeasured.front().second;
  }
  // The kernel's structureKey: tasks with equal keys share their best schedules.
  const std::string &structure() const { return structureKey_; }

  // Every successful measurement of this task, for training the cost model.
  const std::vector<MeasuredProgram> &measuredPrograms() const { return measured; }
  size_t numTried() const { return tried.size(); }

private:
  std::vector<Candidate> initialPopulation();
  std::vector<Candidate> evolve(std::vector<Candidate> population, const CostModel &model,
                                std::vector<std::pair<double, Candidate>> &best);

  std::string taskKey;
  mlir::func::FuncOp kernel;
  SearchSpace space;
  SearchOptions options;
  mutable std::mt19937_64 rng;
  llvm::StringMap<double> tried; // trace key -> latency (infinity when it failed)
  std::vector<std::pair<double, Candidate>> bestMeasured; // ascending latency
  std::vector<MeasuredProgram> measured;
  std::vector<Candidate> neighbourBests;
  llvm::StringSet<> transferredFrom; // keys of the neighbour schedules already adapted
  std::string structureKey_;
};

} // namespace kiln::autotuner

#endif
