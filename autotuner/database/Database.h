// The tuning database: a file of JSON lines, one TuningRecord per line, append-only.
//
// Safety against a kill mid-write: a record is one line written by one write(2) on an O_APPEND
// descriptor under flock, then fsync'd. A torn last line is skipped on reading, and the next
// append first terminates it so the new record starts on a line of its own. Lines are never
// rewritten, so several processes (measurement workers, concurrent tuning sessions) may append
// to the same file.
#ifndef KILN_AUTOTUNER_DATABASE_DATABASE_H
#define KILN_AUTOTUNER_DATABASE_DATABASE_H

#include "autotuner/database/Record.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <memory>
#include <utility>

namespace kiln::autotuner {

class Database {
public:
  // Reads every record. A torn, corrupt or unknown-version line is skipped and counted, never
  // fatal. With `create`, a missing file is created (its folder must exist); without, a missing
  // file is an error. Every error names the file.
  static llvm::Expected<std::unique_ptr<Database>> open(llvm::StringRef path, bool create);

  // Appends one record to the file and to records(). Rejects non-finite numbers (they have no
  // JSON spelling). Pointers from records()/best()/recordsOf() are invalidated.
  llvm::Error append(const TuningRecord &record);

  // File order, including the records appended through this object (not those appended by
  // other processes after open()).
  llvm::ArrayRef<TuningRecord> records() const { return records_; }
  // Lines that were not empty and did not parse as a record of the known version.
  size_t skippedLines() const { return skipped_; }
  llvm::StringRef path() const { return path_; }

  // The fastest ok record of (key, target) by mean latency; nullptr when there is none.
  const TuningRecord *best(llvm::StringRef workloadKey, llvm::StringRef target) const;
  // All records of one (key, target), in file order.
  std::vector<const TuningRecord *> recordsOf(llvm::StringRef workloadKey,
                                              llvm::StringRef target) const;

private:
  explicit Database(std::string path) : path_(std::move(path)) {}
  void addRecord(TuningRecord record);

  std::string path_;
  std::vector<TuningRecord> records_;
  // (workload key, target) -> indices into records_, in file order.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> index_;
  size_t skipped_ = 0;
};

} // namespace kiln::autotuner

#endif
