// RUN: kiln-opt %s --split-input-file --canonicalize | FileCheck %s

// Shape arithmetic on int64: comparisons, max/min, Python-style mod and sign fold exactly.
// CHECK-LABEL: func.func @int64_arith
// CHECK-DAG: kg.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: kg.constant dense<[9223372036854775807, 4, -3]> : tensor<3xi64>
// CHECK-DAG: kg.constant dense<[5, -3, 0]> : tensor<3xi64>
// CHECK-DAG: kg.constant dense<[1, -1, -1]> : tensor<3xi64>
// CHECK-NOT: kg.greater
// CHECK-NOT: kg.max
// CHECK-NOT: kg.mod
// CHECK-NOT: kg.sign
func.func @int64_arith() -> (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) {
  %a = kg.constant dense<[9223372036854775807, -7, -3]> : tensor<3xi64> : tensor<3xi64>
  %b = kg.constant dense<[5, 4, -3]> : tensor<3xi64> : tensor<3xi64>
  %g = kg.less %b, %a : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %gt = kg.xor %g, %g : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %ne = kg.equal %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %n = kg.not %ne : tensor<3xi1>
  %gt2 = kg.greater %b, %a : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %m = kg.max %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %r = kg.mod %b, %a : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %s = kg.sign %a : tensor<3xi64>
  return %gt2, %m, %r, %s : tensor<3xi1>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>
}

// -----

// NaN propagates through max; a float remainder keeps the dividend's sign (fmod).
// CHECK-LABEL: func.func @float_fold
// CHECK-DAG: kg.constant dense<[0x7FC00000, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kg.constant dense<[-1.000000e+00, 1.000000e+00]> : tensor<2xf32>
func.func @float_fold() -> (tensor<2xf32>, tensor<2xf32>) {
  %a = kg.constant dense<[0x7FC00000, 3.0]> : tensor<2xf32> : tensor<2xf32>
  %b = kg.constant dense<[1.0, -2.0]> : tensor<2xf32> : tensor<2xf32>
  %m = kg.max %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %x = kg.constant dense<[-7.0, 7.0]> : tensor<2xf32> : tensor<2xf32>
  %y = kg.constant dense<[3.0, -3.0]> : tensor<2xf32> : tensor<2xf32>
  %r = kg.fmod %x, %y : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %m, %r : tensor<2xf32>, tensor<2xf32>
}

// -----

// A constant all-true condition selects the lhs.
// CHECK-LABEL: func.func @where_constant
// CHECK-NEXT: return %arg0
func.func @where_constant(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  %c = kg.constant dense<true> : tensor<3xi1> : tensor<3xi1>
  %r = kg.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}

// -----

// A mixed condition over constant operands selects per element, with broadcasting (the shape
// arithmetic torch exports before an Expand).
// CHECK-LABEL: func.func @where_all_constant
// CHECK-NEXT: %[[R:.*]] = kg.constant dense<[1, -1, 7]> : tensor<3xi64>
// CHECK-NEXT: return %[[R]]
func.func @where_all_constant() -> tensor<3xi64> {
  %c = kg.constant dense<[true, false, true]> : tensor<3xi1> : tensor<3xi1>
  %a = kg.constant dense<[1, 2, 7]> : tensor<3xi64> : tensor<3xi64>
  %b = kg.constant dense<-1> : tensor<1xi64> : tensor<1xi64>
  %r = kg.where %c, %a, %b : (tensor<3xi1>, tensor<3xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}

// -----

// float32 -> bfloat16 truncates like onnx 1.12's Cast: 1.00390625 (0x3F808000) -> 1.0.
// CHECK-LABEL: func.func @cast_bf16
// CHECK: kg.constant dense<1.000000e+00> : tensor<1xbf16>
func.func @cast_bf16() -> tensor<1xbf16> {
  %a = kg.constant dense<1.00390625> : tensor<1xf32> : tensor<1xf32>
  %r = kg.cast %a : tensor<1xf32> -> tensor<1xbf16>
  return %r : tensor<1xbf16>
}
