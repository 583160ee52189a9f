// The `kg` dialect: Kiln's tensor-level graph IR, one op per ONNX op family.
#ifndef KILN_IR_GRAPH_DIALECT_TD
#define KILN_IR_GRAPH_DIALECT_TD

include "mlir/IR/OpBase.td"

def KilnGraph_Dialect : Dialect {
  let name = "kg";
  let cppNamespace = "::kiln::graph";
  let summary = "Kiln's tensor graph dialect";
  let description = [{
    Value-semantic tensor ops imported from ONNX. Shapes are static here; every op infers or
    verifies its result type, and ops over constants fold so that shape computations disappear.
  }];
  let hasConstantMaterializer = 1;
}

#endif
