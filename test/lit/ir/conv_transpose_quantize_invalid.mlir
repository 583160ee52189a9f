// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @conv_transpose_channels(%x: tensor<1x3x4x4xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error@+1 {{input has 3 channels but the weight 4x2x3x3 expects 4, divisible by group 1}}
  %y = kg.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @conv_transpose_no_output(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x1x3xf32> {
  // expected-error@+2 {{conv_transpose pads leave no output along spatial dim 0}}
  // expected-error@+1 {{failed to infer returned types}}
  %y = kg.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 2, 0, 1, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x1x3xf32>
  return %y : tensor<1x1x1x3xf32>
}

// -----

func.func @quantize_wide_result(%x: tensor<4xf32>, %s: tensor<f32>) -> tensor<4xi16> {
  // expected-error@+1 {{result must be an 8-bit integer, got 'i16'}}
  %q = kg.quantize_linear %x, %s {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi16>
  return %q : tensor<4xi16>
}

// -----

func.func @quantize_zero_point_type(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xui8> {
  // expected-error@+1 {{zero point type 'i8' differs from the result's 'ui8'}}
  %q = kg.quantize_linear %x, %s, %z {axis = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xui8>
  return %q : tensor<4xui8>
}

// -----

func.func @quantize_axis_scale(%x: tensor<2x3xf32>, %s: tensor<2xf32>) -> tensor<2x3xui8> {
  // expected-error@+1 {{scale of shape 2 is neither a scalar nor 1-D of size 3 (input 2x3, axis 1)}}
  %q = kg.quantize_linear %x, %s {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}
