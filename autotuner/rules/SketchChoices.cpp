// How the sketch generator resolves a choice: from the decisions when they hold a usable
// value, else "not taken" for a decoded trace, else a random draw (recorded in the decisions).
#include "autotuner/rules/SketchGenerator.h"

namespace kiln::autotuner::detail {

int64_t preferredVectorWidth(int64_t extent) {
  if (extent <= 16)
    return extent;
  for (int64_t w : {16, 8})
    if (extent % w == 0)
      return w;
  for (int64_t d = 16; d > 1; --d)
    if (extent % d == 0)
      return d;
  return 1;
}

void SketchGenerator::addPoint(ChoicePoint point) {
  if (llvm::none_of(points, [&](const ChoicePoint &p) { return p.key == point.key; }))
    points.push_back(std::move(point));
}

bool SketchGenerator::flag(const std::string &key, double pOn) {
  addPoint({ChoicePoint::Kind::Flag, key});
  const Decision *d = decisions.find(key);
  bool on = d && !d->ints.empty() ? d->ints[0] != 0 : !decisions.fromTrace && coin(pOn, rng);
  decisions.values[key] = {{on ? 1 : 0}, ""};
  return on;
}

int64_t SketchGenerator::count(const std::string &key, llvm::ArrayRef<double> weights) {
  ChoicePoint point{ChoicePoint::Kind::Count, key};
  point.maxCount = int64_t(weights.size()) - 1;
  addPoint(point);
  const Decision *d = decisions.find(key);
  int64_t value;
  if (d && !d->ints.empty())
    value = std::clamp<int64_t>(d->ints[0], 0, point.maxCount);
  else
    value = decisions.fromTrace ? 0 : int64_t(pickWeighted(weights, rng));
  decisions.values[key] = {{value}, ""};
  return value;
}

std::string SketchGenerator::location(const std::string &key,
                                      llvm::ArrayRef<std::string> candidates,
                                      llvm::ArrayRef<double> weights) {
  ChoicePoint point{ChoicePoint::Kind::Location, key};
  point.candidates.assign(candidates.begin(), candidates.end());
  addPoint(point);
  const Decision *d = decisions.find(key);
  std::string value;
  if (d && llvm::is_contained(candidates, d->name))
    value = d->name;
  else if (decisions.fromTrace && !d && llvm::is_contained(candidates, ""))
    value = "";
  else
    value = candidates[pickWeighted(weights, rng)];
  decisions.values[key] = {{}, value};
  return value;
}

std::optional<llvm::SmallVector<int64_t>>
SketchGenerator::knownTile(const std::string &key, int64_t extent, unsigned levels,
                           unsigned innerLevel) {
  const Decision *d = decisions.find(key);
  if (!d || d->ints.empty()) {
    if (!decisions.fromTrace)
      return std::nullopt;
    llvm::SmallVector<int64_t> whole(levels, 1);
    whole[0] = extent;
    return whole;
  }
  llvm::SmallVector<int64_t> tile(d->ints);
  int64_t known = 1;
  unsigned inferred = 0;
  for (int64_t f : tile)
    f == -1 ? ++inferred : known *= std::max<int64_t>(f, 1);
  for (int64_t &f : tile)
    if (f == -1 && inferred == 1)
      f = (extent + known - 1) / known;
  if (tile.size() == 2 && levels > 2) {
    llvm::SmallVector<int64_t> wide(levels, 1);
    wide[0] = tile[0];
    wide[innerLevel] = tile[1];
    tile = wide;
    // The other schedule's inner loop "<loop>.1" is our "<loop>.<innerLevel>".
    std::string loop = key.substr(key.find(':') + 1);
    for (const char *prefix : {"unroll:", "vec:"})
      if (const Decision *inner = decisions.find(prefix + loop + ".1"))
        decisions.values[prefix + loop + "." + std::to_string(innerLevel)] = *inner;
  }
  if (tile.size() != levels || llvm::any_of(tile, [](int64_t f) { return f <= 0; }))
    return std::nullopt;
  int64_t inner = 1;
  for (int64_t f : llvm::ArrayRef(tile).drop_front())
    inner *= f;
  // Perfect, or the outermost level rounds up (no iteration entirely past the extent).
  if (tile[0] != (extent + inner - 1) / inner) {
    if (!decisions.adaptTiles || extent % inner != 0)
      return std::nullopt;
    tile[0] = extent / inner;
  }
  return tile;
}

void SketchGenerator::recordTile(const std::string &key, int64_t extent, int64_t maxInnermost,
                                 llvm::ArrayRef<int64_t> tile) {
  ChoicePoint point{ChoicePoint::Kind::Tile, key};
  point.extent = extent;
  point.maxInnermost = maxInnermost;
  addPoint(point);
  decisions.values[key] = {llvm::SmallVector<int64_t>(tile), ""};
}

} // namespace kiln::autotuner::detail
