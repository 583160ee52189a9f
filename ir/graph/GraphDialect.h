// The kg dialect and its ops (declarations generated from GraphOps.td).
#ifndef KILN_IR_GRAPH_GRAPHDIALECT_H
#define KILN_IR_GRAPH_GRAPHDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/graph/GraphDialect.h.inc"

namespace kiln::graph {
// Marks kg ops computed independently per element of their broadcast result (GraphOps.td's
// KG_Elementwise): the fusion pass takes them as epilogues.
template <typename ConcreteType>
class ElementwiseOpTrait : public mlir::OpTrait::TraitBase<ConcreteType, ElementwiseOpTrait> {};
} // namespace kiln::graph

#define GET_OP_CLASSES
#include "ir/graph/GraphOps.h.inc"

#endif
