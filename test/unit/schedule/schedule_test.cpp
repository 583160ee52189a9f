// Schedule primitives under random legal sequences: every accepted step must keep the kernel
// valid and computing the same values (checked with a reference interpreter), every rejected
// step must leave the IR untouched, and the trace must round-trip through JSON and replay.
#include "test/unit/schedule/Interpreter.h"

#include "ir/loop/Analysis.h"
#include "ir/loop/LoopDialect.h"
#include "passes/schedule/BufferCompaction.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>

#include "test/unit/schedule/kernels.inc"

using namespace mlir;
using namespace kiln;
using namespace kiln::schedule;

namespace {

class ScheduleTest : public ::testing::Test {
protected:
  ScheduleTest() {
    context.loadDialect<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                        memref::MemRefDialect, affine::AffineDialect, loop::KilnLoopDialect>();
  }

  OwningOpRef<ModuleOp> parse(const char *text) {
    return parseSourceString<ModuleOp>(text, &context);
  }

  static func::FuncOp kernelOf(ModuleOp module) { return *module.getOps<func::FuncOp>().begin(); }

  static std::string print(Operation *op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    op->print(os, OpPrintingFlags().useLocalScope().assumeVerified());
    return text;
  }

  MLIRContext context;
};

// Outputs of the kernel on fixed inputs, or a failure naming the interpreter error.
::testing::AssertionResult run(func::FuncOp kernel, std::vector<test::Tensor> &out) {
  out = test::makeArgs(kernel, 7);
  std::string error = test::interpret(kernel, out);
  if (!error.empty())
    return ::testing::AssertionFailure() << error;
  return ::testing::AssertionSuccess();
}

bool same(const std::vector<test::Tensor> &a, const std::vector<test::Tensor> &b) {
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < a[i].data.size(); ++j)
      if (!(a[i].data[j] == b[i].data[j]))
        return false;
  return true;
}

// A random step whose arguments name loops/blocks of the kernel as it is now.
TraceStep randomStep(func::FuncOp kernel, std::mt19937 &rng) {
  SmallVector<loop::ForOp> loops;
  SmallVector<loop::BlockOp> blocks;
  kernel.walk([&](loop::ForOp l) { loops.push_back(l); });
  kernel.walk([&](loop::BlockOp b) { blocks.push_back(b); });
  auto pick = [&](auto &v) { return v[rng() % v.size()]; };
  auto loopName = [&]() { return pick(loops).getLoopName().str(); };
  auto blockName = [&]() { return pick(blocks).getBlockName().str(); };
  TraceStep step;
  switch (rng() % 14) {
  case 0:
  case 1: {
    step.primitive = "split";
    loop::ForOp l = pick(loops);
    step.names = {l.getLoopName().str()};
    int64_t f = int64_t(1 + rng() % 6);
    step.ints = rng() % 3 ? SmallVector<int64_t>{-1, f} : SmallVector<int64_t>{f, -1};
    if (rng() % 5 == 0)
      step.ints = {2, -1, 2};
    break;
  }
  case 2: {
    step.primitive = "fuse";
    loop::ForOp l = pick(loops);
    step.names = {l.getLoopName().str()};
    for (Operation &op : l.getBodyBlock()->without_terminator())
      if (auto inner = llvm::dyn_cast<loop::ForOp>(op)) {
        step.names.push_back(inner.getLoopName().str());
        break;
      }
    break;
  }
  case 3: {
    step.primitive = "reorder";
    loop::ForOp l = pick(loops);
    SmallVector<loop::ForOp> chain = loop::enclosingLoops(l);
    chain.push_back(l);
    unsigned from = rng() % chain.size();
    for (unsigned i = chain.size(); i > from; --i)
      step.names.push_back(chain[i - 1].getLoopName().str());
    break;
  }
  case 4:
    step = {"parallel", {loopName()}, {}};
    break;
  case 5: {
    // Mostly innermost loops, where vectorize can be legal.
    SmallVector<loop::ForOp> innermost;
    for (loop::ForOp l : loops)
      if (llvm::all_of(l.getBodyBlock()->without_terminator(),
                       [](Operation &op) { return llvm::isa<loop::BlockOp>(op); }))
        innermost.push_back(l);
    step = {"vectorize", {rng() % 4 ? pick(innermost).getLoopName().str() : loopName()}, {}};
    break;
  }
  case 6:
    step = {"unroll", {loopName()}, {}};
    break;
  case 7:
  case 8: {
    // A loop around a block that reads (compute_at) / writes (reverse) what the block
    // writes / reads, most of the time.
    bool reverse = rng() % 2;
    loop::BlockOp b = pick(blocks);
    SmallVector<std::string> candidates;
    for (const loop::BufferAccess &mine : loop::collectAccesses(b))
      for (loop::BlockOp other : blocks)
        for (const loop::BufferAccess &theirs : loop::collectAccesses(other))
          if (other != b && theirs.buffer == mine.buffer && theirs.isWrite == reverse &&
              mine.isWrite != reverse)
            for (loop::ForOp l : loop::enclosingLoops(other))
              candidates.push_back(l.getLoopName().str());
    std::string l = candidates.empty() || rng() % 5 == 0 ? loopName() : pick(candidates);
    step = {reverse ? "reverse_compute_at" : "compute_at", {b.getBlockName().str(), l}, {}};
    break;
  }
  case 9:
    step = {"compute_inline", {blockName()}, {}};
    break;
  case 10:
    step = {blocks.size() < 6 ? "cache_write" : "parallel", {blockName()}, {}};
    break;
  case 11: {
    // A loop around the block most of the time, a read index sometimes out of range.
    loop::BlockOp b = pick(blocks);
    SmallVector<loop::ForOp> around = loop::enclosingLoops(b);
    std::string l =
        around.empty() || rng() % 5 == 0 ? loopName() : pick(around).getLoopName().str();
    int64_t reads = 0;
    SmallVector<Value> seen;
    for (const loop::BufferAccess &access : loop::collectAccesses(b))
      if (!access.isWrite && !llvm::is_contained(seen, access.buffer))
        seen.push_back(access.buffer);
    reads = int64_t(seen.size());
    step = {rng() % 3 ? "cache_read" : "layout_rewrite", {b.getBlockName().str(), l},
            {int64_t(rng() % (reads + 1))}};
    break;
  }
  case 12: {
    // Mostly a reduction block and a loop around it.
    SmallVector<loop::BlockOp> reductions;
    for (loop::BlockOp b : blocks)
      if (b.hasReduction())
        reductions.push_back(b);
    loop::BlockOp b = reductions.empty() || rng() % 5 == 0 ? pick(blocks) : pick(reductions);
    SmallVector<loop::ForOp> around = loop::enclosingLoops(b);
    std::string l =
        around.empty() || rng() % 5 == 0 ? loopName() : pick(around).getLoopName().str();
    step = {"rfactor", {b.getBlockName().str(), l}, {}};
    break;
  }
  default: {
    loop::BlockOp b = pick(blocks);
    SmallVector<loop::ForOp> around = loop::enclosingLoops(b);
    std::string l =
        around.empty() || rng() % 5 == 0 ? loopName() : pick(around).getLoopName().str();
    step = {"decompose_reduction", {b.getBlockName().str(), l}, {}};
    break;
  }
  }
  return step;
}

// Rewrites every access of every block to take all the block's iter vars as map operands,
// as the graph-to-loop lowering builds them (printing and parsing drops the unused ones).
void passAllIterVars(func::FuncOp kernel) {
  SmallVector<Operation *> accesses;
  kernel.walk([&](Operation *op) {
    if (llvm::isa<affine::AffineLoadOp, affine::AffineStoreOp>(op))
      accesses.push_back(op);
  });
  for (Operation *op : accesses) {
    auto load = llvm::dyn_cast<affine::AffineLoadOp>(op);
    auto store = llvm::dyn_cast<affine::AffineStoreOp>(op);
    AffineMap map = load ? load.getAffineMap() : store.getAffineMap();
    ValueRange operands = load ? load.getMapOperands() : store.getMapOperands();
    Block *entry = op->getBlock();
    if (!llvm::isa<loop::BlockOp>(entry->getParentOp()) || map.getNumSymbols() != 0)
      continue;
    SmallVector<AffineExpr> dims;
    for (Value v : operands) {
      auto arg = llvm::dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner() != entry)
        break;
      dims.push_back(getAffineDimExpr(arg.getArgNumber(), op->getContext()));
    }
    if (dims.size() != operands.size())
      continue;
    unsigned n = entry->getNumArguments();
    AffineMap wide = map.replaceDimsAndSymbols(dims, {}, n, 0);
    OpBuilder b(op);
    if (load) {
      auto replacement = b.create<affine::AffineLoadOp>(op->getLoc(), load.getMemRef(), wide,
                                                        entry->getArguments());
      load.getResult().replaceAllUsesWith(replacement.getResult());
    } else {
      b.create<affine::AffineStoreOp>(op->getLoc(), store.getValueToStore(), store.getMemRef(),
                                      wide, entry->getArguments());
    }
    op->erase();
  }
}

void randomSchedules(MLIRContext &context, const char *text, unsigned trials, unsigned steps) {
  std::map<std::string, std::pair<unsigned, unsigned>> counts; // accepted, tried
  // KILN_SCHEDULE_FUZZ=N runs N times as many trials (e.g. after changing a primitive).
  if (const char *scale = std::getenv("KILN_SCHEDULE_FUZZ"))
    trials *= std::max(1, std::atoi(scale));
  for (unsigned trial = 0; trial < trials; ++trial) {
    std::mt19937 rng(trial);
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    ASSERT_TRUE(module);
    func::FuncOp kernel = *module->getOps<func::FuncOp>().begin();
    if (trial % 2)
      passAllIterVars(kernel);
    auto original = llvm::cast<func::FuncOp>(kernel->clone());
    std::vector<test::Tensor> expected, actual;
    ASSERT_TRUE(run(kernel, expected));
    Schedule s(kernel);
    unsigned accepted = 0;
    for (unsigned i = 0; i < steps; ++i) {
      TraceStep step = randomStep(kernel, rng);
      ++counts[step.primitive].second;
      std::string before;
      llvm::raw_string_ostream(before) << kernel;
      if (failed(s.apply(step))) {
        std::string after;
        llvm::raw_string_ostream(after) << kernel;
        ASSERT_EQ(before, after) << "rejected " << step.primitive << " changed the IR";
        ASSERT_FALSE(s.lastError().empty());
        continue;
      }
      ++accepted;
      ++counts[step.primitive].first;
      std::string where = "trial " + std::to_string(trial) + " after " + s.trace().toString();
      ASSERT_TRUE(succeeded(verify(kernel))) << where << "\n" << before;
      ASSERT_TRUE(run(kernel, actual)) << where;
      ASSERT_TRUE(same(expected, actual)) << where;
    }
    EXPECT_GT(accepted, 0u);
    std::optional<std::string> roundTrip = checkTraceRoundTrip(original, kernel, s.trace());
    EXPECT_FALSE(roundTrip) << *roundTrip;
    original->erase();
  }
  std::string summary;
  for (auto &[name, c] : counts)
    summary += name + " " + std::to_string(c.first) + "/" + std::to_string(c.second) + "  ";
  ::testing::Test::RecordProperty("accepted", summary);
  std::cout << "  accepted/tried: " << summary << "\n";
}

TEST_F(ScheduleTest, TraceJsonRoundTrip) {
  Trace trace;
  trace.steps.push_back({"split", {"matmul.i"}, {-1, 8}});
  trace.steps.push_back({"fuse", {"a", "b \"quoted\""}, {}});
  llvm::Expected<Trace> parsed = Trace::parse(trace.toString());
  ASSERT_TRUE(bool(parsed));
  EXPECT_EQ(parsed->toString(), trace.toString());
  EXPECT_EQ(parsed->steps[1].names[1], "b \"quoted\"");
  EXPECT_EQ(parsed->steps[0].ints[0], -1);
  for (const char *bad :
       {"{}", "[1]", "[{\"names\":[]}]", "[{\"primitive\":\"split\",\"ints\":[\"x\"]}]",
        "[{\"primitive\":\"split\",\"extra\":1}]", "not json"}) {
    llvm::Expected<Trace> t = Trace::parse(bad);
    EXPECT_FALSE(bool(t)) << bad;
    llvm::consumeError(t.takeError());
  }
}

TEST_F(ScheduleTest, ReplayRejectsUnknownPrimitive) {
  OwningOpRef<ModuleOp> module = parse(kMatmulBiasRelu);
  Schedule s(kernelOf(*module));
  Trace trace;
  trace.steps.push_back({"tile_everything", {"matmul"}, {}});
  EXPECT_TRUE(failed(s.replay(trace)));
  EXPECT_NE(s.lastError().find("unknown primitive"), std::string::npos);
}

TEST_F(ScheduleTest, CacheReadTakesOneReadIndex) {
  OwningOpRef<ModuleOp> module = parse(kMatmulBiasRelu);
  Schedule s(kernelOf(*module));
  EXPECT_TRUE(failed(s.apply({"cache_read", {"matmul", "matmul.i"}, {}})));
  EXPECT_NE(s.lastError().find("takes 1 integer argument"), std::string::npos) << s.lastError();
  ASSERT_TRUE(succeeded(s.apply({"cache_read", {"matmul", "matmul.i"}, {1}})));
  EXPECT_TRUE(loop::findBlock(kernelOf(*module), "matmul.pack1"));
}

// A row reduction moved under its consumer's row loop sweeps its whole row there (init and
// all), and can still be split and rfactored in place: layer norm's one-pass-per-row form.
TEST_F(ScheduleTest, ComputeAtMovesAReductionUnderItsConsumer) {
  OwningOpRef<ModuleOp> module = parse(kRowReduce);
  func::FuncOp kernel = kernelOf(*module);
  std::vector<test::Tensor> expected, actual;
  ASSERT_TRUE(run(kernel, expected));
  Schedule s(kernel);
  ASSERT_TRUE(succeeded(s.apply({"compute_at", {"sum", "scale.i"}, {}}))) << s.lastError();
  ASSERT_TRUE(succeeded(s.apply({"parallel", {"scale.i"}, {}}))) << s.lastError();
  loop::ForOp row = loop::findLoop(kernel, "sum.j");
  ASSERT_TRUE(row);
  EXPECT_EQ(row.getExtent(), 12);
  EXPECT_EQ(loop::enclosingLoops(row).front().getLoopName(), "scale.i") << print(kernel);
  ASSERT_TRUE(succeeded(s.apply({"split", {"sum.j"}, {-1, 4}}))) << s.lastError();
  ASSERT_TRUE(succeeded(s.apply({"rfactor", {"sum", "sum.j.1"}, {}}))) << s.lastError();
  ASSERT_TRUE(run(kernel, actual)) << print(kernel);
  EXPECT_TRUE(same(expected, actual)) << print(kernel);
  // The rfactor block's reduce var now steps by 4: regenerated over its whole domain it would
  // read past the row.
  EXPECT_TRUE(failed(s.apply({"compute_at", {"sum.rf", "sum.j.1.wb"}, {}})));
  EXPECT_NE(s.lastError().find("does not sweep its domain once"), std::string::npos)
      << s.lastError();

  // Under a parallel loop, overlapping recomputations of a reduction would race.
  OwningOpRef<ModuleOp> again = parse(kRowReduce);
  Schedule t(kernelOf(*again));
  ASSERT_TRUE(succeeded(t.apply({"parallel", {"scale.i"}, {}})));
  EXPECT_TRUE(failed(t.apply({"compute_at", {"sum", "scale.i"}, {}})));
  EXPECT_NE(t.lastError().find("under a parallel loop"), std::string::npos) << t.lastError();
}

// Under a consumer loop it does not index (the columns), the reduction runs once per column,
// init included; its init cannot then move out of that loop, nor the loop run in parallel.
TEST_F(ScheduleTest, DecomposeKeepsTheInitOfARepeatedReduction) {
  OwningOpRef<ModuleOp> module = parse(kRowReduce);
  func::FuncOp kernel = kernelOf(*module);
  std::vector<test::Tensor> expected, actual;
  ASSERT_TRUE(run(kernel, expected));
  Schedule s(kernel);
  ASSERT_TRUE(succeeded(s.apply({"compute_at", {"sum", "scale.j"}, {}}))) << s.lastError();
  // Nor can that loop run in parallel: every iteration re-zeroes and re-sums the row.
  EXPECT_TRUE(failed(s.apply({"parallel", {"scale.j"}, {}})));
  EXPECT_NE(s.lastError().find("repeats in every iteration"), std::string::npos)
      << s.lastError();
  EXPECT_TRUE(failed(s.apply({"decompose_reduction", {"sum", "scale.j"}, {}})));
  EXPECT_NE(s.lastError().find("repeat the reduction"), std::string::npos) << s.lastError();
  ASSERT_TRUE(succeeded(s.apply({"decompose_reduction", {"sum", "sum.j"}, {}})))
      << s.lastError();
  ASSERT_TRUE(run(kernel, actual)) << print(kernel);
  EXPECT_TRUE(same(expected, actual)) << print(kernel);
}

TEST_F(ScheduleTest, RandomMatmul) { randomSchedules(context, kMatmulBiasRelu, 150, 16); }
TEST_F(ScheduleTest, RandomConv) { randomSchedules(context, kConvBiasRelu, 60, 16); }
TEST_F(ScheduleTest, RandomRowReduce) { randomSchedules(context, kRowReduce, 150, 16); }

// The default schedule keeps results, replays from its trace, and decides the same whether or
// not accesses carry unused iter vars (the lowering's form).
TEST_F(ScheduleTest, DefaultScheduleKeepsResults) {
  std::string traces[3];
  for (int i = 0; i < 6; ++i) {
    OwningOpRef<ModuleOp> module =
        parse(std::array{kMatmulBiasRelu, kConvBiasRelu, kRowReduce}[i % 3]);
    func::FuncOp kernel = kernelOf(*module);
    if (i >= 3)
      passAllIterVars(kernel);
    auto original = llvm::cast<func::FuncOp>(kernel->clone());
    std::vector<test::Tensor> expected, actual;
    ASSERT_TRUE(run(kernel, expected));
    Schedule s(kernel);
    ASSERT_TRUE(succeeded(applyDefaultSchedule(kernel, s)));
    ASSERT_TRUE(run(kernel, actual)) << print(kernel);
    EXPECT_TRUE(same(expected, actual)) << print(kernel);
    EXPECT_FALSE(s.trace().steps.empty());
    std::optional<std::string> roundTrip = checkTraceRoundTrip(original, kernel, s.trace());
    EXPECT_FALSE(roundTrip) << *roundTrip;
    original->erase();
    if (i < 3)
      traces[i] = s.trace().toString();
    else
      EXPECT_EQ(traces[i % 3], s.trace().toString());
  }
}

} // namespace

namespace {

// Allocations of the kernel in a loop (compacted, local) and at its top level.
std::pair<unsigned, unsigned> countAllocs(func::FuncOp kernel, int64_t localRows) {
  unsigned local = 0, top = 0;
  kernel.walk([&](memref::AllocOp alloc) {
    if (llvm::isa<loop::ForOp>(alloc->getParentOp())) {
      EXPECT_EQ(alloc.getType().getDimSize(0), localRows);
      ++local;
    } else {
      ++top;
    }
  });
  return {local, top};
}

// Applies `steps` to kMatmulBiasRelu, compacts, and checks the kernel still computes what the
// unscheduled one does; returns how many buffers shrank.
unsigned compactAfter(MLIRContext &context, ArrayRef<TraceStep> steps, int64_t localRows,
                      std::pair<unsigned, unsigned> expectedAllocs) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kMatmulBiasRelu, &context);
  func::FuncOp kernel = *module->getOps<func::FuncOp>().begin();
  std::vector<test::Tensor> expected, actual;
  EXPECT_TRUE(run(kernel, expected));
  Schedule s(kernel);
  for (const TraceStep &step : steps)
    EXPECT_TRUE(succeeded(s.apply(step))) << s.lastError();
  unsigned compacted = compactIntermediates(kernel);
  EXPECT_EQ(countAllocs(kernel, localRows), expectedAllocs);
  EXPECT_TRUE(run(kernel, actual));
  EXPECT_TRUE(same(expected, actual));
  return compacted;
}

// A producer moved under its consumer's loop leaves a whole-size intermediate behind:
// compaction shrinks it to one iteration's tile in that loop (the matmul's whole reduction
// runs inside it), same values computed. Unscheduled, each intermediate is written and read
// in nests of its own and stays.
TEST_F(ScheduleTest, CompactionShrinksLoopLocalIntermediates) {
  EXPECT_EQ(compactAfter(context, {}, 0, {0u, 2u}), 0u);
  EXPECT_EQ(compactAfter(context,
                         {{"split", {"matmul.i"}, {-1, 2}},
                          {"reorder", {"matmul.i.0", "matmul.k", "matmul.i.1", "matmul.j"}, {}},
                          {"reverse_compute_at", {"add", "matmul.i.0"}, {}},
                          {"reverse_compute_at", {"relu", "matmul.i.0"}, {}}},
                         2, {2u, 0u}),
            2u);
}

// Column tiles between the row loop and the reduction would move the matmul's accumulators
// across the local buffer, where LLVM keeps them in memory: that buffer stays kernel-level
// (the add's output, written by a plain block, still shrinks).
TEST_F(ScheduleTest, CompactionKeepsAccumulatorsThatMoveAcrossTheReduction) {
  EXPECT_EQ(compactAfter(context,
                         {{"split", {"matmul.i"}, {-1, 2}},
                          {"split", {"matmul.j"}, {-1, 4}},
                          {"reorder",
                           {"matmul.i.0", "matmul.j.0", "matmul.k", "matmul.i.1", "matmul.j.1"},
                           {}},
                          {"reverse_compute_at", {"add", "matmul.i.0"}, {}},
                          {"reverse_compute_at", {"relu", "matmul.i.0"}, {}}},
                         2, {1u, 1u}),
            1u);
}

} // namespace
