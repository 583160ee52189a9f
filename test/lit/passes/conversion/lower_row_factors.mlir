// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// Softmax divides by the row sum through its reciprocal, taken once per row: the element loop
// multiplies.
// CHECK-LABEL: func.func @task_softmax_kernel
// CHECK: kl.block "softmax_sum"
// CHECK: kl.block "softmax_recip" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: spatial 1)
// CHECK: arith.divf
// CHECK: kl.block "softmax_div" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: spatial 8)
// CHECK-NOT: arith.divf
// CHECK: arith.mulf
// CHECK-NOT: arith.divf
// CHECK: return
func.func private @task_softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {kiln.task} {
  %y = kg.softmax %x {axis = 1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Log softmax subtracts max + log(sum), taken once per row.
// CHECK-LABEL: func.func @task_log_softmax_kernel
// CHECK: kl.block "log_softmax_lse" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: spatial 1)
// CHECK: math.log
// CHECK: kl.block "log_softmax_out"
// CHECK-NOT: math.log
// CHECK: return
func.func private @task_log_softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {kiln.task} {
  %y = kg.log_softmax %x {axis = 1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Layer norm takes 1 / sqrt(var + eps) once per row; normalizing multiplies by it.
// CHECK-LABEL: func.func @task_layer_norm_kernel
// CHECK: kl.block "ln_var"
// CHECK: kl.block "ln_rstd" {{.*}} iter_vars({{.*}}: spatial 4, {{.*}}: spatial 1)
// CHECK: math.sqrt
// CHECK: kl.block "ln_norm"
// CHECK-NOT: math.sqrt
// CHECK-NOT: arith.divf
// CHECK: return
func.func private @task_layer_norm(%x: tensor<4x8xf32>, %s: tensor<8xf32>) -> tensor<4x8xf32> attributes {kiln.task} {
  %y = kg.layer_norm %x, %s {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
