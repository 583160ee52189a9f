// runCommands: exit codes, signals, the time limit, the parallelism limit and captured output,
// with results in input order.
#include "autotuner/measure/Subprocess.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>

using namespace kiln::autotuner;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> shell(const std::string &script) { return {"/bin/sh", "-c", script}; }

TEST(RunCommands, ExitCodesInInputOrder) {
  auto results = runCommands({shell("exit 3"), {"/bin/true"}, shell("exit 0"), {"/bin/false"}},
                             2, 30);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].exitCode, 3);
  EXPECT_FALSE(results[0].succeeded());
  EXPECT_EQ(results[0].failure(), "exited with status 3");
  EXPECT_TRUE(results[1].succeeded());
  EXPECT_TRUE(results[2].succeeded());
  EXPECT_EQ(results[3].exitCode, 1);
  for (const CommandResult &r : results) {
    EXPECT_EQ(r.signal, 0);
    EXPECT_FALSE(r.timedOut);
  }
}

TEST(RunCommands, CapturesStdoutAndStderr) {
  auto results = runCommands({shell("echo hello; echo first >&2; echo oops >&2; exit 1"),
                              shell("printf 'a\\nb'")},
                             2, 30);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].out, "hello\n");
  EXPECT_EQ(results[0].err, "first\noops\n");
  EXPECT_EQ(results[0].failure(), "oops"); // the last line of stderr says why
  EXPECT_EQ(results[1].out, "a\nb");
  EXPECT_EQ(results[1].err, "");
}

TEST(RunCommands, KillsACommandPastTheTimeLimit) {
  auto start = Clock::now();
  auto results = runCommands({{"/bin/sleep", "20"}, shell("exit 0")}, 2, 0.5);
  double elapsed = secondsSince(start);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].timedOut);
  EXPECT_FALSE(results[0].succeeded());
  EXPECT_EQ(results[0].failure(), "timed out");
  EXPECT_TRUE(results[1].succeeded()); // the other command is unaffected
  EXPECT_GE(elapsed, 0.45);
  EXPECT_LT(elapsed, 3.0) << "the time limit was not enforced";
}

TEST(RunCommands, ReportsTheSignalThatKilledACommand) {
  auto results = runCommands({shell("echo about to crash >&2; kill -SEGV $$"),
                              shell("kill -ABRT $$")},
                             2, 30);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].signal, SIGSEGV);
  EXPECT_FALSE(results[0].timedOut);
  EXPECT_FALSE(results[0].succeeded());
  std::string why = results[0].failure();
  EXPECT_NE(why.find("crashed"), std::string::npos) << why;
  EXPECT_NE(why.find("about to crash"), std::string::npos) << why;
  EXPECT_EQ(results[1].signal, SIGABRT);
}

TEST(RunCommands, RespectsTheParallelismLimit) {
  std::vector<std::vector<std::string>> sleeps(6, {"/bin/sleep", "0.3"});
  auto start = Clock::now();
  auto results = runCommands(sleeps, 2, 30);
  double twoAtATime = secondsSince(start);
  for (const CommandResult &r : results)
    EXPECT_TRUE(r.succeeded()) << r.failure();
  // Three waves of two.
  EXPECT_GE(twoAtATime, 0.85);
  EXPECT_LT(twoAtATime, 2.5);

  start = Clock::now();
  runCommands(sleeps, 6, 30);
  double allAtOnce = secondsSince(start);
  EXPECT_LT(allAtOnce, 0.8) << "six at once should take about one sleep";

  start = Clock::now();
  runCommands({{"/bin/sleep", "0.2"}, {"/bin/sleep", "0.2"}}, 0, 30); // 0 means one at a time
  EXPECT_GE(secondsSince(start), 0.38);
}

TEST(RunCommands, AProgramThatCannotStart) {
  auto results = runCommands({{"/nonexistent/kiln-worker", "build"}, {"/bin/true"}}, 1, 30);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].succeeded());
  EXPECT_NE(results[0].failure().find("/nonexistent/kiln-worker"), std::string::npos)
      << results[0].failure();
  EXPECT_TRUE(results[1].succeeded());
}

} // namespace
