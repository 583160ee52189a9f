// The `kl` dialect: Kiln's TensorIR-like loop IR.
#ifndef KILN_IR_LOOP_DIALECT_TD
#define KILN_IR_LOOP_DIALECT_TD

include "mlir/IR/OpBase.td"

def KilnLoop_Dialect : Dialect {
  let name = "kl";
  let cppNamespace = "::kiln::loop";
  let summary = "Kiln's loop IR: loops and blocks with iter vars, bindings and buffer regions";
  let description = [{
    A kernel is a func.func on memrefs whose body nests `kl.for` loops (extent-only, from 0,
    step 1, each with a kernel-unique name and a kind) around `kl.block`s. A block names its
    iter vars (spatial or reduce, each with a domain), binds them to the enclosing loop vars
    through an affine map, and computes with affine.load/affine.store on the iter vars. A
    reduction block's `init` region runs when all its reduce iter vars are at 0. A block whose
    bindings may leave its domain is implicitly predicated on staying inside it. Schedule
    primitives rewrite loops and blocks without changing what each block instance computes.
  }];
}

#endif
