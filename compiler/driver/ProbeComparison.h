// Comparing a model lowered at a probe size with its base (see ShapeProbes.h): what moved
// with the symbol is recorded, anything that cannot move is an error.
#ifndef KILN_COMPILER_DRIVER_PROBECOMPARISON_H
#define KILN_COMPILER_DRIVER_PROBECOMPARISON_H

#include "compiler/driver/SymbolicInputs.h"

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"

#include <map>

namespace kiln::driver {

// One number of the base module (a block domain, a dim of a value of @main) that a probe
// changed: its value at the base and at each (symbol, size) probe that changed it.
struct Moved {
  int64_t base = 0;
  std::map<std::pair<int, int64_t>, int64_t> samples;
};

// Compares probes against the base one at a time, then fits and annotates (ProbeFormulas.cpp).
class ProbeComparison {
public:
  explicit ProbeComparison(const SymbolicInputs &symbols) : symbols_(symbols) {}

  // Compares the module lowered with `symbol` at `size` against the base.
  bool compare(mlir::ModuleOp base, mlir::ModuleOp probe, int symbol, int64_t size, std::string &error);
  // Fits every moved number and writes the annotations into the base.
  bool annotate(mlir::ModuleOp base, std::string &error);

private:
  bool compareOps(mlir::Operation *a, mlir::Operation *b, mlir::StringRef where);
  bool compareTypes(mlir::Type a, mlir::Type b, mlir::StringRef where, mlir::Value baseValue);
  bool compareMain(mlir::func::FuncOp a, mlir::func::FuncOp b);
  bool compareConstant(graph::ConstantOp a, graph::ConstantOp b);
  bool fail(mlir::StringRef where, const mlir::Twine &what);
  // value = scale * symbol + offset over the symbol's probes; false when no such formula.
  bool fit(const Moved &moved, mlir::StringRef what, int64_t &symbol, int64_t &scale, int64_t &offset);
  // Layouts through @main (ProbeLayouts.cpp): dims whose valid elements interleave with
  // padding, keyed by value and dim, with the product of the static dims merged before it.
  using Interleaved = llvm::DenseMap<std::pair<mlir::Value, unsigned>, int64_t>;
  bool checkLayouts(mlir::func::FuncOp main,
                    llvm::DenseMap<mlir::Operation *, llvm::SmallVector<int64_t>> &domains);
  bool checkReshapeLayout(graph::ReshapeOp reshape, Interleaved &interleaved);
  bool propagateInterleaved(mlir::func::CallOp call, Interleaved &interleaved,
                            llvm::DenseMap<mlir::Operation *, llvm::SmallVector<int64_t>> &domains);
  bool recordConstant(mlir::Operation *op, mlir::Attribute base, mlir::Attribute probe);
  bool isSymbolicDim(mlir::Value v, unsigned dim) const { return movedDims_.count({v, dim}) > 0; }
  // The maximum of the symbol a moving dim of @main follows.
  int64_t symbolMaxOf(mlir::Value v, unsigned dim) const {
    auto it = movedDims_.find({v, dim});
    return it == movedDims_.end() ? 1 : symbols_.symbols[it->second.samples.begin()->first.first].max;
  }

  const SymbolicInputs &symbols_;
  int symbol_ = 0;
  int64_t size_ = 0;
  std::string *error_ = nullptr;
  llvm::MapVector<std::pair<mlir::Operation *, unsigned>, Moved> domains_; // block, iter var
  llvm::MapVector<std::pair<mlir::Value, unsigned>, Moved> movedDims_;    // value of @main, dim
  llvm::MapVector<std::pair<mlir::Operation *, unsigned>, Moved> constants_; // arith.constant, kind
};

} // namespace kiln::driver

#endif
