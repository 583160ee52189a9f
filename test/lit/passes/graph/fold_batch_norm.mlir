// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fold-batch-norm),canonicalize)' | FileCheck %s

// The BN scale 2/sqrt(3+1) = 1 and shift (b - mean) * s + bias = (0 - 1) * 1 + 0.5.
// CHECK-LABEL: func.func @conv_bn
// CHECK-NOT: kg.batch_norm
// CHECK: %[[B:.*]] = kg.constant dense<-5.000000e-01> : tensor<2xf32>
// CHECK: %[[CONV:.*]] = kg.conv %arg0, %{{.*}}, %[[B]]
// CHECK: return %[[CONV]]
func.func @conv_bn(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kg.constant dense<1.0> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %scale = kg.constant dense<2.0> : tensor<2xf32> : tensor<2xf32>
  %bias = kg.constant dense<0.5> : tensor<2xf32> : tensor<2xf32>
  %mean = kg.constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %var = kg.constant dense<3.0> : tensor<2xf32> : tensor<2xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = kg.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A conv result used twice cannot absorb the normalization.
// CHECK-LABEL: func.func @conv_used_twice
// CHECK: kg.batch_norm
func.func @conv_used_twice(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = kg.constant dense<1.0> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %p = kg.constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = kg.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %c : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
