// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @gather_elements_rank(%d: tensor<3x3xf32>, %i: tensor<3xi64>) -> tensor<3xf32> {
  // expected-error@+2 {{gather_elements indices 3 and data 3x3 differ in rank}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.gather_elements %d, %i {axis = 0 : i64} : (tensor<3x3xf32>, tensor<3xi64>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

func.func @gather_nd_depth(%d: tensor<2x2xf32>, %i: tensor<1x3xi64>) -> tensor<1xf32> {
  // expected-error@+2 {{gather_nd index depth 3 does not fit data rank 2}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.gather_nd %d, %i {batch_dims = 0 : i64} : (tensor<2x2xf32>, tensor<1x3xi64>) -> tensor<1xf32>
  return %r : tensor<1xf32>
}

// -----

func.func @scatter_reduction(%d: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{unknown scatter reduction 'avg'}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "avg"} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x4xf32> {
  // expected-error@+2 {{scatter_nd updates 2x3 should be 2x4 of the data's element type}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

func.func @top_k_too_many(%x: tensor<3x4xf32>) -> tensor<3x5xi64> {
  // expected-error@+2 {{top_k k = 5 is out of range for a dim of size 4}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.top_k_indices %x {k = 5 : i64, axis = 1 : i64, largest = true} : (tensor<3x4xf32>) -> tensor<3x5xi64>
  return %r : tensor<3x5xi64>
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+2 {{trilu needs rank >= 2}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.trilu %x {upper = true} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @reverse_sequence_lens(%x: tensor<4x3xf32>, %l: tensor<3xi64>) -> tensor<4x3xf32> {
  // expected-error@+2 {{reverse_sequence seq_lens must be an int32/int64 vector of 4 entries}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.reverse_sequence %x, %l {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
