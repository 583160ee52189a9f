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

// -----

// A 1x1 unpadded conv task runs on N x C x (H*W) buffers; its weight and bias keep their
// shapes and the per-channel epilogue operand is flattened the way it broadcasts.
// CHECK-LABEL: func.func @task_pointwise_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x4x12xf32>, %[[W:.*]]: memref<2x4x1x1xf32>, %[[S:.*]]: memref<1x2x1xf32>, %[[OUT:.*]]: memref<1x2x12xf32>)
// CHECK: kl.block "conv" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 12, {{.*}}: reduce 4)
// CHECK: affine.load %[[X]]
// CHECK: affine.load %[[W]][%{{.*}}, %{{.*}}, 0, 0]
// CHECK: kl.block "mul"
// CHECK: affine.load %[[S]][0, %{{.*}}, 0]
func.func private @task_pointwise(%x: tensor<1x4x3x4xf32>, %w: tensor<2x4x1x1xf32>, %s: tensor<2x1x1xf32>) -> tensor<1x2x3x4xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x3x4xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x3x4xf32>
  %m = kg.mul %c, %s : (tensor<1x2x3x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x4xf32>
  return %m : tensor<1x2x3x4xf32>
}

// -----

// A stride-2 conv reads a phase-split copy of its padded input: taps index the phase by
// r mod 2 and the row by x + r floordiv 2, unit stride along x.
// CHECK-LABEL: func.func @task_strided_conv_kernel
// CHECK: %[[SPLIT:.*]] = memref.alloc() : memref<1x3x2x2x3x16xf32>
// CHECK: kl.block "pad_fill"
// CHECK-COUNT-4: kl.block "phase_copy
// CHECK: kl.block "conv"
// CHECK: affine.load %[[SPLIT]][{{.*}}, %[[RY:arg[0-9]+]] mod 2, %[[RX:arg[0-9]+]] mod 2, %{{.*}} + %[[RY]] floordiv 2, %{{.*}} + %[[RX]] floordiv 2]
func.func private @task_strided_conv(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x2x2xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}
