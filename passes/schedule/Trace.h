// A replayable record of schedule primitives, serialisable to JSON.
#ifndef KILN_PASSES_SCHEDULE_TRACE_H
#define KILN_PASSES_SCHEDULE_TRACE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace kiln::schedule {

// One primitive application: its name and its arguments (loop/block names, integers).
struct TraceStep {
  std::string primitive;          // "split", "fuse", "reorder", "parallel", ...
  llvm::SmallVector<std::string> names; // loops/blocks it names, in argument order
  llvm::SmallVector<int64_t> ints;      // integer arguments (split factors)
};

struct Trace {
  llvm::SmallVector<TraceStep> steps;

  // [{"primitive":"split","names":["i"],"ints":[4,16]}, ...]
  llvm::json::Value toJSON() const;
  static llvm::Expected<Trace> fromJSON(const llvm::json::Value &value);
  std::string toString() const;
  static llvm::Expected<Trace> parse(llvm::StringRef text);
};

} // namespace kiln::schedule

#endif
