// RUN: kiln-opt %s --kiln-extract-tasks | FileCheck %s

// Every op with the KG_Elementwise trait fuses as an epilogue: matmul -> max -> greater ->
// where is one task.
// CHECK-LABEL: func.func @main
// CHECK: call @fused_matmul_max_greater_where_0
// CHECK-NOT: call
// CHECK: func.func private @fused_matmul_max_greater_where_0
// CHECK-NEXT: kg.matmul
// CHECK-NEXT: kg.max
// CHECK-NEXT: kg.greater
// CHECK-NEXT: kg.where
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %z: tensor<f32>, %p: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %m = kg.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %x = kg.max %m, %z : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  %g = kg.greater %x, %z : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xi1>
  %w = kg.where %g, %p, %p : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %w : tensor<4x3xf32>
}
