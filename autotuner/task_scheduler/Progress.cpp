#include "autotuner/task_scheduler/Progress.h"

#include <algorithm>
#include <cstdio>
#include <unistd.h>

namespace kiln::autotuner {

std::string formatDuration(double seconds) {
  long total = long(seconds + 0.5), h = total / 3600, m = total / 60 % 60, s = total % 60;
  char text[32];
  if (h)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", h, m, s);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", m, s);
  return text;
}

std::string formatLatency(double seconds) {
  char text[32];
  if (seconds >= 1e-3)
    std::snprintf(text, sizeof text, "%.3f ms", seconds * 1e3);
  else
    std::snprintf(text, sizeof text, "%.1f us", seconds * 1e6);
  return text;
}

static double gflops(const ProgressRow &row) {
  return row.bestSec > 0 ? row.flops / row.bestSec * 1e-9 : 0;
}

static std::string headline(const ProgressState &s) {
  char text[256];
  std::snprintf(text, sizeof text,
                "tuning: %lld/%lld trials | est. end-to-end %s (default %s, %.2fx) | elapsed %s | "
                "ETA %s",
                (long long)s.done, (long long)s.total, formatLatency(s.estimatedSec).c_str(),
                formatLatency(s.baselineSec).c_str(),
                s.estimatedSec > 0 ? s.baselineSec / s.estimatedSec : 0.0,
                formatDuration(s.elapsedSec).c_str(),
                s.etaSec < 0 ? "-" : formatDuration(s.etaSec).c_str());
  return text;
}

ProgressDisplay::ProgressDisplay(bool enabled) : enabled(enabled), terminal(isatty(2)) {}

void ProgressDisplay::update(const ProgressState &state) {
  if (!enabled)
    return;
  if (!terminal) {
    const ProgressRow &row = state.rows[state.lastTask];
    std::fprintf(stderr, "%s | %s: %lld trials, best %s, %.1f GFLOP/s\n",
                 headline(state).c_str(), row.name.c_str(), (long long)row.trials,
                 formatLatency(row.bestSec).c_str(), gflops(row));
    return;
  }
  // The rows that weigh most in the end-to-end estimate, at most 20.
  std::vector<size_t> order(state.rows.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return state.rows[a].weight * state.rows[a].bestSec > state.rows[b].weight * state.rows[b].bestSec;
  });
  order.resize(std::min<size_t>(order.size(), 20));
  std::string out;
  if (linesDrawn)
    out += "\033[" + std::to_string(linesDrawn) + "A";
  auto line = [&](const std::string &text) { out += "\033[2K" + text + "\n"; };
  line(headline(state));
  char text[256];
  std::snprintf(text, sizeof text, "  %-40s %7s %12s %9s", "task", "trials", "best", "GFLOP/s");
  line(text);
  for (size_t i : order) {
    const ProgressRow &r = state.rows[i];
    std::snprintf(text, sizeof text, "%c %-40.40s %7lld %12s %9.1f", i == state.lastTask ? '>' : ' ',
                  r.name.c_str(), (long long)r.trials, formatLatency(r.bestSec).c_str(), gflops(r));
    line(text);
  }
  if (state.rows.size() > order.size())
    line("  ... " + std::to_string(state.rows.size() - order.size()) + " lighter tasks");
  linesDrawn = int(order.size()) + 2 + (state.rows.size() > order.size());
  std::fputs(out.c_str(), stderr);
  std::fflush(stderr);
}

void ProgressDisplay::finish() { linesDrawn = 0; }

} // namespace kiln::autotuner
