// The tuning report: tuning curves and a per-task summary drawn from a tuning database.
#ifndef KILN_AUTOTUNER_DATABASE_REPORT_H
#define KILN_AUTOTUNER_DATABASE_REPORT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace kiln::autotuner {

class Database;

// Writes a self-contained HTML page (inline SVG, no external scripts or fonts): an end-to-end
// chart (sum over tasks of weight x best latency so far, against total trials), one chart per
// task (best latency against its trials), and a summary table per task (trials, baseline ms,
// best ms, speedup, GFLOP/s, trials to reach 90% of the final best). A path ending in ".svg"
// gets the end-to-end chart alone, as a standalone SVG. Errors name the path.
llvm::Error writeTuningReport(const Database &db, llvm::StringRef outputPath);

// The same page or SVG as a string.
std::string renderTuningReportHtml(const Database &db);
std::string renderEndToEndSvg(const Database &db);

} // namespace kiln::autotuner

#endif
