// Random draws used by the sketch rules: perfect tiles (MetaSchedule's sample_perfect_tile),
// divisors, weighted picks.
#ifndef KILN_AUTOTUNER_RULES_TILESAMPLING_H
#define KILN_AUTOTUNER_RULES_TILESAMPLING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <random>

namespace kiln::autotuner::detail {

using Rng = std::mt19937_64;

llvm::SmallVector<int64_t> primeFactors(int64_t n); // with multiplicity, ascending
llvm::SmallVector<int64_t> divisors(int64_t n);     // ascending

// True when no register-sized tile divides `extent`: longer than 16 and its largest divisor
// up to 16 is at most 4 (primes like ViT's 197 tokens, 2 * 97, ...).
bool hasPoorDivisors(int64_t extent);

bool coin(double p, Rng &rng);
// An index drawn with probability proportional to its weight (0 when all are 0).
size_t pickWeighted(llvm::ArrayRef<double> weights, Rng &rng);

// `levels` factors of `extent` (outermost first) whose product is `extent`; the innermost is
// `innermost` (a divisor of extent), each remaining prime factor goes to a random level.
llvm::SmallVector<int64_t> samplePerfectTile(int64_t extent, unsigned levels, int64_t innermost,
                                             Rng &rng);

// Like samplePerfectTile for a loop whose extent has no useful divisors (a prime): the inner
// levels are drawn freely up to `maxInner` in all, the outermost covers the rest (rounded up),
// so the product may exceed the extent and the block is predicated off past it.
llvm::SmallVector<int64_t> sampleImperfectTile(int64_t extent, unsigned levels, int64_t maxInner,
                                               Rng &rng);

// Moves one prime factor of tile[from] to tile[to] (product kept); false if tile[from] is 1.
bool moveFactor(llvm::SmallVectorImpl<int64_t> &tile, unsigned from, unsigned to, Rng &rng);

} // namespace kiln::autotuner::detail

#endif
