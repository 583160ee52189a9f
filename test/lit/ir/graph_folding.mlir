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

// -----

// Integer shape arithmetic folds exactly: INT64_MAX ("slice to the end") survives reshape,
// concat and gather, and integer division truncates.
// CHECK-LABEL: func.func @int64_max_survives
// CHECK: kg.constant dense<[9223372036854775807, 3]> : tensor<2xi64>
func.func @int64_max_survives() -> tensor<2xi64> {
  %m = kg.constant dense<9223372036854775807> : tensor<i64> : tensor<i64>
  %u = kg.reshape %m : tensor<i64> -> tensor<1xi64>
  %seven = kg.constant dense<[7, 2]> : tensor<2xi64> : tensor<2xi64>
  %i = kg.constant dense<0> : tensor<1xi64> : tensor<1xi64>
  %a = kg.gather %seven, %i {axis = 0 : i64} : (tensor<2xi64>, tensor<1xi64>) -> tensor<1xi64>
  %two = kg.constant dense<2> : tensor<1xi64> : tensor<1xi64>
  %q = kg.div %a, %two : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %c = kg.concat %u, %q {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// Casting to bool: any non-zero value is true.
// CHECK-LABEL: func.func @cast_to_bool
// CHECK: kg.constant dense<[true, false, true]> : tensor<3xi1>
func.func @cast_to_bool() -> tensor<3xi1> {
  %f = kg.constant dense<[0.5, 0.0, -2.0]> : tensor<3xf32> : tensor<3xf32>
  %b = kg.cast %f : tensor<3xf32> -> tensor<3xi1>
  return %b : tensor<3xi1>
}
