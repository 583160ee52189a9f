// The search space on real lowered kernels: every sampled and mutated trace replays, verifies
// and computes what the unscheduled kernel computes (reference interpreter); samples are
// diverse, mutations change their parent, and the default schedule is a point of the space.
#include "autotuner/rules/SearchSpace.h"
#include "test/unit/schedule/Interpreter.h"

#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>

#include "test/unit/autotuner/rules/kernels.inc"
#include "test/unit/schedule/kernels.inc"

using namespace mlir;
using namespace kiln;
using namespace kiln::autotuner;

namespace {

class SearchSpaceTest : public ::testing::Test {
protected:
  SearchSpaceTest() {
    context.loadDialect<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                        memref::MemRefDialect, affine::AffineDialect, scf::SCFDialect,
                        loop::KilnLoopDialect>();
  }

  func::FuncOp parse(const char *text) {
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    return *module->getOps<func::FuncOp>().begin();
  }

  // Results on fixed inputs, or a failure naming the interpreter's error.
  static ::testing::AssertionResult run(func::FuncOp kernel, std::vector<test::Tensor> &out) {
    out = test::makeArgs(kernel, 11);
    std::string error = test::interpret(kernel, out);
    if (!error.empty())
      return ::testing::AssertionFailure() << error;
    return ::testing::AssertionSuccess();
  }

  // `trace` replays on a clone of `kernel`, round-trips through JSON and computes `expected`.
  static ::testing::AssertionResult agrees(func::FuncOp kernel, const schedule::Trace &trace,
                                           const std::vector<test::Tensor> &expected) {
    std::string error;
    auto scheduled = ScheduledKernel::apply(kernel, trace, &error);
    if (failed(scheduled))
      return ::testing::AssertionFailure() << "replay: " << error << "\n" << trace.toString();
    if (auto bad = schedule::checkTraceRoundTrip(kernel, scheduled->kernel(), trace))
      return ::testing::AssertionFailure() << *bad;
    std::vector<test::Tensor> actual;
    if (auto r = run(scheduled->kernel(), actual); !r)
      return r << "\n" << trace.toString();
    for (size_t i = 0; i < expected.size(); ++i)
      if (expected[i].data != actual[i].data)
        return ::testing::AssertionFailure() << "argument " << i << " differs after "
                                             << trace.toString();
    return ::testing::AssertionSuccess();
  }

  struct Stats {
    std::set<std::string> samples;
    unsigned mutated = 0, vectorized = 0, parallel = 0, fused = 0, predicatedVector = 0,
             packed = 0, vectorPartials = 0, parallelPartials = 0, laidOut = 0,
             parallelOfOne = 0, siblingsFused = 0, rowwise = 0, oneParallelLoop = 0;
    std::set<int64_t> rowTiles; // of the row-wise samples: their first split's factor
  };

  // True when some loop of the kernel `trace` schedules satisfies `test`.
  static bool anyScheduledLoop(func::FuncOp kernel, const schedule::Trace &trace,
                               llvm::function_ref<bool(loop::ForOp)> test) {
    auto scheduled = ScheduledKernel::apply(kernel, trace, nullptr);
    if (failed(scheduled))
      return false;
    bool found = false;
    scheduled->kernel().walk([&](loop::ForOp loop) { found |= test(loop); });
    return found;
  }
  // A vector loop over a predicated block (an imperfect tile).
  static bool vectorizesPredicated(func::FuncOp kernel, const schedule::Trace &trace) {
    return anyScheduledLoop(kernel, trace, [](loop::ForOp loop) {
      bool predicated = false;
      if (loop.getKind() == loop::ForOp::kVectorized)
        loop.walk([&](loop::BlockOp block) { predicated |= !loop::bindingsStayInDomain(block); });
      return predicated;
    });
  }
  // The number of parallel loops of the scheduled kernel (fork-joins per run).
  static int parallelLoops(func::FuncOp kernel, const schedule::Trace &trace) {
    auto scheduled = ScheduledKernel::apply(kernel, trace, nullptr);
    int count = 0;
    if (succeeded(scheduled))
      scheduled->kernel().walk([&](loop::ForOp loop) {
        count += loop.getKind() == loop::ForOp::kParallel;
      });
    return count;
  }
  // A parallel loop of one iteration: the kernel would run on one thread.
  static bool parallelizesOneIteration(func::FuncOp kernel, const schedule::Trace &trace) {
    return anyScheduledLoop(kernel, trace, [](loop::ForOp loop) {
      return loop.getKind() == loop::ForOp::kParallel && loop.getExtent() == 1;
    });
  }

  // `count` samples and one mutation of each, all checked; returns what they covered.
  Stats explore(const char *text, unsigned count, uint64_t seed) {
    Stats stats;
    func::FuncOp kernel = parse(text);
    std::vector<test::Tensor> expected;
    EXPECT_TRUE(run(kernel, expected));
    SearchSpace space(kernel);
    std::mt19937_64 rng(seed);
    for (unsigned i = 0; i < count; ++i) {
      std::optional<schedule::Trace> trace = space.sample(rng);
      if (!trace) {
        ADD_FAILURE() << "sample " << i << " failed";
        continue;
      }
      EXPECT_TRUE(agrees(kernel, *trace, expected)) << "sample " << i;
      std::string text = trace->toString();
      if (std::getenv("KILN_RULES_PRINT") && i < 3)
        std::cout << "sample: " << text << "\n";
      stats.samples.insert(text);
      stats.vectorized += text.find("\"vectorize\"") != std::string::npos;
      stats.parallel += text.find("\"parallel\"") != std::string::npos;
      stats.fused += text.find("\"reverse_compute_at\"") != std::string::npos;
      stats.predicatedVector += vectorizesPredicated(kernel, *trace);
      stats.parallelOfOne += parallelizesOneIteration(kernel, *trace);
      stats.oneParallelLoop += parallelLoops(kernel, *trace) == 1;
      // A packed operand whose copy loops ("<block>.pack<i>.ax<d>") are then scheduled.
      stats.packed += text.find("\"cache_read\"") != std::string::npos &&
                      text.find(".pack") != std::string::npos;
      stats.laidOut += text.find("\"layout_rewrite\"") != std::string::npos;
      stats.siblingsFused += text.find("\"fuse_siblings\"") != std::string::npos;
      if (text.find("\"compute_at\"") != std::string::npos) {
        ++stats.rowwise;
        auto split = llvm::find_if(trace->steps, [](auto &t) { return t.primitive == "split"; });
        stats.rowTiles.insert(split == trace->steps.end() ? 1 : split->ints.back());
      }
      for (const schedule::TraceStep &step : trace->steps)
        if (step.primitive == "rfactor") {
          bool inner = llvm::StringRef(step.names[1]).ends_with(".1");
          ++(inner ? stats.vectorPartials : stats.parallelPartials);
        }
      std::optional<schedule::Trace> child = space.mutate(*trace, rng);
      if (!child)
        continue;
      ++stats.mutated;
      EXPECT_NE(child->toString(), text) << "a mutation must change its parent";
      EXPECT_TRUE(agrees(kernel, *child, expected)) << "mutation of sample " << i;
    }
    std::cout << "  " << stats.samples.size() << " distinct of " << count << ", " << stats.mutated
              << " mutated, " << stats.vectorized << " vectorized, " << stats.parallel
              << " parallel, " << stats.fused << " with a fused consumer, "
              << stats.predicatedVector << " vectorized over a predicate, " << stats.packed
              << " packed\n";
    return stats;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(SearchSpaceTest, MatmulEpilogue) {
  Stats s = explore(kMatmulBiasReluLowered, 60, 1);
  EXPECT_GE(s.samples.size(), 45u);
  EXPECT_GE(s.mutated, 55u);
  EXPECT_GE(s.vectorized, 40u); // the prior favours vector tiles
  EXPECT_GE(s.parallel, 40u);
  EXPECT_GE(s.fused, 35u); // the epilogue moves under S0 or S1 most of the time
  EXPECT_GE(s.packed, 15u); // B, indexed by the vector lanes, is packed about half the time
}

TEST_F(SearchSpaceTest, HandWrittenMatmulEpilogue) {
  Stats s = explore(kMatmulBiasRelu, 50, 2);
  EXPECT_GE(s.samples.size(), 30u);
  EXPECT_GE(s.mutated, 45u);
}

TEST_F(SearchSpaceTest, Conv) {
  Stats s = explore(kConvLowered, 50, 3);
  EXPECT_GE(s.samples.size(), 40u);
  EXPECT_GE(s.fused, 30u);
  EXPECT_GE(s.mutated, 45u);
}

TEST_F(SearchSpaceTest, ConvWithPaddingSelect) {
  Stats s = explore(kConvBiasRelu, 50, 4);
  EXPECT_GE(s.samples.size(), 30u);
}

TEST_F(SearchSpaceTest, Depthwise) {
  Stats s = explore(kDepthwiseLowered, 50, 5);
  EXPECT_GE(s.samples.size(), 40u);
  EXPECT_GE(s.mutated, 45u);
  // A tile covering a whole dim outermost (extent 1) fuses on with the next loops rather
  // than become a parallel loop of one iteration.
  EXPECT_EQ(s.parallelOfOne, 0u);
}

TEST_F(SearchSpaceTest, Reductions) {
  for (const char *text : {kGlobalAvgPoolLowered, kReduceSumLowered}) {
    Stats s = explore(text, 50, 6);
    EXPECT_GE(s.samples.size(), 15u);
    EXPECT_GE(s.mutated, 40u);
  }
  // 5 rows of 12: the row-wise form most samples take has one variant (no row tile divides
  // 5, one vector holds a row); the others vary.
  Stats s = explore(kRowReduce, 50, 6);
  EXPECT_GE(s.rowwise, 20u);
  EXPECT_GE(s.samples.size(), 8u);
  EXPECT_GE(s.mutated, 40u);
}

// Row-wise stages (a row sum read by the normalization): most samples take the row-wise form
// (each tile of rows summed under the normalization's row loop, the row tile drawn), some of
// the others merge the stages' parallel loops (fuse_siblings); every sample and mutation
// computes the unscheduled kernel's result.
TEST_F(SearchSpaceTest, RowStagesShareTheirParallelLoop) {
  Stats s = explore(kRowNormalizeLowered, 60, 9);
  EXPECT_GE(s.rowwise, 25u);
  EXPECT_LE(s.rowwise, 55u);
  EXPECT_GE(s.rowTiles.size(), 3u);
  EXPECT_GE(s.siblingsFused, 1u);
  EXPECT_GE(s.mutated, 45u);
}

// Rows read contiguously along the reduction: rfactor into vector partials, or (24 rows
// are too few for the threads) into parallel partials; both compute the same sums.
TEST_F(SearchSpaceTest, RfactorRowReduction) {
  Stats s = explore(kRowSum64Lowered, 60, 8);
  EXPECT_GE(s.vectorPartials, 10u);
  EXPECT_GE(s.parallelPartials, 10u);
  EXPECT_GE(s.mutated, 45u);
}

// A depthwise convolution by regions: most samples take the channel-slice form (all regions
// and their clips under one parallel loop over channel slices), the others schedule each
// region on its own; every sample and mutation computes the unscheduled kernel's result.
TEST_F(SearchSpaceTest, DepthwiseRegionsShareOneParallelLoop) {
  Stats s = explore(kDepthwiseRegionsLowered, 50, 11);
  EXPECT_GE(s.oneParallelLoop, 15u);
  EXPECT_LE(s.oneParallelLoop, 45u);
  EXPECT_GE(s.samples.size(), 15u);
  EXPECT_GE(s.mutated, 40u);
}

// B of the matmul is a weight (kiln.constant_args): the rules lay it out in the panels the
// tiles read (layout_rewrite, run at compile time) more often than they copy it per tile;
// both compute the same product (the interpreter runs the layout copy).
const std::string &weightMatmul() {
  static const std::string text = [] {
    std::string t = kMatmulBiasReluLowered;
    std::string plain = "attributes {kiln.kernel}";
    t.replace(t.find(plain), plain.size(),
              "attributes {kiln.constant_args = array<i64: 1>, kiln.kernel}");
    return t;
  }();
  return text;
}

TEST_F(SearchSpaceTest, WeightLayoutRewrite) {
  Stats s = explore(weightMatmul().c_str(), 60, 10);
  EXPECT_GE(s.laidOut, 15u);
  EXPECT_GE(s.mutated, 45u);
  // Without the mark no weight is laid out.
  EXPECT_EQ(explore(kMatmulBiasReluLowered, 30, 10).laidOut, 0u);
}

TEST_F(SearchSpaceTest, Elementwise) {
  Stats s = explore(kElementwiseLowered, 50, 7);
  EXPECT_GE(s.samples.size(), 10u);
  EXPECT_GE(s.mutated, 40u);
  EXPECT_GE(s.vectorized, 35u);
}

// Prime extents: perfect tiles degenerate; imperfect ones (predicated) must still be legal.
TEST_F(SearchSpaceTest, PrimeExtents) {
  Stats s = explore(kPrimeMatmulLowered, 50, 8);
  EXPECT_GE(s.samples.size(), 15u);
}

// Rows without register-sized divisors: imperfect row tiles are drawn often, and the column
// loop still vectorizes over the predicated block.
TEST_F(SearchSpaceTest, PrimeRowsVectorizeUnderPredicate) {
  Stats s = explore(kPrimeRowsMatmulLowered, 40, 5);
  EXPECT_GE(s.samples.size(), 15u);
  EXPECT_GE(s.predicatedVector, 5u);
}

// The default schedule's trace is a point of the space: it replays, and mutates into valid
// neighbours.
TEST_F(SearchSpaceTest, DefaultTraceIsRepresentable) {
  for (const char *text : {kMatmulBiasReluLowered, kConvLowered, kDepthwiseLowered,
                           kElementwiseLowered, kRowReduce, kRowSum64Lowered}) {
    func::FuncOp kernel = parse(text);
    std::vector<test::Tensor> expected;
    ASSERT_TRUE(run(kernel, expected));
    SearchSpace space(kernel);
    ASSERT_FALSE(space.defaultTrace().steps.empty());
    EXPECT_TRUE(agrees(kernel, space.defaultTrace(), expected));
    std::mt19937_64 rng(9);
    for (unsigned i = 0; i < 10; ++i) {
      std::optional<schedule::Trace> child = space.mutate(space.defaultTrace(), rng);
      ASSERT_TRUE(child);
      EXPECT_NE(child->toString(), space.defaultTrace().toString());
      EXPECT_TRUE(agrees(kernel, *child, expected));
    }
  }
}

// Sampling is a function of the generator's state: one seed, one sequence of traces.
TEST_F(SearchSpaceTest, Deterministic) {
  func::FuncOp kernel = parse(kConvLowered);
  SearchSpace space(kernel);
  std::mt19937_64 a(42), b(42);
  for (unsigned i = 0; i < 5; ++i)
    EXPECT_EQ(space.sample(a)->toString(), space.sample(b)->toString());
}

// The 16x24 @ 24x32 matmul of kMatmulBiasReluLowered with 64 columns: the same loops and
// blocks (one structure), other extents.
std::string widenedMatmul() {
  std::string t = kMatmulBiasReluLowered;
  for (auto [from, to] : {std::pair{"x32xf32", "x64xf32"}, {"memref<32xf32>", "memref<64xf32>"},
                          {"in 32 {", "in 64 {"}, {"spatial 32", "spatial 64"}})
    for (size_t at = t.find(from); at != std::string::npos; at = t.find(from, at))
      t.replace(at, std::strlen(from), to);
  return t;
}

// A task's best schedule seeds a task of the same structure at another shape: adapted, it
// keeps every split's inner factors (the register tile and vector width) and still computes
// the product; a kernel of another structure has another key.
TEST_F(SearchSpaceTest, TransferKeepsInnerTilesAcrossShapes) {
  OwningOpRef<ModuleOp> narrowModule = parseSourceString<ModuleOp>(kMatmulBiasReluLowered, &context);
  auto narrow = *narrowModule->getOps<func::FuncOp>().begin();
  std::string wideText = widenedMatmul();
  func::FuncOp wide = parse(wideText.c_str());
  EXPECT_EQ(structureKey(narrow), structureKey(wide));
  OwningOpRef<ModuleOp> convModule = parseSourceString<ModuleOp>(kConvLowered, &context);
  EXPECT_NE(structureKey(*convModule->getOps<func::FuncOp>().begin()), structureKey(wide));

  std::vector<test::Tensor> expected;
  ASSERT_TRUE(run(wide, expected));
  SearchSpace narrowSpace(narrow), wideSpace(wide);
  std::mt19937_64 rng(3);
  unsigned splitsKept = 0;
  for (unsigned i = 0; i < 30; ++i) {
    schedule::Trace source = *narrowSpace.sample(rng);
    std::optional<schedule::Trace> adapted = wideSpace.transfer(source, rng);
    ASSERT_TRUE(adapted) << source.toString();
    EXPECT_TRUE(agrees(wide, *adapted, expected)) << "from " << source.toString();
    for (const schedule::TraceStep &step : source.steps) {
      if (step.primitive != "split")
        continue;
      auto same = llvm::find_if(adapted->steps, [&](const schedule::TraceStep &s) {
        return s.primitive == "split" && s.names == step.names;
      });
      ASSERT_NE(same, adapted->steps.end()) << step.names[0] << " lost in " << adapted->toString();
      EXPECT_EQ(ArrayRef(same->ints).drop_front(), ArrayRef(step.ints).drop_front())
          << step.names[0];
      ++splitsKept;
    }
  }
  EXPECT_GE(splitsKept, 20u);
}

} // namespace

// Internals the mutations rely on: a sampled trace read back regenerates itself exactly, and
// tile draws keep their product.
#include "autotuner/rules/SketchGenerator.h"

namespace {

using namespace kiln::autotuner::detail;

schedule::Trace regenerate(func::FuncOp kernel, Decisions decisions) {
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(kernel.getLoc());
  auto clone = llvm::cast<func::FuncOp>(kernel->clone());
  scratch->getBody()->push_back(clone);
  Rng rng(0);
  SketchGenerator generator(clone, decisions, rng);
  generator.run();
  return generator.trace();
}

TEST_F(SearchSpaceTest, DecodedTraceRegenerates) {
  for (const char *text : {kMatmulBiasReluLowered, kConvLowered, kConvBiasRelu,
                           kDepthwiseLowered, kReduceSumLowered, kElementwiseLowered,
                           kRowSum64Lowered, kRowNormalizeLowered, kRowReduce,
                           weightMatmul().c_str()}) {
    func::FuncOp kernel = parse(text);
    SearchSpace space(kernel);
    std::mt19937_64 rng(5);
    for (unsigned i = 0; i < 20; ++i) {
      schedule::Trace trace = *space.sample(rng);
      EXPECT_EQ(regenerate(kernel, decodeDecisions(trace)).toString(), trace.toString());
    }
  }
}

TEST(TileSampling, PerfectTilesKeepTheExtent) {
  Rng rng(3);
  for (int64_t extent : {1, 7, 12, 64, 96, 197, 224}) {
    for (unsigned i = 0; i < 50; ++i) {
      SmallVector<int64_t> inner = divisors(extent);
      int64_t innermost = inner[rng() % inner.size()];
      SmallVector<int64_t> tile = samplePerfectTile(extent, 4, innermost, rng);
      EXPECT_EQ(tile.back(), innermost);
      int64_t product = 1;
      for (int64_t f : tile)
        product *= f;
      EXPECT_EQ(product, extent);
      unsigned from = rng() % 4, to = (from + 1 + rng() % 3) % 4;
      if (moveFactor(tile, from, to, rng)) {
        int64_t moved = 1;
        for (int64_t f : tile)
          moved *= f;
        EXPECT_EQ(moved, extent);
      }
      SmallVector<int64_t> loose = sampleImperfectTile(extent, 4, 16, rng);
      int64_t rest = loose[1] * loose[2] * loose[3];
      EXPECT_LE(rest, 16 * 8);
      EXPECT_EQ(loose[0], (extent + rest - 1) / rest);
    }
  }
}

// The default schedule's splits and loop order are not the sketch's, so its choices read back
// regenerate a distant point of the space (its vectorization and unrolling lost). Its mutants
// move a factor of one split and keep every other step: local search around a task's
// default, often its best schedule, stays local.
TEST_F(SearchSpaceTest, MutantsOfTheDefaultDifferInOneSplit) {
  for (const char *text : {kMatmulBiasReluLowered, kPrimeRowsMatmulLowered}) {
    func::FuncOp kernel = parse(text);
    std::vector<test::Tensor> expected;
    ASSERT_TRUE(run(kernel, expected));
    SearchSpace space(kernel);
    const schedule::Trace &parent = space.defaultTrace();
    std::mt19937_64 rng(5);
    for (unsigned i = 0; i < 10; ++i) {
      std::optional<schedule::Trace> child = space.mutate(parent, rng);
      ASSERT_TRUE(child);
      ASSERT_EQ(child->steps.size(), parent.steps.size()) << child->toString();
      unsigned changed = 0;
      for (auto [a, b] : llvm::zip(parent.steps, child->steps)) {
        EXPECT_EQ(a.primitive, b.primitive);
        EXPECT_EQ(a.names, b.names);
        if (a.ints != b.ints) {
          EXPECT_EQ(a.primitive, "split");
          ++changed;
        }
      }
      EXPECT_EQ(changed, 1u) << child->toString();
      EXPECT_TRUE(agrees(kernel, *child, expected));
    }
  }
}

} // namespace
