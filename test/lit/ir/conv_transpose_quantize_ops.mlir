// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// conv_transpose: 3x3 input, stride 2, kernel 3, pads (1, 0) begin and (-1, 0) end (an
// output_padding of 1): (3 - 1) * 2 + 3 - 1 + 1 = 7 rows, (3 - 1) * 2 + 3 = 7 columns.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: kg.conv_transpose %{{.*}}, %{{.*}}, %{{.*}} {{.*}} : (tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x7x7xf32>
func.func @conv_transpose(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x7x7xf32> {
  %y = kg.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 0, -1, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x7x7xf32>
  return %y : tensor<1x6x7x7xf32>
}

// CHECK-LABEL: func.func @quantize
// CHECK: kg.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
// CHECK: kg.quantize_linear %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xi32>, tensor<f32>) -> tensor<2x3xi8>
func.func @quantize(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>, %a: tensor<2x3xi32>, %t: tensor<f32>) -> (tensor<2x3xui8>, tensor<2x3xi8>) {
  %q = kg.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
  %r = kg.quantize_linear %a, %t {axis = 0 : i64} : (tensor<2x3xi32>, tensor<f32>) -> tensor<2x3xi8>
  return %q, %r : tensor<2x3xui8>, tensor<2x3xi8>
}
