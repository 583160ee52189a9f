// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// A strided conv_transpose spreads the input into a zeroed buffer at stride 2 (offset by the
// kernel span 2 minus the begin pad 1), then runs a stride-1 correlation with the flipped
// kernel: U has the output's 6 rows plus the span 2, and tap r reads the weight at 2 - r.
// CHECK-LABEL: func.func @task_conv_transpose_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x2x3x3xf32>, %[[W:.*]]: memref<2x3x3x3xf32>, %[[OUT:.*]]: memref<1x3x6x6xf32>)
// CHECK: %[[U:.*]] = memref.alloc() : memref<1x2x8x8xf32>
// CHECK: kl.block "zero_fill" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 8, {{.*}}: spatial 8)
// CHECK: kl.block "zero_insert" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 3, {{.*}}: spatial 3)
// CHECK: affine.store %{{.*}}, %[[U]][%{{.*}}, %{{.*}}, %{{.*}} * 2 + 1, %{{.*}} * 2 + 1]
// CHECK: kl.block "conv_transpose" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[F:.*]]: spatial 3, %[[Y:.*]]: spatial 6, %[[XX:.*]]: spatial 6, %[[RC:.*]]: reduce 2, %[[RY:.*]]: reduce 3, %[[RX:.*]]: reduce 3)
// CHECK: affine.load %[[U]][%[[N]], %[[RC]], %[[Y]] + %[[RY]], %[[XX]] + %[[RX]]]
// CHECK: affine.load %[[W]][%[[RC]], %[[F]], -%[[RY]] + 2, -%[[RX]] + 2]
// CHECK: arith.mulf
func.func private @task_conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x6x6xf32> attributes {kiln.task} {
  %y = kg.conv_transpose %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x6x6xf32>
  return %y : tensor<1x3x6x6xf32>
}

// -----

// An integer matmul accumulates with wrapping integer ops.
// CHECK-LABEL: func.func @task_int_matmul_kernel
// CHECK: kl.block "matmul"
// CHECK: arith.muli
// CHECK: arith.addi
func.func private @task_int_matmul(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>) -> tensor<2x4xi32> attributes {kiln.task} {
  %m = kg.matmul %a, %b : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  return %m : tensor<2x4xi32>
}

// -----

// Per-axis quantization reads the scale and zero point at the axis' iter var, rounds half to
// even with the 1.5 * 2^23 pair, saturates to [0, 255] and converts unsigned.
// CHECK-LABEL: func.func @task_quantize_kernel
// CHECK-SAME: (%[[X:.*]]: memref<2x3xf32>, %[[S:.*]]: memref<3xf32>, %[[Z:.*]]: memref<3xi8>, %[[OUT:.*]]: memref<2x3xi8>)
// CHECK: kl.block "quantize_linear" {{.*}} iter_vars(%[[I:.*]]: spatial 2, %[[J:.*]]: spatial 3)
// CHECK: affine.load %[[S]][%[[J]]]
// CHECK: arith.divf
// CHECK: arith.constant 0x4B400000 : f32
// CHECK: affine.load %[[Z]][%[[J]]]
// CHECK: arith.uitofp
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func private @task_quantize(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %z: tensor<3xui8>) -> tensor<2x3xui8> attributes {kiln.task} {
  %q = kg.quantize_linear %x, %s, %z {axis = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xui8>) -> tensor<2x3xui8>
  return %q : tensor<2x3xui8>
}

// -----

// An integer gemm scales A by its integral alpha and C by beta with integer multiplies.
// CHECK-LABEL: func.func @task_int_gemm_kernel
// CHECK: kl.block "gemm"
// CHECK: arith.constant 3 : i64
// CHECK: arith.muli
// CHECK: arith.constant 2 : i64
// CHECK: arith.muli
// CHECK: arith.addi
func.func private @task_int_gemm(%a: tensor<2x3xi64>, %b: tensor<3x4xi64>, %c: tensor<4xi64>) -> tensor<2x4xi64> attributes {kiln.task} {
  %m = kg.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 3.0 : f32, trans_a = false, trans_b = false} : (tensor<2x3xi64>, tensor<3x4xi64>, tensor<4xi64>) -> tensor<2x4xi64>
  return %m : tensor<2x4xi64>
}
