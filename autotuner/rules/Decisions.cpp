// Reads the choices of a trace back (see Decisions.h): each primitive the sketch rules use
// names the loop or block its choice is keyed by.
#include "autotuner/rules/Decisions.h"

#include "llvm/ADT/StringSet.h"

namespace kiln::autotuner::detail {

Decisions decodeDecisions(const schedule::Trace &trace) {
  Decisions d;
  d.fromTrace = true;
  llvm::StringSet<> fused; // loops made by fuse: their parallel step is already counted
  // The row-wise form: its first split (before any compute_at) is the row tile, the first
  // after one the partial sums.
  const schedule::TraceStep *firstSplit = nullptr;
  bool rowwise = false;
  auto indexOf = [](llvm::ArrayRef<int64_t> options, int64_t value) {
    return int64_t(llvm::find(options, value) - options.begin()) % int64_t(options.size());
  };
  for (const schedule::TraceStep &step : trace.steps) {
    const std::string &first = step.names.empty() ? std::string() : step.names[0];
    if (step.primitive == "split" && !step.ints.empty()) {
      if (rowwise && !d.find("rowwise:lanes"))
        d.values["rowwise:lanes"] = {{indexOf(kRowwiseLanes, step.ints.back())}, ""};
      if (!firstSplit)
        firstSplit = &step;
    }
    if (step.primitive == "compute_at" && !rowwise) {
      rowwise = true;
      d.values["rowwise"] = {{1}, ""};
      int64_t rows = firstSplit ? firstSplit->ints.back() : 1;
      d.values["rowwise:rows"] = {{indexOf(kRowwiseRows, rows)}, ""};
    }
    if (step.primitive == "split") {
      d.values["tile:" + first] = {step.ints, ""};
    } else if (step.primitive == "fuse") {
      std::string name;
      for (const std::string &n : step.names)
        name += (name.empty() ? "" : "+") + n;
      fused.insert(name);
      d.values["par:" + first] = {{int64_t(step.names.size())}, ""};
    } else if (step.primitive == "reorder" && !step.names.empty()) {
      d.values["outer:" + first] = {{1}, ""};
    } else if (step.primitive == "parallel") {
      if (!fused.contains(first))
        d.values["par:" + first] = {{1}, ""};
    } else if (step.primitive == "unroll" || step.primitive == "vectorize") {
      d.values[(step.primitive == "unroll" ? "unroll:" : "vec:") + first] = {{1}, ""};
    } else if (step.primitive == "reverse_compute_at" && step.names.size() == 2) {
      d.values["loc:" + first] = {{}, step.names[1]};
    } else if (step.primitive == "compute_inline") {
      d.values["inline:" + first] = {{1}, ""};
    } else if (step.primitive == "cache_read" && step.names.size() == 2 &&
               step.ints.size() == 1) {
      d.values["pack:" + first + ":" + std::to_string(step.ints[0])] = {{}, step.names[1]};
    } else if (step.primitive == "layout_rewrite" && step.names.size() == 2 &&
               step.ints.size() == 1) {
      std::string suffix = first + ":" + std::to_string(step.ints[0]);
      d.values["pack:" + suffix] = {{}, step.names[1]};
      d.values["layout:" + suffix] = {{1}, ""};
    } else if (step.primitive == "rfactor" && step.names.size() == 2) {
      d.values["rfactor:" + first] = {{}, step.names[1]};
    } else if (step.primitive == "fuse_siblings" && step.names.size() == 2) {
      d.values["siblings:" + step.names[1]] = {{1}, ""};
    } else if (step.primitive == "cache_write") {
      d.values["cache:" + first] = {{1}, ""};
    }
  }
  return d;
}

} // namespace kiln::autotuner::detail
