// Algorithm variants: a task with more than one form (a convolution direct and by Winograd,
// passes/graph/Winograd.cpp) has each form lowered as a task of its own, tuned side by side;
// a build keeps the form whose best record is fastest.
#ifndef KILN_AUTOTUNER_TASK_VARIANTS_H
#define KILN_AUTOTUNER_TASK_VARIANTS_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::autotuner {

class Database;

// Keeps, for each task with variants in `lowered`, the form whose best record in `db` for
// `target` is fastest (the direct form when it has no record, or without a database),
// erasing the other forms' task functions and kernels. A chosen variant is called from
// @main in place of its direct form, its transformed weight a new constant there.
// `choices` gets one line per task that changed form.
mlir::LogicalResult chooseVariants(mlir::ModuleOp lowered, const Database *db,
                                   const std::string &target, std::vector<std::string> &choices);

// The kernel of the direct form that kernel `kernelName` is a variant of; `kernelName`
// itself when it is no variant.
std::string directKernelName(mlir::ModuleOp lowered, llvm::StringRef kernelName);

} // namespace kiln::autotuner

#endif
