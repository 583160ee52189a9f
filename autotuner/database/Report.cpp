// Renders the tuning report (HTML page or standalone SVG) from the database's tuning curves.
#include "autotuner/database/Report.h"

#include "autotuner/database/Database.h"
#include "autotuner/database/SvgChart.h"
#include "autotuner/database/TuningCurves.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

namespace kiln::autotuner {

static std::string number(double value, const char *spec = "%.4g") {
  std::string text;
  raw_string_ostream(text) << format(spec, value);
  return text;
}

static std::string ms(std::optional<double> seconds) {
  return seconds ? number(*seconds * 1e3) : "–";
}

static std::string displayName(const TaskCurve &task) {
  return task.taskName.empty() ? task.workloadKey : task.taskName;
}

static StepChart endToEndChart(const TuningCurves &curves) {
  StepChart chart;
  chart.id = "end-to-end";
  chart.title = "End to end: estimated model latency";
  size_t counted = 0;
  for (const TaskCurve &task : curves.tasks)
    counted += task.bestSec().has_value();
  chart.subtitle = "Σ weight × best latency so far over " + std::to_string(counted) +
                   " tasks (baselines before their first trial)";
  chart.xLabel = "trials (all tasks)";
  chart.yLabel = "latency (ms)";
  chart.x = curves.endToEnd.trials;
  for (double seconds : curves.endToEnd.latencySec)
    chart.y.push_back(seconds * 1e3);
  if (!chart.y.empty()) {
    chart.referenceY = chart.y.back();
    chart.referenceLabel = "final " + number(chart.y.back()) + " ms";
  }
  return chart;
}

static StepChart taskChart(const TaskCurve &task, size_t index) {
  StepChart chart;
  chart.id = "task-" + std::to_string(index);
  chart.title = displayName(task);
  if (task.flops > 0 && task.bestSec())
    chart.title += " — " + number(task.gflops(), "%.1f") + " GFLOP/s";
  chart.subtitle = task.workloadKey + " @ " + task.target + " · weight " +
                   number(task.weight, "%g") + " · " + std::to_string(task.trials) +
                   " trials (" + std::to_string(task.failedTrials) + " failed) · baseline " +
                   ms(task.baselineSec) + " ms, best " + ms(task.bestSec()) + " ms";
  chart.xLabel = "trials";
  chart.yLabel = "best latency (ms)";
  for (size_t t = 0; t < task.bestSoFarSec.size(); ++t) {
    chart.x.push_back(static_cast<double>(t));
    chart.y.push_back(task.bestSoFarSec[t] * 1e3);
  }
  if (std::optional<double> best = task.bestSec()) {
    chart.referenceY = *best / 0.9 * 1e3;
    std::optional<size_t> reached = task.trialsToReach90();
    chart.referenceLabel = "90% of best throughput" +
                           (reached ? " (trial " + std::to_string(*reached) + ")" : "");
  }
  return chart;
}

static void writeSummaryTable(raw_ostream &os, const TuningCurves &curves) {
  os << "<table>\n<thead><tr><th>task</th><th>target</th><th>weight</th><th>trials</th>"
        "<th>baseline ms</th><th>best ms</th><th>speedup</th><th>GFLOP/s</th>"
        "<th>trials to 90%</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < curves.tasks.size(); ++i) {
    const TaskCurve &task = curves.tasks[i];
    std::optional<double> speedup = task.speedup();
    std::optional<size_t> reached = task.trialsToReach90();
    os << "<tr><td><a href=\"#task-" << i << "\">" << escapeXml(displayName(task))
       << "</a></td><td>" << escapeXml(task.target) << "</td><td>" << number(task.weight, "%g")
       << "</td><td>" << task.trials;
    if (task.failedTrials)
      os << " (" << task.failedTrials << " failed)";
    os << "</td><td>" << ms(task.baselineSec) << "</td><td>" << ms(task.bestSec())
       << "</td><td>" << (speedup ? number(*speedup, "%.2f") + "×" : "–") << "</td><td>"
       << (task.flops > 0 && task.bestSec() ? number(task.gflops(), "%.1f") : "–")
       << "</td><td class=\"t90\">" << (reached ? std::to_string(*reached) : "–")
       << "</td></tr>\n";
  }
  os << "</tbody>\n</table>\n";
}

std::string renderTuningReportHtml(const Database &db) {
  TuningCurves curves = computeTuningCurves(db);
  std::string html;
  raw_string_ostream os(html);
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Kiln tuning report</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:24px;color:#222}\n"
        "table{border-collapse:collapse;margin:12px 0 24px}\n"
        "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}\n"
        "th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}\n"
        "th{background:#f2f2f2}\n.charts{display:flex;flex-wrap:wrap;gap:12px}\n"
        "svg{border:1px solid #ddd}\n</style>\n</head>\n<body>\n<h1>Kiln tuning report</h1>\n";
  os << "<p>Database <code>" << escapeXml(db.path()) << "</code>: " << db.records().size()
     << " records, " << db.skippedLines() << " skipped lines, " << curves.tasks.size()
     << " tasks, " << curves.totalTrials << " search trials.";
  const std::vector<double> &endToEnd = curves.endToEnd.latencySec;
  if (!endToEnd.empty())
    os << " Estimated end-to-end latency: " << number(endToEnd.front() * 1e3) << " ms at the start, "
       << number(endToEnd.back() * 1e3) << " ms now ("
       << number(endToEnd.front() / endToEnd.back(), "%.2f") << "×).";
  os << "</p>\n<h2>End to end</h2>\n" << renderStepChart(endToEndChart(curves));
  os << "<h2>Tasks</h2>\n";
  writeSummaryTable(os, curves);
  os << "<p>Trials count search records, failed ones included; the baseline (the default "
        "schedule) is trial 0. “Trials to 90%”: the first trial whose best latency is within "
        "best / 0.9, i.e. 90% of the final best throughput.</p>\n<div class=\"charts\">\n";
  for (size_t i = 0; i < curves.tasks.size(); ++i)
    os << renderStepChart(taskChart(curves.tasks[i], i));
  os << "</div>\n</body>\n</html>\n";
  return html;
}

std::string renderEndToEndSvg(const Database &db) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
         renderStepChart(endToEndChart(computeTuningCurves(db)));
}

Error writeTuningReport(const Database &db, StringRef outputPath) {
  std::string text = outputPath.ends_with_insensitive(".svg") ? renderEndToEndSvg(db)
                                                               : renderTuningReportHtml(db);
  std::error_code ec;
  raw_fd_ostream os(outputPath, ec, sys::fs::OF_None);
  if (!ec) {
    os << text;
    os.close();
    ec = os.error();
    os.clear_error(); // else the stream aborts the process when it is destroyed

  }
  if (ec)
    return createStringError(ec, "tuning report '%s': cannot write: %s",
                             outputPath.str().c_str(), ec.message().c_str());
  return Error::success();
}

} // namespace kiln::autotuner
