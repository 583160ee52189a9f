// Graph-level passes over the kg dialect.
#ifndef KILN_PASSES_GRAPH_PASSES_TD
#define KILN_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Simplification
//===----------------------------------------------------------------------===//

def FoldBatchNorm : Pass<"kiln-fold-batch-norm", "mlir::func::FuncOp"> {
  let summary = "fold inference BatchNormalization into a preceding conv's weights and bias";
  let description = [{
    conv(x, W, b) -> batch_norm(scale, bias, mean, var) with constant parameters becomes
    conv(x, W * s, (b - mean) * s + bias) with s = scale / sqrt(var + eps), per output channel.
  }];
  let dependentDialects = ["kiln::graph::KilnGraphDialect"];
}

def FuseLayerNorm : Pass<"kiln-fuse-layer-norm", "mlir::func::FuncOp"> {
  let summary = "recognize layer normalization written out in elementwise ops and means";
  let description = [{
    d = x - reduce_mean(x); y = d / sqrt(reduce_mean(d * d) + eps) * gamma (+ beta), with the
    means over the trailing axes (keepdims), eps a scalar constant and gamma / beta of the
    normalized dims' shape, becomes kg.layer_norm(x, gamma, beta) over the first of those axes.
    d * d may be pow(d, 2); products and sums match in either operand order.
  }];
  let dependentDialects = ["kiln::graph::KilnGraphDialect"];
}

def ChannelsLast : Pass<"kiln-channels-last", "mlir::func::FuncOp"> {
  let summary = "run f32 convolutions channels last, moving the layout changes to where they cancel";
  let description = [{
    Each convolution with a constant f32 weight (laid out kernel... x C/group x F here) and at
    least 8 output channels becomes transpose -> conv {channels_last} -> transpose back; transposes sink through elementwise ops (constant
    operands transposed to match) and compose, so chains of convolutions and activations keep
    channels last between their ends. Max and average pools between them follow the layout.
  }];
  let dependentDialects = ["kiln::graph::KilnGraphDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion and task extraction
//===----------------------------------------------------------------------===//

def ExtractTasks : Pass<"kiln-extract-tasks", "mlir::ModuleOp"> {
  let summary = "outline each fusion group of @main into a private task function";
  let description = [{
    Groups an anchor op (conv, matmul, pooling, reduction, normalization, data movement) with
    the chain of injective elementwise ops that consume its single-use result, or chains of
    elementwise ops among themselves, and outlines each group into `func.func private
    @<name>_<n>` called from @main. Reshapes and constants stay in @main: reshapes become
    buffer aliases and constants become weights in the compiled model.
  }];
  let dependentDialects = ["kiln::graph::KilnGraphDialect", "mlir::func::FuncDialect"];
}

//===----------------------------------------------------------------------===//
// Algorithms
//===----------------------------------------------------------------------===//

def Winograd : Pass<"kiln-winograd", "mlir::ModuleOp"> {
  let summary = "give 3x3 stride-1 convolutions their Winograd forms";
  let description = [{
    Runs after task extraction, on tasks whose anchor is a channels-last 3x3 convolution with
    stride 1, dilation 1, one group, at least 16 input channels and a constant f32 weight.
    With mode=variants (for the tuner) each such task keeps its direct form and gets siblings
    "<task>_winograd2" and "<task>_winograd4" (F(2x2, 3x3) and F(4x4, 3x3), the latter where
    both output dims are at least 4): the conv becomes kg.winograd_conv of the transformed
    weight, carried in `kiln.variant_weight` (argument `kiln.variant_weight_arg`) until a
    variant is chosen (autotuner/task/Variants.h); `kiln.variant_of` names the direct task.
    With mode=all every such convolution runs by Winograd, F(4x4) where it can.
  }];
  let options = [
    Option<"mode", "mode", "std::string", "\"variants\"", "variants or all">,
  ];
  let dependentDialects = ["kiln::graph::KilnGraphDialect", "mlir::func::FuncDialect"];
}

#endif
