// Step charts as inline SVG: a plot frame, grid, tick labels, axis labels and the curve.
#include "autotuner/database/SvgChart.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace llvm;

namespace kiln::autotuner {

namespace {
constexpr double kWidth = 640, kHeight = 340;
constexpr double kLeft = 76, kRight = 24, kTop = 56, kBottom = 54;
constexpr const char *kFont = "font-family=\"system-ui, sans-serif\"";
constexpr const char *kCurveColor = "#1f6fb2";
} // namespace

std::string escapeXml(StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return out;
}

std::vector<double> niceTicks(double low, double high, int count) {
  double range = high - low;
  if (!(range > 0))
    range = std::max(std::abs(high), 1.0);
  double rough = range / std::max(count, 1);
  double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  double normalized = rough / magnitude;
  double step = (normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10) * magnitude;
  double first = std::floor(low / step + 1e-9);
  double last = std::ceil(high / step - 1e-9);
  if (last <= first)
    last = first + 1;
  std::vector<double> ticks;
  for (double i = first; i <= last; ++i)
    ticks.push_back(i * step); // multiply, not accumulate, so labels stay round
  return ticks;
}

static std::string label(double value) {
  std::string text;
  raw_string_ostream(text) << format("%.4g", std::abs(value) < 1e-12 ? 0.0 : value);
  return text;
}

std::string renderStepChart(const StepChart &chart) {
  double xMax = 1, yMax = 0;
  for (size_t i = 0; i < chart.x.size(); ++i) {
    xMax = std::max(xMax, chart.x[i]);
    if (std::isfinite(chart.y[i]))
      yMax = std::max(yMax, chart.y[i]);
  }
  if (chart.referenceY)
    yMax = std::max(yMax, *chart.referenceY);
  if (!(yMax > 0))
    yMax = 1;

  std::vector<double> xTicks;
  for (double tick : niceTicks(0, xMax, 6))
    if (tick == std::floor(tick)) // trials are whole numbers
      xTicks.push_back(tick);
  std::vector<double> yTicks = niceTicks(0, yMax * 1.05, 5);
  double xTop = xTicks.back(), yTop = yTicks.back();
  double plotWidth = kWidth - kLeft - kRight, plotHeight = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + x / xTop * plotWidth; };
  auto py = [&](double y) { return kTop + plotHeight - y / yTop * plotHeight; };

  std::string svg;
  raw_string_ostream os(svg);
  os << format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\"",
               kWidth, kHeight, kWidth, kHeight);
  if (!chart.id.empty())
    os << " id=\"" << escapeXml(chart.id) << "\"";
  os << " role=\"img\">\n<title>" << escapeXml(chart.title) << "</title>\n";
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << format("<text x=\"%.0f\" y=\"22\" ", kLeft) << kFont
     << " font-size=\"15\" font-weight=\"600\">" << escapeXml(chart.title) << "</text>\n";
  os << format("<text x=\"%.0f\" y=\"40\" ", kLeft) << kFont << " font-size=\"11\" fill=\"#555\">"
     << escapeXml(chart.subtitle) << "</text>\n";

  // Grid and tick labels.
  for (double tick : yTicks) {
    os << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>",
                 kLeft, py(tick), kLeft + plotWidth, py(tick));
    os << format("<text x=\"%.1f\" y=\"%.1f\" ", kLeft - 6, py(tick) + 4) << kFont
       << " font-size=\"11\" text-anchor=\"end\">" << label(tick) << "</text>\n";
  }
  for (double tick : xTicks) {
    os << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>",
                 px(tick), kTop + plotHeight, px(tick), kTop + plotHeight + 5);
    os << format("<text x=\"%.1f\" y=\"%.1f\" ", px(tick), kTop + plotHeight + 18) << kFont
       << " font-size=\"11\" text-anchor=\"middle\">" << label(tick) << "</text>\n";
  }
  os << format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#999\"/>\n",
               kLeft, kTop, plotWidth, plotHeight);
  os << format("<text x=\"%.1f\" y=\"%.1f\" ", kLeft + plotWidth / 2, kHeight - 12) << kFont
     << " font-size=\"12\" text-anchor=\"middle\">" << escapeXml(chart.xLabel) << "</text>\n";
  os << format("<text x=\"16\" y=\"%.1f\" ", kTop + plotHeight / 2) << kFont
     << format(" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">",
               kTop + plotHeight / 2)
     << escapeXml(chart.yLabel) << "</text>\n";

  if (chart.referenceY) {
    os << format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2a9d4b\" "
                 "stroke-dasharray=\"5 4\"/>",
                 kLeft, py(*chart.referenceY), kLeft + plotWidth, py(*chart.referenceY));
    // Below the line at the left: the curve lies above it there (it only falls over time).
    os << format("<text x=\"%.1f\" y=\"%.1f\" ", kLeft + 6, py(*chart.referenceY) + 14)
       << kFont << " font-size=\"11\" fill=\"#2a9d4b\">"
       << escapeXml(chart.referenceLabel) << "</text>\n";
  }

  // The curve: hold each value until the next point; a marker wherever the value changes.
  std::string path, markers;
  raw_string_ostream pathOs(path), markerOs(markers);
  bool penDown = false;
  double previous = NAN;
  for (size_t i = 0; i < chart.x.size(); ++i) {
    double y = chart.y[i];
    if (!std::isfinite(y)) {
      penDown = false;
      continue;
    }
    if (penDown)
      pathOs << format(" H%.1f V%.1f", px(chart.x[i]), py(y));
    else
      pathOs << format(" M%.1f %.1f", px(chart.x[i]), py(y));
    if (!penDown || y != previous)
      markerOs << format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                         px(chart.x[i]), py(y), kCurveColor);
    penDown = true;
    previous = y;
  }
  if (path.empty())
    os << format("<text x=\"%.1f\" y=\"%.1f\" ", kLeft + plotWidth / 2, kTop + plotHeight / 2)
       << kFont << " font-size=\"13\" fill=\"#888\" text-anchor=\"middle\">"
       << "no successful measurement</text>\n";
  else
    os << "<path d=\"" << StringRef(path).ltrim() << "\" fill=\"none\" stroke=\"" << kCurveColor
       << "\" stroke-width=\"2\"/>\n"
       << markers << "\n";
  os << "</svg>\n";
  return svg;
}

} // namespace kiln::autotuner
