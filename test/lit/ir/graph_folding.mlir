// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s

// Shape arithmetic folds away: shape -> gather -> concat -> reshape target.
// CHECK-LABEL: func.func @shape_chain
// CHECK-NOT: kg.shape
// CHECK-NOT: kg.gather
// CHECK-NOT: kg.concat
// CHECK: %[[C:.*]] = kg.constant dense<[2, 12]> : tensor<2xi64>
// CHECK: return %[[C]]
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  %s = kg.shape %x {end = 3 : i64, start = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i0 = kg.constant dense<0> : tensor<1xi64> : tensor<1xi64>
  %d0 = kg.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %m = kg.constant dense<12> : tensor<1xi64> : tensor<1xi64>
  %c = kg.concat %d0, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @identity_ops
// CHECK-NEXT: return %arg0
func.func @identity_ops(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = kg.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = kg.reshape %t : tensor<2x3xf32> -> tensor<6xf32>
  %b = kg.reshape %r : tensor<6xf32> -> tensor<2x3xf32>
  return %b : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_elementwise
// CHECK: kg.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
func.func @fold_elementwise() -> tensor<2xf32> {
  %a = kg.constant dense<[1.0, 2.0]> : tensor<2xf32> : tensor<2xf32>
  %b = kg.constant dense<[3.0, 4.0]> : tensor<2xf32> : tensor<2xf32>
  %c = kg.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %d = kg.constant dense<[0.0, 0.0]> : tensor<2xf32> : tensor<2xf32>
  %e = kg.sub %c, %d : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %e : tensor<2xf32>
}
