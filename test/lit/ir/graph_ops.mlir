// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// Every op family prints in a form that parses back.
// CHECK-LABEL: func.func @round_trip
// CHECK: kg.conv
// CHECK: kg.max_pool
// CHECK: kg.global_avg_pool
// CHECK: kg.softmax %{{.*}} {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
// CHECK: kg.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: kg.leaky_relu
// CHECK: kg.layer_norm
// CHECK: kg.reduce_mean
// CHECK: kg.slice
// CHECK: kg.gather
func.func @round_trip(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %s: tensor<8xf32>, %i: tensor<2xi64>) -> (tensor<1x8xf32>, tensor<1x8x1x1xf32>, tensor<1x4xf32>, tensor<1x2xf32>) {
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x8x8xf32>
  %p = kg.max_pool %c {ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  %g = kg.global_avg_pool %p : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  %f = kg.reshape %g : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
  %sm = kg.softmax %f {axis = 1 : i64} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %cl = kg.clip %sm {max = 6.0 : f32, min = 0.0 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %lr = kg.leaky_relu %cl {alpha = 0.1 : f32} : (tensor<1x8xf32>) -> tensor<1x8xf32>
  %ln = kg.layer_norm %lr, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x8xf32>, tensor<8xf32>) -> tensor<1x8xf32>
  %rm = kg.reduce_mean %p {axes = array<i64: 2, 3>, keepdims = true} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x1xf32>
  %sl = kg.slice %ln {sizes = array<i64: 1, 4>, starts = array<i64: 0, 0>, steps = array<i64: 1, 2>} : (tensor<1x8xf32>) -> tensor<1x4xf32>
  %ga = kg.gather %ln, %i {axis = 1 : i64} : (tensor<1x8xf32>, tensor<2xi64>) -> tensor<1x2xf32>
  return %ln, %rm, %sl, %ga : tensor<1x8xf32>, tensor<1x8x1x1xf32>, tensor<1x4xf32>, tensor<1x2xf32>
}
