// Ops of the `kl` dialect.
#ifndef KILN_IR_LOOP_OPS_TD
#define KILN_IR_LOOP_OPS_TD

include "ir/loop/LoopDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def KL_YieldOp : Op<KilnLoop_Dialect, "yield", [Pure, Terminator]> {
  let summary = "terminates a loop or block body";
  let assemblyFormat = "attr-dict";
}

def KL_ForOp : Op<KilnLoop_Dialect, "for",
    [SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "a loop over [0, extent) with a kernel-unique name and an execution kind";
  let arguments = (ins I64Attr:$extent, StrAttr:$loop_name, StrAttr:$kind);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    mlir::Value getInductionVar() { return getBody().front().getArgument(0); }
    mlir::Block *getBodyBlock() { return &getBody().front(); }
    static constexpr llvm::StringLiteral kSerial = "serial", kParallel = "parallel",
        kVectorized = "vectorized", kUnrolled = "unrolled";
  }];
  let builders = [OpBuilder<(ins "int64_t":$extent, "llvm::StringRef":$name,
                                 CArg<"llvm::StringRef", "\"serial\"">:$kind)>];
  let skipDefaultBuilders = 1;
}

def KL_BlockOp : Op<KilnLoop_Dialect, "block",
    [AffineScope, SingleBlockImplicitTerminator<"YieldOp">, RecursiveMemoryEffects]> {
  let summary = "a TensorIR block: iter vars bound to loop vars, an optional init, a body";
  let description = [{
    `iter_kinds[i]` is 0 (spatial) or 1 (reduce); `domains[i]` the extent of iter var i;
    `bindings` maps the `loop_vars` operands to the iter var values. Both regions take the
    iter vars as index arguments.
  }];
  let arguments = (ins Variadic<Index>:$loop_vars, StrAttr:$block_name,
                   AffineMapAttr:$bindings, DenseI64ArrayAttr:$domains,
                   DenseI64ArrayAttr:$iter_kinds);
  let regions = (region AnyRegion:$init, SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    unsigned getNumIterVars() { return getDomains().size(); }
    bool isReduceVar(unsigned i) { return getIterKinds()[i] == 1; }
    bool hasReduction() { return llvm::is_contained(getIterKinds(), 1); }
    mlir::Block *getBodyBlock() { return &getBody().front(); }
    mlir::Block *getInitBlock() { return getInit().empty() ? nullptr : &getInit().front(); }
  }];
}

#endif
