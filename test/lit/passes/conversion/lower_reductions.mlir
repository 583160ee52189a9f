// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// Log-sum-exp: the max per row first (so exp never overflows), the sum of exp(x - max) with
// the reduced dim innermost, then log(sum) + max in place.
// CHECK-LABEL: func.func @task_lse_kernel
// CHECK: kl.block "reduce_log_sum_exp_max" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: reduce 8) init
// CHECK: arith.maximumf
// CHECK: kl.block "reduce_log_sum_exp" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: reduce 8) init
// CHECK: math.exp
// CHECK: kl.block "reduce_log_sum_exp_finish" {{.*}} iter_vars({{.*}}: spatial 4)
// CHECK: math.log
func.func private @task_lse(%x: tensor<4x8xf32>) -> tensor<4xf32> attributes {kiln.task} {
  %r = kg.reduce_log_sum_exp %x {axes = array<i64: 1>, keepdims = false} : (tensor<4x8xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Integer max picks the signed or unsigned op from the kg element type.
// CHECK-LABEL: func.func @task_max_u8_kernel
// CHECK-SAME: memref<4x8xi8>
// CHECK: arith.constant 0 : i8
// CHECK: arith.maxui
func.func private @task_max_u8(%x: tensor<4x8xui8>) -> tensor<4x1xui8> attributes {kiln.task} {
  %r = kg.reduce_max %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xui8>) -> tensor<4x1xui8>
  return %r : tensor<4x1xui8>
}

// -----

// CumSum: each output element is a masked reduction over the whole axis (j <= i here).
// CHECK-LABEL: func.func @task_cumsum_kernel
// CHECK: kl.block "cumsum" {{.*}} iter_vars(%[[I:.*]]: spatial 2, %[[K:.*]]: spatial 5, %[[J:.*]]: reduce 5) init
// CHECK: arith.cmpi sle, %[[J]], %[[K]]
// CHECK: arith.select
// CHECK: arith.addi
func.func private @task_cumsum(%x: tensor<2x5xi32>) -> tensor<2x5xi32> attributes {kiln.task} {
  %r = kg.cumsum %x {axis = 1 : i64, exclusive = false, reverse = false} : (tensor<2x5xi32>) -> tensor<2x5xi32>
  return %r : tensor<2x5xi32>
}

// -----

// ArgMax keeps a running best value beside the index; the first element seeds both.
// CHECK-LABEL: func.func @task_argmax_kernel
// CHECK: %[[BEST:.*]] = memref.alloc() : memref<3xf32>
// CHECK: kl.block "arg_max" {{.*}} iter_vars({{.*}}: spatial 3, {{.*}}: reduce 2) init
// CHECK: arith.cmpf ogt
func.func private @task_argmax(%x: tensor<2x3xf32>) -> tensor<3xi64> attributes {kiln.task} {
  %r = kg.arg_max %x {axis = 0 : i64, keepdims = false, select_last_index = false} : (tensor<2x3xf32>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}
