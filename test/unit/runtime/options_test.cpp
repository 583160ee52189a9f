// kiln-run's command line: accepted forms and a one-line message for every usage error.
#include "tools/kiln-run/bench.h"
#include "tools/kiln-run/options.h"
#include "tools/kiln-run/runner.h"

#include <gtest/gtest.h>

namespace kiln::run {
namespace {

bool parse(std::vector<const char *> args, Options *out, std::string *error) {
  args.insert(args.begin(), "kiln-run");
  return parseOptions(int(args.size()), args.data(), out, error);
}

TEST(Options, ParsesEveryFlag) {
  Options o;
  std::string error;
  ASSERT_TRUE(parse({"m.so", "--input", "x=a.npy", "--input=y:0=b=c.npy", "--output-dir", "out",
                     "--bench=20", "--threads", "3", "--thread-affinity=spread", "--seed",
                     "18446744073709551615", "--info"},
                    &o, &error))
      << error;
  EXPECT_EQ(o.modelPath, "m.so");
  ASSERT_EQ(o.inputs.size(), 2u);
  EXPECT_EQ(o.inputs[0].name, "x");
  EXPECT_EQ(o.inputs[0].path, "a.npy");
  EXPECT_EQ(o.inputs[1].name, "y:0"); // split at the first '='
  EXPECT_EQ(o.inputs[1].path, "b=c.npy");
  EXPECT_EQ(o.outputDir, "out");
  EXPECT_EQ(o.benchIterations, 20);
  EXPECT_EQ(o.numThreads, 3);
  EXPECT_EQ(o.threadAffinity, KILN_THREAD_AFFINITY_SPREAD);
  EXPECT_EQ(o.seed, 18446744073709551615ull);
  EXPECT_TRUE(o.info);
  ASSERT_TRUE(parse({"--help"}, &o, &error));
  EXPECT_TRUE(o.help);
}

TEST(Options, RejectsBadUsage) {
  const std::pair<std::vector<const char *>, const char *> cases[] = {
      {{}, "no model given (usage: kiln-run MODEL.so [options], see --help)"},
      {{"a.so", "b.so"}, "unexpected argument 'b.so' (one model at a time)"},
      {{"m.so", "--frobnicate"}, "unknown option '--frobnicate' (see --help)"},
      {{"m.so", "--bench"}, "--bench needs a value"},
      {{"m.so", "--bench", "0"}, "--bench expects a positive number of runs, got '0'"},
      {{"m.so", "--bench", "5x"}, "--bench expects a positive number of runs, got '5x'"},
      {{"m.so", "--threads", "-1"}, "--threads expects a number in [0, 1024], got '-1'"},
      {{"m.so", "--thread-affinity", "pinned"},
       "--thread-affinity expects auto, none or spread, got 'pinned'"},
      {{"m.so", "--seed", "-1"}, "--seed expects a non-negative integer, got '-1'"},
      {{"m.so", "--input", "x.npy"}, "--input expects NAME=FILE.npy, got 'x.npy'"},
      {{"m.so", "--input", "=x.npy"}, "--input expects NAME=FILE.npy, got '=x.npy'"},
      {{"m.so", "--input", "x=a.npy", "--input", "x=b.npy"}, "input 'x' given twice"},
      {{"m.so", "--info=yes"}, "--info takes no value"},
  };
  for (const auto &[args, expected] : cases) {
    Options o;
    std::string error;
    EXPECT_FALSE(parse(args, &o, &error)) << expected;
    EXPECT_EQ(error, expected);
  }
}

TEST(Options, OutputFileNames) {
  EXPECT_EQ(outputFileName("logits"), "logits.npy");
  EXPECT_EQ(outputFileName("a/b/c:0"), "a_b_c:0.npy");
  EXPECT_EQ(outputFileName(".."), "...npy"); // stays inside the output folder
}

TEST(Bench, NearestRankPercentiles) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i)
    samples.push_back(i);
  LatencyStats stats = summarizeLatencies(samples);
  EXPECT_DOUBLE_EQ(stats.mean, 50.5);
  EXPECT_EQ(stats.p50, 50);
  EXPECT_EQ(stats.p90, 90);
  EXPECT_EQ(stats.p99, 99);
  EXPECT_EQ(stats.min, 1);
  EXPECT_EQ(summarizeLatencies({3.0}).p99, 3.0);
  EXPECT_EQ(warmupRuns(1), 1);
  EXPECT_EQ(warmupRuns(50), 5);
  EXPECT_EQ(warmupRuns(100000), 10);
}

} // namespace
} // namespace kiln::run
