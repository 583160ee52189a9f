#include "autotuner/search/TaskSearch.h"

#include "autotuner/features/ProgramFeatures.h"

#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace kiln::autotuner {

TaskSearch::TaskSearch(std::string taskKey, mlir::func::FuncOp kernel, SearchOptions options,
                       uint64_t seed)
    : taskKey(std::move(taskKey)), kernel(kernel), space(kernel), options(options), rng(seed),
      structureKey_(structureKey(kernel)) {}

std::optional<Candidate> TaskSearch::makeCandidate(const schedule::Trace &trace) const {
  std::string error;
  auto scheduled = ScheduledKernel::apply(kernel, trace, &error);
  if (mlir::failed(scheduled))
    return std::nullopt;
  return Candidate{trace, trace.toString(), extractProgramFeatures(scheduled->kernel())};
}

void TaskSearch::addMeasured(const Candidate &candidate, std::optional<double> latencySec) {
  double latency = latencySec.value_or(std::numeric_limits<double>::infinity());
  if (!tried.try_emplace(candidate.key, latency).second || !latencySec)
    return;
  measured.push_back({taskKey, candidate.features, latency});
  auto at = std::lower_bound(bestMeasured.begin(), bestMeasured.end(), latency,
                             [](const auto &entry, double l) { return entry.first < l; });
  bestMeasured.insert(at, {latency, candidate});
}

// Unmeasured random samples, up to `count`, never repeating `exclude`.
static void addSamples(const SearchSpace &space, std::mt19937_64 &rng, size_t count,
                       const std::function<bool(const std::string &)> &accept,
                       const std::function<std::optional<Candidate>(const schedule::Trace &)> &make,
                       std::vector<Candidate> &out) {
  for (size_t attempts = 0; count && attempts < 8 * count + 16; ++attempts) {
    std::optional<schedule::Trace> trace = space.sample(rng);
    if (!trace || !accept(trace->toString()))
      continue;
    if (std::optional<Candidate> c = make(*trace)) {
      out.push_back(std::move(*c));
      --count;
    }
  }
}

std::vector<Candidate> TaskSearch::initialPopulation() {
  std::vector<Candidate> population;
  llvm::StringSet<> seen;
  for (const auto &entry : bestMeasured) {
    if (population.size() >= options.measuredSeeds)
      break;
    if (seen.insert(entry.second.key).second)
      population.push_back(entry.second);
  }
  addSamples(space, rng, options.populationSize - population.size(),
             [&](const std::string &key) { return seen.insert(key).second; },
             [&](const schedule::Trace &t) { return makeCandidate(t); }, population);
  return population;
}

std::vector<Candidate>
TaskSearch::evolve(std::vector<Candidate> population, const CostModel &model,
                   std::vector<std::pair<double, Candidate>> &best) {
  llvm::StringSet<> inBest;
  for (size_t g = 0; g <= options.generations && !population.empty(); ++g) {
    std::vector<std::vector<float>> features;
    for (const Candidate &c : population)
      features.push_back(c.features);
    std::vector<double> scores = model.predict(features);
    for (size_t i = 0; i < population.size(); ++i)
      if (!tried.count(population[i].key) && inBest.insert(population[i].key).second)
        best.push_back({scores[i], population[i]});
    if (g == options.generations)
      break;
    // Roulette selection on scores shifted to be positive.
    double low = *std::min_element(scores.begin(), scores.end());
    std::vector<double> weights;
    for (double s : scores)
      weights.push_back(s - low + 1e-3);
    std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
    std::uniform_real_distribution<double> coin(0, 1);
    std::vector<Candidate> next;
    llvm::StringSet<> seen;
    for (size_t attempts = 0;
         next.size() < options.populationSize && attempts < 4 * options.populationSize;
         ++attempts) {
      const Candidate &parent = population[pick(rng)];
      std::optional<Candidate> child;
      if (coin(rng) < options.mutationProbability) {
        if (std::optional<schedule::Trace> mutated = space.mutate(parent.trace, rng))
          child = makeCandidate(*mutated);
      } else {
        child = parent;
      }
      if (child && seen.insert(child->key).second)
        next.push_back(std::move(*child));
    }
    population = std::move(next);
  }
  return population;
}

std::vector<Candidate> TaskSearch::propose(size_t count, const CostModel &model) {
  std::vector<Candidate> batch;
  llvm::StringSet<> chosen;
  auto fresh = [&](const std::string &key) {
    return !tried.count(key) && chosen.insert(key).second;
  };
  auto make = [&](const schedule::Trace &t) { return makeCandidate(t); };
  // The batch: the neighbours' best schedules not transferred yet, adapted to this task; a
  // share of mutations of the best measured schedules (local search that does not trust the
  // model); the model's best predictions; then eps random samples.
  for (size_t i = 0; i < neighbourBests.size() && batch.size() < std::min(options.transferred, count);
       ++i) {
    if (!transferredFrom.insert(neighbourBests[i].key).second)
      continue;
    if (std::optional<schedule::Trace> adapted = space.transfer(neighbourBests[i].trace, rng))
      if (fresh(adapted->toString()))
        if (std::optional<Candidate> c = makeCandidate(*adapted))
          batch.push_back(std::move(*c));
  }
  size_t random = std::max<size_t>(size_t(double(count) * options.epsGreedy + 0.5), 1);
  size_t local = model.isTrained() ? size_t(double(count) * options.localShare + 0.5) : count / 2;
  auto addLocal = [&](size_t upTo) {
    for (size_t attempt = 0; batch.size() < upTo && attempt < 4 * upTo && !bestMeasured.empty();
         ++attempt) {
      size_t parent = std::min<size_t>(attempt % 4, bestMeasured.size() - 1);
      if (auto mutated = space.mutate(bestMeasured[parent].second.trace, rng))
        if (fresh(mutated->toString()))
          if (std::optional<Candidate> c = makeCandidate(*mutated))
            batch.push_back(std::move(*c));
    }
  };
  addLocal(std::min(batch.size() + local, count));
  if (model.isTrained()) {
    std::vector<std::pair<double, Candidate>> best;
    evolve(initialPopulation(), model, best);
    std::stable_sort(best.begin(), best.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    size_t modelShare = count > random ? count - random : count;
    for (auto &entry : best)
      if (batch.size() < modelShare && fresh(entry.second.key))
        batch.push_back(std::move(entry.second));
  }
  addSamples(space, rng, count - batch.size(), fresh, make, batch);
  return batch;
}

} // namespace kiln::autotuner
