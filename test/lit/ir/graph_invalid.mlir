// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @bad_broadcast(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error@+2 {{operand shapes 2x3 and 4x3 do not broadcast}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.add %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// -----

func.func @bad_reshape(%a: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error@+1 {{cannot reshape 2x3 to 7}}
  %r = kg.reshape %a : tensor<2x3xf32> -> tensor<7xf32>
  return %r : tensor<7xf32>
}

// -----

func.func @bad_conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error@+1 {{input has 3 channels but the weight expects 2}}
  %r = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

func.func @bad_matmul(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error@+2 {{matmul contraction mismatch: 2x3 x 4x5}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %r : tensor<2x5xf32>
}

// -----

func.func @bad_channels_last_conv(%x: tensor<1x8x8x3xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32> {
  // expected-error@+1 {{input has 3 channels but the weight expects 2}}
  %r = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x8x8x3xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x6x4xf32>
  return %r : tensor<1x6x6x4xf32>
}

// -----

// Channels last, a transposed convolution's weight is kernel x C x F: C is its second-to-last dim.
func.func @bad_channels_last_conv_transpose(%x: tensor<1x4x4x3xf32>, %w: tensor<2x2x4x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error@+1 {{input has 3 channels but the weight 2x2x4x8 expects 4}}
  %r = kg.conv_transpose %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x4x3xf32>, tensor<2x2x4x8xf32>) -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

func.func @bad_winograd_tile(%x: tensor<1x8x8x16xf32>, %u: tensor<6x6x16x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error@+1 {{tile must be 2 or 4, got 3}}
  %r = kg.winograd_conv %x, %u {pads = array<i64: 1, 1, 1, 1>, tile = 3 : i64} : (tensor<1x8x8x16xf32>, tensor<6x6x16x8xf32>) -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

func.func @bad_winograd_weight(%x: tensor<1x8x8x16xf32>, %u: tensor<4x4x16x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error@+1 {{F(4x4, 3x3) takes a 6x6 x C x F transformed weight, got 4x4x16x8}}
  %r = kg.winograd_conv %x, %u {pads = array<i64: 1, 1, 1, 1>, tile = 4 : i64} : (tensor<1x8x8x16xf32>, tensor<4x4x16x8xf32>) -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}

// -----

func.func @bad_winograd_channels(%x: tensor<1x8x8x12xf32>, %u: tensor<6x6x16x8xf32>) -> tensor<1x8x8x8xf32> {
  // expected-error@+1 {{input has 12 channels but the weight 6x6x16x8 expects 16}}
  %r = kg.winograd_conv %x, %u {pads = array<i64: 1, 1, 1, 1>, tile = 4 : i64} : (tensor<1x8x8x12xf32>, tensor<6x6x16x8xf32>) -> tensor<1x8x8x8xf32>
  return %r : tensor<1x8x8x8xf32>
}
