// Tuning curves and the report: best-so-far, end-to-end sums, trials to 90%, HTML/SVG output.
#include "autotuner/database/Database.h"
#include "autotuner/database/Report.h"
#include "autotuner/database/SvgChart.h"
#include "autotuner/database/TuningCurves.h"

#include "TestHelpers.h"

#include <cmath>

using namespace kiln::autotuner;
using namespace kiln::autotuner::test;

using ReportTest = ScratchDir;

static size_t countOf(llvm::StringRef text, llvm::StringRef needle) {
  return text.count(needle);
}

// Task "a": baseline 10 ms, then 8, failed, 6, 5.4, 5.2, 5.0 ms. Final best 5 ms; 90% of its
// throughput is 5/0.9 = 5.56 ms, first reached by 5.4 ms at trial 4.
static void appendKnownSequence(Database &db) {
  auto add = [&](TuningRecord record) { ASSERT_FALSE(bool(db.append(record))); };
  add(makeRecord("a", {10e-3}, 0));
  add(makeRecord("a", {8e-3}, 1));
  TuningRecord failed = makeRecord("a", {}, 2);
  failed.error = "timeout";
  add(failed);
  add(makeRecord("a", {6e-3}, 3));
  add(makeRecord("a", {5.4e-3}, 4));
  add(makeRecord("a", {5.2e-3}, 5));
  add(makeRecord("a", {5.0e-3}, 6));
}

TEST_F(ReportTest, TrialsToNinetyPercentOnAKnownSequence) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  appendKnownSequence(*db);
  TuningCurves curves = computeTuningCurves(*db);
  ASSERT_EQ(curves.tasks.size(), 1u);
  const TaskCurve &task = curves.tasks[0];
  EXPECT_EQ(task.trials, 6u);
  EXPECT_EQ(task.failedTrials, 1u);
  std::vector<double> expected = {10e-3, 8e-3, 8e-3, 6e-3, 5.4e-3, 5.2e-3, 5.0e-3};
  ASSERT_EQ(task.bestSoFarSec.size(), expected.size());
  for (size_t t = 0; t < expected.size(); ++t)
    EXPECT_DOUBLE_EQ(task.bestSoFarSec[t], expected[t]) << "trial " << t;
  EXPECT_EQ(task.trialsToReach90(), std::optional<size_t>(4));
  EXPECT_DOUBLE_EQ(*task.speedup(), 2.0);
  EXPECT_NEAR(task.gflops(), 2e9 / 5e-3 / 1e9, 1e-9);

  EXPECT_EQ(trialsToReach({4.0, 3.0, 2.0}, 0.5), std::optional<size_t>(0)); // 4 <= 2/0.5
  EXPECT_EQ(trialsToReach({NAN, 9.0, 1.0}, 0.9), std::optional<size_t>(2));
  EXPECT_EQ(trialsToReach({NAN, NAN}, 0.9), std::nullopt);
}

TEST_F(ReportTest, EndToEndCountsBaselinesUntilTheFirstTrialAndIgnoresDeadTasks) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  auto add = [&](TuningRecord record) { ASSERT_FALSE(bool(db->append(record))); };
  TuningRecord baselineA = makeRecord("a", {10e-3}, 0);
  add(baselineA);
  add(makeRecord("a", {8e-3}, 1));
  // Task b (weight 2) gets its baseline after a's first trial: it counts from the start anyway.
  TuningRecord baselineB = makeRecord("b", {4e-3}, 0);
  baselineB.weight = 2;
  add(baselineB);
  TuningRecord trialB = makeRecord("b", {3e-3}, 1);
  trialB.weight = 2;
  add(trialB);
  add(makeRecord("a", {6e-3}, 2));
  TuningRecord dead = makeRecord("c", {}, 1); // nothing ok ever: left out
  dead.error = "build error";
  add(dead);

  TuningCurves curves = computeTuningCurves(*db);
  EXPECT_EQ(curves.tasks.size(), 3u);
  EXPECT_EQ(curves.totalTrials, 4u);
  std::vector<double> trials = {0, 1, 2, 3, 4};
  std::vector<double> expected = {18e-3, 16e-3, 14e-3, 12e-3, 12e-3};
  EXPECT_EQ(curves.endToEnd.trials, trials);
  ASSERT_EQ(curves.endToEnd.latencySec.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(curves.endToEnd.latencySec[i], expected[i], 1e-12) << "point " << i;
}

TEST_F(ReportTest, HtmlHasOneChartPerTaskAnEndToEndChartAndTheTable) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  appendKnownSequence(*db);
  TuningRecord other = makeRecord("b<&>", {1e-3}, 0);
  other.taskName = "dense_<relu>";
  ASSERT_FALSE(bool(db->append(other)));
  ASSERT_FALSE(bool(db->append(makeRecord("b<&>", {0.5e-3}, 1))));

  std::string path = file("report.html");
  ASSERT_FALSE(bool(writeTuningReport(*db, path)));
  std::string html = readFile(path);
  EXPECT_EQ(llvm::StringRef(html).take_front(15), "<!DOCTYPE html>");
  EXPECT_EQ(countOf(html, "<svg"), 3u) << "two tasks + end to end";
  EXPECT_EQ(countOf(html, "id=\"end-to-end\""), 1u);
  EXPECT_EQ(countOf(html, "id=\"task-0\""), 1u);
  EXPECT_EQ(countOf(html, "id=\"task-1\""), 1u);
  EXPECT_NE(html.find("task_a — 400.0 GFLOP/s"), std::string::npos) << "titled with GFLOP/s";
  EXPECT_NE(html.find("<td class=\"t90\">4</td>"), std::string::npos);
  EXPECT_NE(html.find("dense_&lt;relu&gt;"), std::string::npos) << "names are escaped";
  EXPECT_EQ(html.find("dense_<relu>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos) << "self-contained";
  EXPECT_NE(html.find("best latency (ms)"), std::string::npos) << "axis label";
}

TEST_F(ReportTest, SvgPathGetsTheEndToEndChartAlone) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  appendKnownSequence(*db);
  std::string path = file("curve.svg");
  ASSERT_FALSE(bool(writeTuningReport(*db, path)));
  std::string svg = readFile(path);
  EXPECT_EQ(llvm::StringRef(svg).take_front(5), "<?xml");
  EXPECT_EQ(countOf(svg, "<svg"), 1u);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"end-to-end\""), std::string::npos);
  EXPECT_EQ(svg.find("<html"), std::string::npos);
}

TEST_F(ReportTest, EmptyDatabaseStillGivesAPage) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  std::string html = renderTuningReportHtml(*db);
  EXPECT_EQ(countOf(html, "<svg"), 1u);
  EXPECT_NE(html.find("no successful measurement"), std::string::npos);
}

TEST_F(ReportTest, UnwritablePathIsAnErrorNamingIt) {
  auto db = std::move(*Database::open(file("db.jsonl"), true));
  std::string path = file("missing/folder/report.html");
  llvm::Error err = writeTuningReport(*db, path);
  ASSERT_TRUE(bool(err));
  EXPECT_NE(llvm::toString(std::move(err)).find(path), std::string::npos);
}

TEST(SvgChart, NiceTicksAreRoundAndCoverTheRange) {
  std::vector<double> ticks = niceTicks(0, 7.3, 5);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_EQ(ticks.front(), 0);
  EXPECT_GE(ticks.back(), 7.3);
  EXPECT_EQ(ticks[1] - ticks[0], 2);
  EXPECT_EQ(niceTicks(0, 0.42, 5)[1], 0.1); // 0.084 rounds up to 0.1
  EXPECT_EQ(niceTicks(0, 0.42, 4)[1], 0.2); // 0.105 rounds up to 0.2
}
