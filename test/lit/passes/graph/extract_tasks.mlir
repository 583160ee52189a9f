// RUN: kiln-opt %s --split-input-file --kiln-extract-tasks | FileCheck %s

// conv -> add(bias) -> relu fuse into one task; the reshape and constants stay in @main.
// CHECK-LABEL: func.func @main
// CHECK: %[[W:.*]] = kg.constant
// CHECK: %[[T:.*]] = call @fused_conv_add_relu_0(%arg0, %[[W]], %{{.*}})
// CHECK: %[[R:.*]] = kg.reshape %[[T]]
// CHECK: return %[[R]]
// CHECK: func.func private @fused_conv_add_relu_0({{.*}}) -> tensor<1x2x4x4xf32> attributes {kiln.task}
// CHECK-NEXT: kg.conv
// CHECK-NEXT: kg.add
// CHECK-NEXT: kg.relu
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x32xf32> {
  %w = kg.constant dense<1.0> : tensor<2x2x1x1xf32> : tensor<2x2x1x1xf32>
  %b = kg.constant dense<1.0> : tensor<1x2x1x1xf32> : tensor<1x2x1x1xf32>
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = kg.add %c, %b : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = kg.relu %a : tensor<1x2x4x4xf32>
  %f = kg.reshape %r : tensor<1x2x4x4xf32> -> tensor<1x32xf32>
  return %f : tensor<1x32xf32>
}

// -----

// A result read by two ops ends its group: the second consumer starts a new one.
// CHECK-LABEL: func.func @main
// CHECK: %[[M:.*]] = call @fused_matmul_0
// CHECK: call @fused_relu_1(%[[M]])
// CHECK: call @fused_tanh_2(%[[M]])
func.func @main(%x: tensor<4x8xf32>, %y: tensor<8x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %m = kg.matmul %x, %y : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
  %r = kg.relu %m : tensor<4x4xf32>
  %t = kg.tanh %m : tensor<4x4xf32>
  return %r, %t : tensor<4x4xf32>, tensor<4x4xf32>
}
