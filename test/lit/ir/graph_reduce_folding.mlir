// RUN: kiln-opt %s --canonicalize | FileCheck %s

// Max, min, product and log-sum-exp of one element are that element; L1, L2, the sum of
// squares and the log-sum transform it, so they stay.
// CHECK-LABEL: func.func @single_element
// CHECK-NOT: kg.reduce_max
// CHECK-NOT: kg.reduce_min
// CHECK-NOT: kg.reduce_prod
// CHECK-NOT: kg.reduce_log_sum_exp
// CHECK: kg.reduce_l1
// CHECK: kg.reduce_l2
// CHECK: kg.reduce_sum_square
// CHECK: kg.reduce_log_sum
func.func @single_element(%x: tensor<2x1xf32>) -> (tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  %0 = kg.reduce_max %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %1 = kg.reduce_min %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %2 = kg.reduce_prod %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %3 = kg.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %4 = kg.reduce_l1 %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %5 = kg.reduce_l2 %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %6 = kg.reduce_sum_square %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %7 = kg.reduce_log_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}
