// Random draws for the sketch rules (see TileSampling.h).
#include "autotuner/rules/TileSampling.h"

#include <numeric>

namespace kiln::autotuner::detail {

llvm::SmallVector<int64_t> primeFactors(int64_t n) {
  llvm::SmallVector<int64_t> factors;
  for (int64_t p = 2; p * p <= n; ++p)
    for (; n % p == 0; n /= p)
      factors.push_back(p);
  if (n > 1)
    factors.push_back(n);
  return factors;
}

llvm::SmallVector<int64_t> divisors(int64_t n) {
  llvm::SmallVector<int64_t> result;
  for (int64_t d = 1; d <= n; ++d)
    if (n % d == 0)
      result.push_back(d);
  return result;
}

bool hasPoorDivisors(int64_t extent) {
  if (extent <= 16)
    return false;
  for (int64_t d = 16; d > 4; --d)
    if (extent % d == 0)
      return false;
  return true;
}

bool coin(double p, Rng &rng) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

size_t pickWeighted(llvm::ArrayRef<double> weights, Rng &rng) {
  double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (total <= 0)
    return 0;
  double x = std::uniform_real_distribution<double>(0, total)(rng);
  for (auto [i, w] : llvm::enumerate(weights)) {
    if (x < w)
      return i;
    x -= w;
  }
  return weights.size() - 1;
}

llvm::SmallVector<int64_t> samplePerfectTile(int64_t extent, unsigned levels, int64_t innermost,
                                             Rng &rng) {
  llvm::SmallVector<int64_t> tile(levels, 1);
  tile.back() = innermost;
  if (levels == 1)
    return {extent};
  for (int64_t p : primeFactors(extent / innermost))
    tile[rng() % (levels - 1)] *= p;
  return tile;
}

llvm::SmallVector<int64_t> sampleImperfectTile(int64_t extent, unsigned levels, int64_t maxInner,
                                               Rng &rng) {
  llvm::SmallVector<int64_t> tile(levels, 1);
  int64_t inner = 1;
  for (unsigned level = levels - 1; level > 0; --level) {
    int64_t bound = std::max<int64_t>(1, maxInner / inner);
    tile[level] = 1 + int64_t(rng() % std::min<int64_t>(bound, 8));
    inner *= tile[level];
  }
  tile[0] = (extent + inner - 1) / inner;
  return tile;
}

bool moveFactor(llvm::SmallVectorImpl<int64_t> &tile, unsigned from, unsigned to, Rng &rng) {
  llvm::SmallVector<int64_t> primes = primeFactors(tile[from]);
  if (primes.empty() || from == to)
    return false;
  int64_t p = primes[rng() % primes.size()];
  tile[from] /= p;
  tile[to] *= p;
  return true;
}

} // namespace kiln::autotuner::detail
