// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fuse-layer-norm),canonicalize)' | FileCheck %s

// PyTorch's opset-13 LayerNorm: one kg.layer_norm over the last axis, eps from the add.
// CHECK-LABEL: func.func @written_out
// CHECK-NOT: kg.reduce_mean
// CHECK: %[[Y:.*]] = kg.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64, epsilon = 9.99999974E-6 : f32}
// CHECK-NOT: kg.sqrt
// CHECK: return %[[Y]]
func.func @written_out(%x: tensor<1x4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<1x4x8xf32> {
  %two = kg.constant dense<2.0> : tensor<f32> : tensor<f32>
  %eps = kg.constant dense<1.0e-5> : tensor<f32> : tensor<f32>
  %m = kg.reduce_mean %x {axes = array<i64: 2>, keepdims = true} : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
  %d = kg.sub %x, %m : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %p = kg.pow %d, %two : (tensor<1x4x8xf32>, tensor<f32>) -> tensor<1x4x8xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 2>, keepdims = true} : (tensor<1x4x8xf32>) -> tensor<1x4x1xf32>
  %ve = kg.add %v, %eps : (tensor<1x4x1xf32>, tensor<f32>) -> tensor<1x4x1xf32>
  %s = kg.sqrt %ve : tensor<1x4x1xf32>
  %n = kg.div %d, %s : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> tensor<1x4x8xf32>
  %sc = kg.mul %n, %g : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  %y = kg.add %sc, %b : (tensor<1x4x8xf32>, tensor<8xf32>) -> tensor<1x4x8xf32>
  return %y : tensor<1x4x8xf32>
}

// -----

// The square as d * d, the products and sums with swapped operands, no bias, two trailing
// axes: the norm starts at the first.
// CHECK-LABEL: func.func @swapped_no_bias
// CHECK: %[[Y:.*]] = kg.layer_norm %arg0, %arg1 {axis = 1 : i64
// CHECK: return %[[Y]]
func.func @swapped_no_bias(%x: tensor<2x3x4xf32>, %g: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %eps = kg.constant dense<1.0e-12> : tensor<1xf32> : tensor<1xf32>
  %m = kg.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %d = kg.sub %x, %m : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %p = kg.mul %d, %d : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
  %ve = kg.add %eps, %v : (tensor<1xf32>, tensor<2x1x1xf32>) -> tensor<2x1x1xf32>
  %s = kg.sqrt %ve : tensor<2x1x1xf32>
  %n = kg.div %d, %s : (tensor<2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<2x3x4xf32>
  %y = kg.mul %g, %n : (tensor<3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %y : tensor<2x3x4xf32>
}

// -----

// Not a layer norm: the mean is over a leading axis; the centered value has a third reader
// (also when it is a second square); the epsilon is not a constant. Each stays as written.
// CHECK-LABEL: func.func @leading_axis
// CHECK-NOT: kg.layer_norm
// CHECK-LABEL: func.func @centered_read_elsewhere
// CHECK-NOT: kg.layer_norm
// CHECK-LABEL: func.func @second_square
// CHECK-NOT: kg.layer_norm
// CHECK-LABEL: func.func @runtime_epsilon
// CHECK-NOT: kg.layer_norm
func.func @leading_axis(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  %eps = kg.constant dense<1.0e-5> : tensor<f32> : tensor<f32>
  %m = kg.reduce_mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  %d = kg.sub %x, %m : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %p = kg.mul %d, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  %ve = kg.add %v, %eps : (tensor<1x8xf32>, tensor<f32>) -> tensor<1x8xf32>
  %s = kg.sqrt %ve : tensor<1x8xf32>
  %n = kg.div %d, %s : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %y = kg.mul %n, %g : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
func.func @centered_read_elsewhere(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %eps = kg.constant dense<1.0e-5> : tensor<f32> : tensor<f32>
  %m = kg.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %d = kg.sub %x, %m : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %p = kg.mul %d, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %ve = kg.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = kg.sqrt %ve : tensor<4x1xf32>
  %n = kg.div %d, %s : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %y = kg.mul %n, %g : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %d : tensor<4x8xf32>, tensor<4x8xf32>
}
func.func @second_square(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %two = kg.constant dense<2.0> : tensor<f32> : tensor<f32>
  %eps = kg.constant dense<1.0e-5> : tensor<f32> : tensor<f32>
  %m = kg.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %d = kg.sub %x, %m : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %p = kg.mul %d, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %q = kg.pow %d, %two : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %ve = kg.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = kg.sqrt %ve : tensor<4x1xf32>
  %n = kg.div %d, %s : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %y = kg.mul %n, %g : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y, %q : tensor<4x8xf32>, tensor<4x8xf32>
}
func.func @runtime_epsilon(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %eps: tensor<f32>) -> tensor<4x8xf32> {
  %m = kg.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %d = kg.sub %x, %m : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %p = kg.mul %d, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %v = kg.reduce_mean %p {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %ve = kg.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = kg.sqrt %ve : tensor<4x1xf32>
  %n = kg.div %d, %s : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  %y = kg.mul %n, %g : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
