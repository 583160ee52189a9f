// Ops of the `kg` dialect. Shape inference, verification and folders live in ops/<Family>.cpp.
#ifndef KILN_IR_GRAPH_OPS_TD
#define KILN_IR_GRAPH_OPS_TD

include "ir/graph/GraphDialect.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class KG_Op<string mnemonic, list<Trait> traits = []>
    : Op<KilnGraph_Dialect, mnemonic, !listconcat(traits, [Pure])>;

// Ops whose result type follows from operands and attributes.
class KG_InferredOp<string mnemonic, list<Trait> traits = []>
    : KG_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def KG_ConstantOp : KG_Op<"constant", [ConstantLike]> {
  let summary = "a constant tensor (weights live in dense_resource blobs)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "attr-dict $value `:` type($result)";
  let hasFolder = 1;
  let builders = [OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
    build($_builder, $_state, ::llvm::cast<::mlir::TensorType>(value.getType()), value);
  }]>];
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Ops computed independently per element of the (broadcast) result: ExtractTasks fuses them
// as epilogues of the op that produces their first operand.
def KG_Elementwise : NativeOpTrait<"ElementwiseOpTrait"> {
  let cppNamespace = "::kiln::graph";
}

class KG_ElementwiseOp<string mnemonic, list<Trait> traits = []>
    : KG_InferredOp<mnemonic, !listconcat(traits, [KG_Elementwise])>;

class KG_BinaryOp<string mnemonic, string what = mnemonic> : KG_ElementwiseOp<mnemonic> {
  let summary = "numpy-broadcasting elementwise " # what;
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}
def KG_AddOp : KG_BinaryOp<"add">;
def KG_SubOp : KG_BinaryOp<"sub">;
def KG_MulOp : KG_BinaryOp<"mul">;
def KG_DivOp : KG_BinaryOp<"div", "division (integers truncate toward zero)">;
def KG_PowOp : KG_BinaryOp<"pow", "power; the exponent may have its own element type">;
def KG_MaxOp : KG_BinaryOp<"max", "maximum (NaN propagates)">;
def KG_MinOp : KG_BinaryOp<"min", "minimum (NaN propagates)">;
def KG_ModOp : KG_BinaryOp<"mod", "remainder with the sign of the divisor (Python %)">;
def KG_FModOp : KG_BinaryOp<"fmod", "remainder with the sign of the dividend (C fmod)">;
def KG_AndOp : KG_BinaryOp<"and", "logical and of bools">;
def KG_OrOp : KG_BinaryOp<"or", "logical or of bools">;
def KG_XorOp : KG_BinaryOp<"xor", "logical xor of bools">;
def KG_ShiftLeftOp : KG_BinaryOp<"shift_left", "left shift of unsigned integers">;
def KG_ShiftRightOp : KG_BinaryOp<"shift_right", "logical right shift of unsigned integers">;

// Comparisons: operands of one element type, an i1 result.
class KG_CompareOp<string mnemonic> : KG_BinaryOp<mnemonic, "comparison " # mnemonic # " (i1 result)">;
def KG_EqualOp : KG_CompareOp<"equal">;
def KG_GreaterOp : KG_CompareOp<"greater">;
def KG_GreaterEqualOp : KG_CompareOp<"greater_equal">;
def KG_LessOp : KG_CompareOp<"less">;
def KG_LessEqualOp : KG_CompareOp<"less_equal">;

class KG_UnaryOp<string mnemonic, dag attrs = (ins)>
    : KG_ElementwiseOp<mnemonic> {
  let summary = "elementwise " # mnemonic;
  let arguments = !con((ins AnyRankedTensor:$input), attrs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}
def KG_SqrtOp : KG_UnaryOp<"sqrt">;
def KG_ErfOp : KG_UnaryOp<"erf">;
def KG_TanhOp : KG_UnaryOp<"tanh">;
def KG_SigmoidOp : KG_UnaryOp<"sigmoid">;
def KG_ReluOp : KG_UnaryOp<"relu">;
def KG_ExpOp : KG_UnaryOp<"exp">;
def KG_LogOp : KG_UnaryOp<"log">;
def KG_NegOp : KG_UnaryOp<"neg">;
def KG_AbsOp : KG_UnaryOp<"abs">;
def KG_SignOp : KG_UnaryOp<"sign">;
def KG_CeilOp : KG_UnaryOp<"ceil">;
def KG_FloorOp : KG_UnaryOp<"floor">;
def KG_RoundOp : KG_UnaryOp<"round"> { let summary = "round half to even"; }
def KG_NotOp : KG_UnaryOp<"not"> { let summary = "logical not of bools"; }
def KG_SinOp : KG_UnaryOp<"sin">;
def KG_CosOp : KG_UnaryOp<"cos">;
def KG_TanOp : KG_UnaryOp<"tan">;
def KG_AsinOp : KG_UnaryOp<"asin">;
def KG_AcosOp : KG_UnaryOp<"acos">;
def KG_AtanOp : KG_UnaryOp<"atan">;
def KG_SinhOp : KG_UnaryOp<"sinh">;
def KG_CoshOp : KG_UnaryOp<"cosh">;
def KG_AsinhOp : KG_UnaryOp<"asinh">;
def KG_AcoshOp : KG_UnaryOp<"acosh">;
def KG_AtanhOp : KG_UnaryOp<"atanh">;
def KG_HardSwishOp : KG_UnaryOp<"hard_swish">;
// Ops with attributes spell out their result type: the parser cannot infer types from
// attributes that are not yet stored in the op's properties.
def KG_LeakyReluOp : KG_UnaryOp<"leaky_relu", (ins F32Attr:$alpha)> {
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def KG_ClipOp : KG_UnaryOp<"clip", (ins F32Attr:$min, F32Attr:$max)> {
  let summary = "clamp a floating-point tensor to [min, max]";
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def KG_CastOp : KG_Op<"cast", [KG_Elementwise]> {
  let summary = "elementwise conversion to the result's element type";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def KG_WhereOp : KG_ElementwiseOp<"where"> {
  let summary = "elementwise select with numpy broadcasting";
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$condition `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NCHW, any number of spatial dims)
//===----------------------------------------------------------------------===//

def KG_ConvOp : KG_InferredOp<"conv"> {
  let summary = "grouped, strided, dilated, padded convolution; pads = begins then ends";
  let description = [{
    Input, weight and result are N x C x spatial..., F x C/group x kernel... and N x F x
    spatial... (ONNX's layouts), or with `channels_last` N x spatial... x C, kernel... x
    C/group x F and N x spatial... x F: the layouts the channels-last pass gives convolutions,
    so that their vector lanes run along output channels, contiguous in weight and result.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   UnitAttr:$channels_last);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def KG_ConvTransposeOp : KG_InferredOp<"conv_transpose"> {
  let summary = "grouped, strided, dilated transposed convolution; weight C x F/group x k...";
  let description = [{
    Output size per spatial dim: (in - 1) * stride + (k - 1) * dilation + 1 - pad_begin -
    pad_end. Pads (begins then ends) may be negative: ONNX's output_padding, output_shape
    and auto_pad all resolve to pads, a negative one adding rows that only the bias reaches.
    With `channels_last`, input, weight and result are N x spatial... x C, kernel... x C x
    F/group and N x spatial... x F (see kg.conv).
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$strides,
                   DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations, I64Attr:$group,
                   UnitAttr:$channels_last);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def KG_WinogradConvOp : KG_InferredOp<"winograd_conv"> {
  let summary = "3x3 stride-1 channels-last convolution by Winograd minimal filtering F(m x m, 3 x 3)";
  let description = [{
    The input N x H x W x C is cut into m x m output tiles, each read as an (m + 2) x (m + 2)
    patch; `weight` is the filter already transformed, G g G^T per (c, f): (m + 2) x (m + 2) x
    C x F (ir/graph/Winograd.h). The result, N x (H + pads - 2) x (W + pads - 2) x F, is what
    kg.conv {channels_last} of the untransformed filter gives, up to rounding. Pads are begins
    then ends; `tile` is m, 2 or 4.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                   Optional<AnyRankedTensor>:$bias, DenseI64ArrayAttr:$pads, I64Attr:$tile);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class KG_PoolOp<string mnemonic, dag extra> : KG_InferredOp<mnemonic> {
  let arguments = !con((ins AnyRankedTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                        DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                        DenseI64ArrayAttr:$dilations, BoolAttr:$ceil_mode), extra);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
// With `channels_last`, input and result are N x spatial... x C (see kg.conv).
def KG_MaxPoolOp : KG_PoolOp<"max_pool", (ins UnitAttr:$channels_last)> {
  let summary = "max pooling";
}
def KG_AveragePoolOp : KG_PoolOp<"avg_pool", (ins BoolAttr:$count_include_pad,
                                                  UnitAttr:$channels_last)> {
  let summary = "average pooling";
}

def KG_MaxPoolIndicesOp : KG_PoolOp<"max_pool_indices", (ins BoolAttr:$column_major)> {
  let summary = "MaxPool's Indices: the flat i64 index of each window's first maximum in the "
                "unpadded input, within each image row- or column-major";
}

def KG_GlobalAveragePoolOp : KG_InferredOp<"global_avg_pool"> {
  let summary = "mean over all spatial dims, kept as size-1 dims";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

def KG_MatMulOp : KG_InferredOp<"matmul"> {
  let summary = "numpy matmul: batched, broadcast batch dims, 1-D operands promoted";
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def KG_GemmOp : KG_InferredOp<"gemm"> {
  let summary = "alpha * op(A) * op(B) + beta * C, C broadcast to the result";
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b, Optional<AnyRankedTensor>:$c,
                   BoolAttr:$trans_a, BoolAttr:$trans_b, F32Attr:$alpha, F32Attr:$beta);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def KG_QuantizeLinearOp : KG_Op<"quantize_linear"> {
  let summary = "saturate(round_half_even(input / scale) + zero_point) to an 8-bit integer";
  let description = [{
    `input` is floating-point or i32; `scale` (floating-point) and `zero_point` (the result's
    element type, 0 when absent) are scalars or 1-D along `axis` of the input. The result
    type, i8/si8 or ui8, is the input's shape.
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   Optional<AnyRankedTensor>:$zero_point, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and reductions
//===----------------------------------------------------------------------===//

def KG_BatchNormOp : KG_InferredOp<"batch_norm"> {
  let summary = "inference batch normalization over dim 1";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale, AnyRankedTensor:$bias,
                   AnyRankedTensor:$mean, AnyRankedTensor:$variance, F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def KG_LayerNormOp : KG_InferredOp<"layer_norm"> {
  let summary = "normalization over the dims from `axis` on, then scale and bias";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                   Optional<AnyRankedTensor>:$bias, I64Attr:$axis, F32Attr:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

class KG_AlongAxisOp<string mnemonic, string brief> : KG_InferredOp<mnemonic> {
  let summary = brief;
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def KG_SoftmaxOp : KG_AlongAxisOp<"softmax", "softmax along one axis (opset >= 13 semantics)">;
def KG_LogSoftmaxOp : KG_AlongAxisOp<"log_softmax", "x - max - log(sum(exp(x - max))) along one axis">;
def KG_HardmaxOp : KG_AlongAxisOp<"hardmax", "1 at the first maximum along one axis, else 0">;

// `foldsSingleElement`: reducing only size-1 dims returns the input (not so for L1, L2,
// sum of squares or log-sum, which transform even a single element).
class KG_ReduceOp<string mnemonic, bit foldsSingleElement = 1> : KG_InferredOp<mnemonic> {
  let summary = mnemonic # " over sorted non-negative `axes`";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = foldsSingleElement;
}
def KG_ReduceSumOp : KG_ReduceOp<"reduce_sum">;
def KG_ReduceMeanOp : KG_ReduceOp<"reduce_mean">;
def KG_ReduceMaxOp : KG_ReduceOp<"reduce_max">;
def KG_ReduceMinOp : KG_ReduceOp<"reduce_min">;
def KG_ReduceProdOp : KG_ReduceOp<"reduce_prod">;
def KG_ReduceLogSumExpOp : KG_ReduceOp<"reduce_log_sum_exp">;
def KG_ReduceL1Op : KG_ReduceOp<"reduce_l1", 0>;
def KG_ReduceL2Op : KG_ReduceOp<"reduce_l2", 0>;
def KG_ReduceLogSumOp : KG_ReduceOp<"reduce_log_sum", 0>;
def KG_ReduceSumSquareOp : KG_ReduceOp<"reduce_sum_square", 0>;

class KG_ArgReduceOp<string mnemonic> : KG_InferredOp<mnemonic> {
  let summary = mnemonic # ": the i64 index along `axis` of the first (or last) extremum";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
                   BoolAttr:$select_last_index);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def KG_ArgMaxOp : KG_ArgReduceOp<"arg_max">;
def KG_ArgMinOp : KG_ArgReduceOp<"arg_min">;

def KG_CumSumOp : KG_InferredOp<"cumsum"> {
  let summary = "running sum along `axis`, optionally exclusive and/or from the end";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis, BoolAttr:$exclusive,
                   BoolAttr:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def KG_NLLLossOp : KG_InferredOp<"nll_loss"> {
  let summary = "negative log-likelihood: -input[n, target[n, d...], d...] * weight[target], "
                "0 where target == ignore_index; reduction none, sum or (weighted) mean";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$target,
                   Optional<AnyRankedTensor>:$weight, StrAttr:$reduction, I64Attr:$ignore_index);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $target (`,` $weight^)? attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement and shapes
//===----------------------------------------------------------------------===//

def KG_ReshapeOp : KG_Op<"reshape"> {
  let summary = "same elements, new static shape (Reshape, Flatten, Squeeze, Unsqueeze)";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def KG_TransposeOp : KG_InferredOp<"transpose"> {
  let summary = "permute dims: result dim i is input dim perm[i]";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def KG_ConcatOp : KG_InferredOp<"concat"> {
  let summary = "join tensors along a non-negative axis";
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def KG_SliceOp : KG_InferredOp<"slice"> {
  let summary = "strided slice; per dim a normalized start, size and step (step may be < 0)";
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def KG_GatherOp : KG_InferredOp<"gather"> {
  let summary = "ONNX Gather along a non-negative axis; negative indices wrap";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def KG_ShapeOp : KG_InferredOp<"shape"> {
  let summary = "the static shape as a 1-D i64 tensor, dims [start, end)";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def KG_ConstantOfShapeOp : KG_Op<"constant_of_shape"> {
  let summary = "a tensor of the result's shape filled with one value";
  let arguments = (ins AnyRankedTensor:$shape, TypedAttrInterface:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Indexing: reads and writes at positions computed from run-time index tensors
// (ops/Indexing.cpp). Negative indices wrap; the kernels clamp so a bad index never
// reads or writes outside a buffer.
//===----------------------------------------------------------------------===//

def KG_GatherElementsOp : KG_InferredOp<"gather_elements"> {
  let summary = "result[p] = data[p with p[axis] = indices[p]]; result shape = indices shape";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def KG_GatherNDOp : KG_InferredOp<"gather_nd"> {
  let summary = "ONNX GatherND: the last indices dim addresses leading data dims after batch_dims";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices, I64Attr:$batch_dims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

// reduction: "none" (duplicate indices: the last update wins), "add", "mul", "max", "min".
def KG_ScatterElementsOp : KG_InferredOp<"scatter_elements"> {
  let summary = "data with updates[p] combined into data[p with p[axis] = indices[p]]";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   AnyRankedTensor:$updates, I64Attr:$axis, StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def KG_ScatterNDOp : KG_InferredOp<"scatter_nd"> {
  let summary = "data with updates[b] combined into data[indices[b]] (ONNX ScatterND)";
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                   AnyRankedTensor:$updates, StrAttr:$reduction);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
}

def KG_ReverseSequenceOp : KG_InferredOp<"reverse_sequence"> {
  let summary = "per batch entry b, reverse the first seq_lens[b] steps along time_axis";
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$seq_lens, I64Attr:$batch_axis,
                   I64Attr:$time_axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $seq_lens attr-dict `:` functional-type(operands, results)";
}

def KG_TriluOp : KG_InferredOp<"trilu"> {
  let summary = "keep the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims";
  let arguments = (ins AnyRankedTensor:$input, Optional<AnyRankedTensor>:$k, BoolAttr:$upper);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
}

def KG_TopKIndicesOp : KG_InferredOp<"top_k_indices"> {
  let summary = "i64 positions of the k largest (or smallest) along axis, sorted, ties by lower index";
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$k, I64Attr:$axis, BoolAttr:$largest);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif
