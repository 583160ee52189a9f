// Symbolic dims by differential compilation.
//
// The importer and every lowering compute static shapes. Rather than thread symbolic
// expressions through each of them, Kiln lowers the model to loops at the range maxima (the
// base) and at probe sizes (per symbol: max - 1, the midpoint and min, see probeSizes; the others at max), and
// compares the kernels. A block domain that changes with one symbol, as an affine function of
// it, becomes a run-time bound (`kiln.dyn_domains`, see ir/loop/Analysis.h); loop extents and
// buffer shapes stay those of the base, so storage is planned once at the maxima. Anything
// else that changes with a symbol (a constant in a kernel, an index map, the set of kernels,
// a reshape that would reorder padded storage) is an error naming the kernel or value and the
// symbol: a size dependence Kiln cannot keep symbolic is never compiled silently wrong.
#ifndef KILN_COMPILER_DRIVER_SHAPEPROBES_H
#define KILN_COMPILER_DRIVER_SHAPEPROBES_H

#include "compiler/driver/SymbolicInputs.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace kiln::driver {

// Lowers the model with every symbol fixed at the given values (one per symbol).
using LowerAt = llvm::function_ref<mlir::OwningOpRef<mlir::ModuleOp>(const std::vector<int64_t> &)>;

// The base module, annotated: the module's `kiln.symbols` ([name, min, max] per symbol),
// @main's `kiln.dims` argument and result attributes ([symbol, scale, offset] per dim, symbol
// -1 for a fixed dim) and the kernels' dynamic block domains. Null with `error` on failure.
mlir::OwningOpRef<mlir::ModuleOp> lowerWithSymbols(const SymbolicInputs &symbols, LowerAt lowerAt,
                                                   std::string &error);

// The sizes at which lowerWithSymbols compiles symbol `s` besides its maximum.
std::vector<int64_t> probeSizes(const ShapeSymbol &s);

} // namespace kiln::driver

#endif
