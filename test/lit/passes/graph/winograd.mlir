// RUN: kiln-opt %s --split-input-file --kiln-winograd | FileCheck %s --check-prefix=VARIANTS
// RUN: kiln-opt %s --split-input-file --kiln-winograd=mode=all | FileCheck %s --check-prefix=ALL

// A 3x3 stride-1 conv task with a constant weight keeps its direct form and gets two
// variants, F(2x2) and F(4x4), whose weight argument is the 4x4 / 6x6 transformed filter,
// carried with the variant until one is chosen. @main still calls the direct form.
// VARIANTS-LABEL: func.func @main
// VARIANTS: call @fused_conv_relu_0(%arg0, %{{.*}}, %{{.*}}) : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>, tensor<16xf32>)
// VARIANTS: func.func private @fused_conv_relu_0(
// VARIANTS: kg.conv
// VARIANTS: func.func private @fused_conv_relu_0_winograd4(%{{.*}}: tensor<1x8x8x16xf32>, %[[U4:.*]]: tensor<6x6x16x16xf32>, %[[B4:.*]]: tensor<16xf32>) -> tensor<1x8x8x16xf32>
// VARIANTS-SAME: kiln.variant_of = @fused_conv_relu_0
// VARIANTS-SAME: kiln.variant_weight = dense_resource<winograd_filter{{.*}}> : tensor<6x6x16x16xf32>
// VARIANTS-SAME: kiln.variant_weight_arg = 1 : i64
// VARIANTS: kg.winograd_conv %{{.*}}, %[[U4]], %[[B4]] {pads = array<i64: 1, 1, 1, 1>, tile = 4 : i64}
// VARIANTS: kg.relu
// VARIANTS: func.func private @fused_conv_relu_0_winograd2(%{{.*}}: tensor<1x8x8x16xf32>, %{{.*}}: tensor<4x4x16x16xf32>, %{{.*}}: tensor<16xf32>)
// VARIANTS-SAME: kiln.variant_weight = dense_resource<winograd_filter{{.*}}> : tensor<4x4x16x16xf32>
// VARIANTS: kg.winograd_conv {{.*}}tile = 2 : i64

// With mode=all the task itself runs F(4x4): @main passes the transformed weight.
// ALL-LABEL: func.func @main
// ALL: %[[U:.*]] = kg.constant dense_resource<winograd_filter{{.*}}> : tensor<6x6x16x16xf32>
// ALL: call @fused_conv_relu_0(%arg0, %[[U]], %{{.*}}) : (tensor<1x8x8x16xf32>, tensor<6x6x16x16xf32>, tensor<16xf32>)
// ALL: func.func private @fused_conv_relu_0(%{{.*}}: tensor<1x8x8x16xf32>, %{{.*}}: tensor<6x6x16x16xf32>
// ALL-NOT: kiln.variant_of
// ALL: kg.winograd_conv {{.*}}tile = 4 : i64
// ALL-NOT: func.func private @fused_conv_relu_0_winograd
func.func @main(%x: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  %w = kg.constant dense<1.0> : tensor<3x3x16x16xf32> : tensor<3x3x16x16xf32>
  %b = kg.constant dense<0.5> : tensor<16xf32> : tensor<16xf32>
  %0 = call @fused_conv_relu_0(%x, %w, %b) : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>, tensor<16xf32>) -> tensor<1x8x8x16xf32>
  return %0 : tensor<1x8x8x16xf32>
}
func.func private @fused_conv_relu_0(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>, %b: tensor<16xf32>) -> tensor<1x8x8x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w, %b {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>, tensor<16xf32>) -> tensor<1x8x8x16xf32>
  %r = kg.relu %c : tensor<1x8x8x16xf32>
  return %r : tensor<1x8x8x16xf32>
}

// -----

// No Winograd form for a strided conv, a run-time weight, fewer than 16 input channels, or a
// 3-wide output (F(2x2) only: F(4x4) would compute mostly padding).
// VARIANTS-LABEL: func.func @main
// VARIANTS-NOT: @strided_winograd
// VARIANTS-NOT: @runtime_weight_winograd
// VARIANTS-NOT: @narrow_winograd
// VARIANTS-NOT: @small_output_winograd4
// VARIANTS: func.func private @small_output_winograd2
// VARIANTS-NOT: _winograd4
// ALL-LABEL: func.func @main
// ALL: kg.constant dense_resource<winograd_filter{{.*}}> : tensor<4x4x16x16xf32>
// ALL-NOT: kg.constant dense_resource<winograd_filter
func.func @main(%x: tensor<1x8x8x16xf32>, %wr: tensor<3x3x16x16xf32>, %x8: tensor<1x8x8x8xf32>, %x3: tensor<1x5x3x16xf32>) -> (tensor<1x4x4x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x3x1x16xf32>) {
  %w = kg.constant dense<1.0> : tensor<3x3x16x16xf32> : tensor<3x3x16x16xf32>
  %w8 = kg.constant dense<1.0> : tensor<3x3x8x16xf32> : tensor<3x3x8x16xf32>
  %0 = call @strided(%x, %w) : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x4x4x16xf32>
  %1 = call @runtime_weight(%x, %wr) : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32>
  %2 = call @narrow(%x8, %w8) : (tensor<1x8x8x8xf32>, tensor<3x3x8x16xf32>) -> tensor<1x8x8x16xf32>
  %3 = call @small_output(%x3, %w) : (tensor<1x5x3x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x3x1x16xf32>
  return %0, %1, %2, %3 : tensor<1x4x4x16xf32>, tensor<1x8x8x16xf32>, tensor<1x8x8x16xf32>, tensor<1x3x1x16xf32>
}
func.func private @strided(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x4x4x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x4x4x16xf32>
  return %c : tensor<1x4x4x16xf32>
}
func.func private @runtime_weight(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}
func.func private @narrow(%x: tensor<1x8x8x8xf32>, %w: tensor<3x3x8x16xf32>) -> tensor<1x8x8x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x8xf32>, tensor<3x3x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}
func.func private @small_output(%x: tensor<1x5x3x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x3x1x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x5x3x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x3x1x16xf32>
  return %c : tensor<1x3x1x16xf32>
}
