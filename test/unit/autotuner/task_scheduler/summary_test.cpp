// The final per-task table: every task has a row, a task that could not be tuned says why.
#include "autotuner/task_scheduler/TuningSession.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace kiln::autotuner;

namespace {

TuneSummary twoTasks() {
  TuneSummary summary;
  TaskSummary tuned;
  tuned.name = "fused_matmul_add_relu_0";
  tuned.weight = 2;
  tuned.flops = 2e6;
  tuned.trials = 24;
  tuned.failures = 3;
  tuned.baselineSec = 4e-6;
  tuned.bestSec = 2e-6;
  tuned.trialsTo90Percent = 7;
  TaskSummary broken;
  broken.name = "fused_conv_relu_1";
  broken.error = "the worker crashed on the default schedule";
  summary.tasks = {tuned, broken};
  summary.baselineSec = 8e-6;
  summary.estimatedSec = 4e-6;
  summary.trialsThisRun = 24;
  summary.elapsedSec = 3;
  return summary;
}

TEST(TuneSummary, TableHasARowPerTask) {
  std::string table = twoTasks().table();
  EXPECT_NE(table.find("fused_matmul_add_relu_0"), std::string::npos) << table;
  EXPECT_NE(table.find("fused_conv_relu_1"), std::string::npos) << table;
  EXPECT_NE(table.find("not tuned: the worker crashed on the default schedule"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("2.00x"), std::string::npos) << table; // 4 us -> 2 us
  EXPECT_NE(table.find(" 24 "), std::string::npos) << table;
  EXPECT_EQ(table.find("interrupted"), std::string::npos) << table;
  EXPECT_EQ(table.find("cost model"), std::string::npos) << table;
  // Header, two rows, the end-to-end line.
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4) << table;
}

TEST(TuneSummary, TableSaysWhenInterruptedAndHowTheModelRanked) {
  TuneSummary summary = twoTasks();
  summary.interrupted = true;
  summary.rankingAccuracy = 0.75;
  summary.rankingPairs = 120;
  std::string table = summary.table();
  EXPECT_NE(table.find("(interrupted)"), std::string::npos) << table;
  EXPECT_NE(table.find("0.750"), std::string::npos) << table;
  EXPECT_NE(table.find("120"), std::string::npos) << table;
}

} // namespace
