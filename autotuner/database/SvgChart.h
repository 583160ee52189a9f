// A small self-contained SVG line chart (linear axes, ticks, labels) for the tuning report.
#ifndef KILN_AUTOTUNER_DATABASE_SVGCHART_H
#define KILN_AUTOTUNER_DATABASE_SVGCHART_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln::autotuner {

struct StepChart {
  std::string title;
  std::string subtitle;
  std::string xLabel;
  std::string yLabel;
  // The curve, drawn as a step function (a best-so-far value holds until the next point).
  // Points with a NaN y break the line.
  std::vector<double> x;
  std::vector<double> y;
  // A dashed horizontal reference line with its label (e.g. the final best).
  std::optional<double> referenceY;
  std::string referenceLabel;
  // An id for the <svg> element, so the page can link to it.
  std::string id;
};

// Renders the chart as one <svg> element with xmlns, valid inline in HTML and standalone.
std::string renderStepChart(const StepChart &chart);

// Round tick values covering [low, high]: about `count` steps of 1, 2 or 5 x 10^k.
std::vector<double> niceTicks(double low, double high, int count);

// Escapes text for HTML and XML content and attributes.
std::string escapeXml(llvm::StringRef text);

} // namespace kiln::autotuner

#endif
