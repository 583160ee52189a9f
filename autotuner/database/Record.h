// One tuning record: a measured (or failed) schedule of one task on one target.
#ifndef KILN_AUTOTUNER_DATABASE_RECORD_H
#define KILN_AUTOTUNER_DATABASE_RECORD_H

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::autotuner {

struct TuningRecord {
  // Written as "version". Readers skip (and count) records of any other version, so a newer
  // writer never makes an older reader misread a line.
  static constexpr int kFormatVersion = 1;

  std::string workloadKey;          // structural hash of the loop function (hex)
  std::string target;               // e.g. "x86_64-unknown-linux-gnu/znver3/threads=2"
  std::string taskName;             // human-readable, e.g. "fused_conv_add_relu_3"
  std::string source;               // "default" (the baseline schedule) or "search"
  llvm::json::Value trace = llvm::json::Array(); // the schedule trace: an array of steps
  std::vector<double> latenciesSec; // one per repeat; empty when the candidate failed
  std::string error;                // why it failed; empty when ok
  double flops = 0;                 // of one run of the task
  double weight = 1;                // how many times the model runs this task
  int64_t trial = 0;                // trial number within the task (0 = baseline)
  std::string time;                 // UTC ISO 8601 when measured

  // Mean of latenciesSec; +infinity when there is none.
  double meanLatency() const;
  // Measured without error.
  bool ok() const;

  llvm::json::Value toJSON() const;
  // Fails on a missing or mistyped field, or on a version other than kFormatVersion.
  static llvm::Expected<TuningRecord> fromJSON(const llvm::json::Value &value);
};

// The current time as UTC ISO 8601 with seconds, e.g. "2024-05-01T12:34:56Z".
std::string currentTimeUTC();

} // namespace kiln::autotuner

#endif
