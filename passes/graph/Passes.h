// Graph-level passes over the kg dialect.
#ifndef KILN_PASSES_GRAPH_PASSES_H
#define KILN_PASSES_GRAPH_PASSES_H

#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln::graph {

#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

// True for ops computed point by point from same-position operand elements (with broadcast):
// the ops that fuse as epilogues and inline into their consumers.
bool isElementwise(mlir::Operation *op);

} // namespace kiln::graph

#endif
