// Scheduling from tuning records: each kernel whose workload has a record for the target
// replays the fastest one; the others (and any whose record no longer replays) get the
// default schedule. The compiler's counterpart of the tuning session.
#ifndef KILN_AUTOTUNER_TASK_APPLYRECORDS_H
#define KILN_AUTOTUNER_TASK_APPLYRECORDS_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::autotuner {

class Database;

struct ApplyStats {
  int tuned = 0, fallback = 0;
  std::vector<std::string> warnings; // records that did not replay, one line each
};

mlir::LogicalResult scheduleFromRecords(mlir::ModuleOp lowered, const Database &db,
                                        const std::string &target, ApplyStats &stats);

} // namespace kiln::autotuner

#endif
