// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-channels-last),canonicalize)' | FileCheck %s

// A residual block: conv -> relu -> conv -> add(skip) -> relu. Both convolutions run channels
// last with their weights laid out kernel x C x F; relu and add follow the layout, so one
// transpose is left at each end.
// CHECK-LABEL: func.func @residual
// CHECK: %[[IN:.*]] = kg.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x8x6x6xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[C1:.*]] = kg.conv %[[IN]], %{{.*}} {channels_last{{.*}}} : (tensor<1x6x6x8xf32>, tensor<3x3x8x8xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[R1:.*]] = kg.relu %[[C1]] : tensor<1x6x6x8xf32>
// CHECK: %[[C2:.*]] = kg.conv %[[R1]], %{{.*}} {channels_last{{.*}}} : (tensor<1x6x6x8xf32>, tensor<1x1x8x8xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[SUM:.*]] = kg.add %[[C2]], %[[R1]] : (tensor<1x6x6x8xf32>, tensor<1x6x6x8xf32>) -> tensor<1x6x6x8xf32>
// CHECK: %[[R2:.*]] = kg.relu %[[SUM]]
// CHECK: %[[OUT:.*]] = kg.transpose %[[R2]] {perm = array<i64: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
// CHECK: return %[[OUT]]
func.func @residual(%x: tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32> {
  %w1 = kg.constant dense<1.0> : tensor<8x8x3x3xf32> : tensor<8x8x3x3xf32>
  %w2 = kg.constant dense<2.0> : tensor<8x8x1x1xf32> : tensor<8x8x1x1xf32>
  %c1 = kg.conv %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x6x6xf32>
  %r1 = kg.relu %c1 : tensor<1x8x6x6xf32>
  %c2 = kg.conv %r1, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x6x6xf32>, tensor<8x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %sum = kg.add %c2, %r1 : (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) -> tensor<1x8x6x6xf32>
  %r2 = kg.relu %sum : tensor<1x8x6x6xf32>
  return %r2 : tensor<1x8x6x6xf32>
}

// -----

// A per-channel constant (C x 1 x 1, broadcast) follows the layout as a folded 1x1x1xC
// constant; the max pool runs channels last too, so the transpose back comes after it.
// CHECK-LABEL: func.func @bias_then_pool
// CHECK: %[[B:.*]] = kg.constant dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]]]]> : tensor<1x1x1x8xf32>
// CHECK: kg.conv {{.*}}channels_last
// CHECK: %[[ADD:.*]] = kg.add %{{.*}}, %[[B]] : (tensor<1x4x4x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK: %[[POOL:.*]] = kg.max_pool %[[ADD]] {{{.*}}channels_last{{.*}}} : (tensor<1x4x4x8xf32>) -> tensor<1x2x2x8xf32>
// CHECK: %[[BACK:.*]] = kg.transpose %[[POOL]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[BACK]]
func.func @bias_then_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x8x2x2xf32> {
  %w = kg.constant dense<1.0> : tensor<8x2x1x1xf32> : tensor<8x2x1x1xf32>
  %b = kg.constant dense<[[[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]]]> : tensor<8x1x1xf32> : tensor<8x1x1xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x4x4xf32>
  %a = kg.add %c, %b : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %p = kg.max_pool %a {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  return %p : tensor<1x8x2x2xf32>
}

// -----

// Too few output channels to fill the vector lanes, or a weight computed at run time: the
// convolution keeps ONNX's layout and no transpose appears.
// CHECK-LABEL: func.func @stays_nchw
// CHECK-NOT: kg.transpose
// CHECK-NOT: channels_last
func.func @stays_nchw(%x: tensor<1x4x4x4xf32>, %w2: tensor<8x4x1x1xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>) {
  %w = kg.constant dense<1.0> : tensor<4x4x1x1xf32> : tensor<4x4x1x1xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x4x4xf32>
  %d = kg.conv %x, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %c, %d : tensor<1x4x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A global average pool after a channels-last conv is a mean over H and W along channel
// vectors, and its 1x1x1xC result a reshape to 1xCx1x1: no transpose is left.
// CHECK-LABEL: func.func @global_pool
// CHECK-NOT: kg.transpose %{{.*}}perm = array<i64: 0, 3, 1, 2>
// CHECK: %[[MEAN:.*]] = kg.reduce_mean %{{.*}} {axes = array<i64: 1, 2>, keepdims = true} : (tensor<1x4x4x8xf32>) -> tensor<1x1x1x8xf32>
// CHECK: %[[OUT:.*]] = kg.reshape %[[MEAN]] : tensor<1x1x1x8xf32> -> tensor<1x8x1x1xf32>
// CHECK: return %[[OUT]]
func.func @global_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x8x1x1xf32> {
  %w = kg.constant dense<1.0> : tensor<8x2x1x1xf32> : tensor<8x2x1x1xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x4x4xf32>
  %g = kg.global_avg_pool %c : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  return %g : tensor<1x8x1x1xf32>
}

// -----

// A transposed convolution with a constant weight runs channels last too, its C x F x kernel
// weight laid out kernel x C x F; the relu between it and the next one follows the layout.
// CHECK-LABEL: func.func @deconv_chain
// CHECK: %[[IN:.*]] = kg.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[D1:.*]] = kg.conv_transpose %[[IN]], %{{.*}} {channels_last{{.*}}} : (tensor<1x4x4x16xf32>, tensor<4x4x16x8xf32>) -> tensor<1x8x8x8xf32>
// CHECK: %[[R:.*]] = kg.relu %[[D1]]
// CHECK: %[[D2:.*]] = kg.conv_transpose %[[R]], %{{.*}} {channels_last{{.*}}} : (tensor<1x8x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<1x16x16x8xf32>
// CHECK: kg.transpose %[[D2]] {perm = array<i64: 0, 3, 1, 2>}
func.func @deconv_chain(%x: tensor<1x16x4x4xf32>) -> tensor<1x8x16x16xf32> {
  %w1 = kg.constant dense<1.0> : tensor<16x8x4x4xf32> : tensor<16x8x4x4xf32>
  %w2 = kg.constant dense<2.0> : tensor<8x8x4x4xf32> : tensor<8x8x4x4xf32>
  %d1 = kg.conv_transpose %x, %w1 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x4x4xf32>, tensor<16x8x4x4xf32>) -> tensor<1x8x8x8xf32>
  %r = kg.relu %d1 : tensor<1x8x8x8xf32>
  %d2 = kg.conv_transpose %r, %w2 {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<8x8x4x4xf32>) -> tensor<1x8x16x16xf32>
  return %d2 : tensor<1x8x16x16xf32>
}
