// RUN: kiln-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// The reductions, arg reductions, scans, softmax family and losses round-trip with the
// result types they infer.
// CHECK-LABEL: func.func @round_trip
// CHECK: kg.reduce_max {{.*}} -> tensor<2x1xf32>
// CHECK: kg.reduce_log_sum_exp {{.*}} -> tensor<f32>
// CHECK: kg.arg_min {{.*}} -> tensor<3xi64>
// CHECK: kg.cumsum {{.*}} -> tensor<2x3xi32>
// CHECK: kg.log_softmax
// CHECK: kg.hardmax
// CHECK: kg.nll_loss {{.*}} -> tensor<f32>
// CHECK: kg.max_pool_indices {{.*}} -> tensor<1x1x2x2xi64>
func.func @round_trip(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %t: tensor<2xi64>,
                      %w: tensor<3xf32>, %p: tensor<1x1x4x4xui8>) {
  %0 = kg.reduce_max %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %1 = kg.reduce_log_sum_exp %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  %2 = kg.arg_min %x {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<3xi64>
  %3 = kg.cumsum %i {axis = 1 : i64, exclusive = true, reverse = false} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  %4 = kg.log_softmax %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = kg.hardmax %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = kg.nll_loss %4, %t, %w {ignore_index = -1 : i64, reduction = "mean"} : (tensor<2x3xf32>, tensor<2xi64>, tensor<3xf32>) -> tensor<f32>
  %7 = kg.max_pool_indices %p {ceil_mode = false, column_major = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x4x4xui8>) -> tensor<1x1x2x2xi64>
  return
}

// -----

func.func @arg_axis_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error@+2 {{arg_max axis 2 out of range for 2x3}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kg.arg_max %x {axis = 2 : i64, keepdims = true, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return
}

// -----

func.func @nll_target_shape(%x: tensor<2x3x4xf32>, %t: tensor<2x3xi64>) {
  // expected-error@+2 {{nll_loss target must be an integer tensor of shape 2x4}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kg.nll_loss %x, %t {ignore_index = 0 : i64, reduction = "none"} : (tensor<2x3x4xf32>, tensor<2x3xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @nll_reduction(%x: tensor<2x3xf32>, %t: tensor<2xi64>) {
  // expected-error@+2 {{nll_loss reduction must be none, sum or mean, got 'max'}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kg.nll_loss %x, %t {ignore_index = 0 : i64, reduction = "max"} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return
}

// -----

func.func @hardmax_on_integers(%x: tensor<2x3xi32>) {
  // expected-error@+2 {{hardmax needs a floating-point input, got 'i32'}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = kg.hardmax %x {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return
}

// -----

func.func @reduce_unsorted_axes(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{axes must be sorted and unique}}
  %0 = kg.reduce_prod %x {axes = array<i64: 1, 0>, keepdims = false} : (tensor<2x3xf32>) -> tensor<f32>
  return
}
