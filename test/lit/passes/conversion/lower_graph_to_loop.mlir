// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// A matmul + relu task becomes a kernel on memrefs: a reduction block with an init region
// writing an intermediate, then an elementwise block writing the output argument.
// CHECK-LABEL: func.func @task_matmul_relu_kernel
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x3xf32>, %[[OUT:.*]]: memref<4x3xf32>)
// CHECK-SAME: attributes {kiln.kernel}
// CHECK: %[[TMP:.*]] = memref.alloc() : memref<4x3xf32>
// CHECK: kl.for %[[I:.*]] : "matmul.i" in 4
// CHECK: kl.for %[[J:.*]] : "matmul.j" in 3
// CHECK: kl.for %[[K:.*]] : "matmul.k" in 8
// CHECK: kl.block "matmul" [%[[I]], %[[J]], %[[K]]] {{.*}} iter_vars(%[[VI:.*]]: spatial 4, %[[VJ:.*]]: spatial 3, %[[VK:.*]]: reduce 8) init
// CHECK: affine.store %{{.*}}, %[[TMP]]
// CHECK: affine.load %[[A]][%[[VI]], %[[VK]]]
// CHECK: affine.load %[[B]][%[[VK]], %[[VJ]]]
// CHECK: kl.block "relu"
// CHECK: affine.store %{{.*}}, %[[OUT]]
func.func private @task_matmul_relu(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> attributes {kiln.task} {
  %m = kg.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %r = kg.relu %m : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}

// -----

// Padding becomes border fills (top, bottom, left, right) and a copy into the interior.
// CHECK-LABEL: func.func @task_conv_kernel
// CHECK: %[[PAD:.*]] = memref.alloc() : memref<1x3x6x6xf32>
// CHECK: kl.block "pad_fill" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 3, {{.*}}: spatial 1, {{.*}}: spatial 6)
// CHECK: affine.store %{{.*}}, %[[PAD]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: kl.block "pad_fill_1"
// CHECK: affine.store %{{.*}}, %[[PAD]][%{{.*}}, %{{.*}}, %{{.*}} + 5, %{{.*}}]
// CHECK: kl.block "pad_fill_2"
// CHECK: kl.block "pad_fill_3"
// CHECK: kl.block "pad_copy" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 3, {{.*}}: spatial 4, {{.*}}: spatial 4)
// CHECK: affine.store %{{.*}}, %[[PAD]][%{{.*}}, %{{.*}}, %{{.*}} + 1, %{{.*}} + 1]
// CHECK: kl.block "conv" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 4, {{.*}}: spatial 4, {{.*}}: reduce 3, {{.*}}: reduce 3, {{.*}}: reduce 3)
func.func private @task_conv(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}
