// SearchSpace: samples the sketch rules with random choices, and mutates a trace by reading
// its choices back, changing one, and regenerating (MetaSchedule's mutators, on decisions);
// a trace the rules cannot regenerate is mutated in its split factors instead.
#include "autotuner/rules/SearchSpace.h"
#include "autotuner/rules/SketchGenerator.h"
#include "ir/loop/Analysis.h"
#include "passes/schedule/DefaultSchedule.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace kiln::autotuner::detail;

namespace kiln::autotuner {

namespace {
struct Generated {
  schedule::Trace trace;
  SmallVector<ChoicePoint> points;
};

// Runs the sketch rules on a throwaway clone of `kernel` under `decisions`.
Generated generate(func::FuncOp kernel, Decisions &decisions, Rng &rng) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(kernel.getLoc());
  auto clone = llvm::cast<func::FuncOp>(kernel->clone());
  scratch->getBody()->push_back(clone);
  SketchGenerator generator(clone, decisions, rng);
  generator.run();
  return {generator.trace(), SmallVector<ChoicePoint>(generator.choicePoints())};
}

bool replays(func::FuncOp kernel, const schedule::Trace &trace) {
  return succeeded(ScheduledKernel::apply(kernel, trace));
}

// Changes the decision of `point` in `d`; false when it has no other value.
bool perturb(const ChoicePoint &point, Decisions &d, Rng &rng) {
  Decision &decision = d.values[point.key];
  switch (point.kind) {
  case ChoicePoint::Kind::Flag:
    decision.ints = {decision.ints.empty() || decision.ints[0] == 0 ? 1 : 0};
    return true;
  case ChoicePoint::Kind::Count: {
    if (point.maxCount < 1)
      return false;
    int64_t old = decision.ints.empty() ? 0 : decision.ints[0];
    int64_t value = int64_t(rng() % uint64_t(point.maxCount));
    decision.ints = {value >= old ? value + 1 : value};
    return true;
  }
  case ChoicePoint::Kind::Location: {
    SmallVector<std::string> others;
    for (const std::string &c : point.candidates)
      if (c != decision.name)
        others.push_back(c);
    if (others.empty())
      return false;
    decision.name = others[rng() % others.size()];
    return true;
  }
  case ChoicePoint::Kind::Tile: {
    SmallVector<int64_t> &tile = decision.ints;
    if (tile.size() < 2)
      return false;
    unsigned from = rng() % tile.size(), to = rng() % (tile.size() - 1);
    to += to >= from;
    if (!moveFactor(tile, from, to, rng))
      return false;
    int64_t inner = 1;
    for (int64_t f : ArrayRef(tile).drop_front())
      inner *= f;
    tile[0] = (point.extent + inner - 1) / inner; // keeps a rounded-up outer level consistent
    return !point.maxInnermost || tile.back() <= point.maxInnermost;
  }
  }
  return false;
}

// A neighbour of a trace the sketch rules cannot regenerate (the default schedule's, whose
// splits and loop order are not the sketch's): one prime factor of one split moved to another
// level, every other step kept. Read back as decisions, such a trace would regenerate into a
// distant point of the space (its vectorization and unrolling lost), so local search around
// a task's default, often its best schedule, would not be local.
std::optional<schedule::Trace> mutateSplits(func::FuncOp kernel, const schedule::Trace &trace,
                                            Rng &rng) {
  SmallVector<size_t> splits;
  for (auto [i, step] : llvm::enumerate(trace.steps))
    if (step.primitive == "split" && step.ints.size() >= 2)
      splits.push_back(i);
  if (splits.empty())
    return std::nullopt;
  for (unsigned attempt = 0; attempt < 32; ++attempt) {
    schedule::Trace child = trace;
    SmallVectorImpl<int64_t> &factors = child.steps[splits[rng() % splits.size()]].ints;
    unsigned from = rng() % factors.size(), to = rng() % (factors.size() - 1);
    to += to >= from;
    // -1 is the level whose factor the split infers: taking from it grows `to` by a small
    // prime; giving to it leaves the inference to absorb the factor.
    if (factors[from] == -1) {
      if (factors[to] == -1)
        continue;
      factors[to] *= rng() % 2 ? 2 : 3;
    } else if (factors[to] == -1) {
      SmallVector<int64_t> primes = primeFactors(factors[from]);
      if (primes.empty())
        continue;
      factors[from] /= primes[rng() % primes.size()];
    } else if (!moveFactor(factors, from, to, rng)) {
      continue;
    }
    if (replays(kernel, child))
      return child;
  }
  return std::nullopt;
}

// Mutation kinds, weighted: tile sizes matter most.
double kindWeight(const ChoicePoint &point) {
  switch (point.kind) {
  case ChoicePoint::Kind::Tile:
    return 4;
  case ChoicePoint::Kind::Flag:
    return llvm::StringRef(point.key).starts_with("unroll:") ||
                   llvm::StringRef(point.key).starts_with("vec:")
               ? 1
               : 0.3;
  default:
    return 1;
  }
}
} // namespace

SearchSpace::SearchSpace(func::FuncOp kernel) : kernel(kernel) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(kernel.getLoc());
  auto clone = llvm::cast<func::FuncOp>(kernel->clone());
  scratch->getBody()->push_back(clone);
  schedule::Schedule s(clone);
  if (succeeded(schedule::applyDefaultSchedule(clone, s)))
    defaults = s.trace();
}

std::optional<schedule::Trace> SearchSpace::transfer(const schedule::Trace &foreign,
                                                     Rng &rng) const {
  Decisions decisions = decodeDecisions(foreign);
  decisions.adaptTiles = true;
  Generated g = generate(kernel, decisions, rng);
  if (g.trace.steps.empty() || !replays(kernel, g.trace))
    return std::nullopt;
  return g.trace;
}

std::string structureKey(func::FuncOp kernel) {
  std::string key;
  kernel.walk([&](loop::BlockOp block) {
    key += block.getBlockName().str() + "(";
    for (loop::ForOp around : loop::enclosingLoops(block))
      key += around.getLoopName().str() + " ";
    for (unsigned k = 0; k < block.getLoopVars().size(); ++k)
      key += block.isReduceVar(k) ? 'r' : 's';
    key += ")";
  });
  return key;
}

std::optional<schedule::Trace> SearchSpace::sample(Rng &rng) const {
  for (unsigned attempt = 0; attempt < 4; ++attempt) {
    Decisions decisions;
    Generated g = generate(kernel, decisions, rng);
    if (g.trace.steps.empty())
      return std::nullopt;
    if (replays(kernel, g.trace))
      return g.trace;
  }
  return std::nullopt;
}

std::optional<schedule::Trace> SearchSpace::mutate(const schedule::Trace &trace,
                                                   Rng &rng) const {
  // The parent's choices, completed by regenerating it (a foreign trace becomes the nearest
  // point of the space).
  Decisions parent = decodeDecisions(trace);
  Generated base = generate(kernel, parent, rng);
  if (base.points.empty())
    return std::nullopt;
  std::string parentText = trace.toString();
  if (base.trace.toString() != parentText)
    if (std::optional<schedule::Trace> near = mutateSplits(kernel, trace, rng))
      return near;
  SmallVector<double> weights;
  for (const ChoicePoint &point : base.points)
    weights.push_back(kindWeight(point));
  for (unsigned attempt = 0; attempt < 32; ++attempt) {
    const ChoicePoint &point = base.points[pickWeighted(weights, rng)];
    Decisions child = parent;
    if (!perturb(point, child, rng))
      continue;
    Generated g = generate(kernel, child, rng);
    if (g.trace.toString() != parentText && replays(kernel, g.trace))
      return g.trace;
  }
  return std::nullopt;
}

} // namespace kiln::autotuner
