// RUN: kiln-opt %s --split-input-file --verify-diagnostics | FileCheck %s

// Comparisons yield bools; unsigned and bool element types are kept.
// CHECK-LABEL: func.func @types
// CHECK: kg.less {{.*}} -> tensor<2x3xi1>
// CHECK: kg.max {{.*}} -> tensor<2x3xui8>
// CHECK: kg.shift_left {{.*}} -> tensor<3xui16>
// CHECK: kg.xor {{.*}} -> tensor<2x3xi1>
func.func @types(%a: tensor<2x3xi32>, %b: tensor<3xi32>, %u: tensor<2x3xui8>, %v: tensor<1xui8>,
                 %s: tensor<3xui16>, %p: tensor<2x3xi1>) -> (tensor<2x3xi1>, tensor<2x3xui8>, tensor<3xui16>, tensor<2x3xi1>) {
  %l = kg.less %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi1>
  %m = kg.max %u, %v : (tensor<2x3xui8>, tensor<1xui8>) -> tensor<2x3xui8>
  %sh = kg.shift_left %s, %s : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  %x = kg.xor %l, %p : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return %l, %m, %sh, %x : tensor<2x3xi1>, tensor<2x3xui8>, tensor<3xui16>, tensor<2x3xi1>
}

// -----

func.func @compare_mixed_types(%a: tensor<3xi32>, %b: tensor<3xi64>) -> tensor<3xi1> {
  // expected-error@+2 {{operand element types 'i32' and 'i64' differ}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.equal %a, %b : (tensor<3xi32>, tensor<3xi64>) -> tensor<3xi1>
  return %r : tensor<3xi1>
}

// -----

func.func @and_of_floats(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{does not support element type 'f32'}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.and %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

func.func @signed_shift(%a: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error@+2 {{does not support element type 'i32'}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.shift_right %a, %a : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %r : tensor<3xi32>
}

// -----

func.func @sin_of_ints(%a: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error@+1 {{does not support element type 'i32'}}
  %r = kg.sin %a : tensor<3xi32>
  return %r : tensor<3xi32>
}

// -----

func.func @neg_of_unsigned(%a: tensor<3xui8>) -> tensor<3xui8> {
  // expected-error@+1 {{does not support element type 'ui8'}}
  %r = kg.neg %a : tensor<3xui8>
  return %r : tensor<3xui8>
}

// -----

func.func @where_int_condition(%c: tensor<3xi32>, %a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error@+2 {{condition must be a bool tensor}}
  // expected-error@+1 {{failed to infer returned types}}
  %r = kg.where %c, %a, %a : (tensor<3xi32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
