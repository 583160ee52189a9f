// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s
// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop --kiln-default-schedule \
// RUN:   | FileCheck %s --check-prefix=SCHED

// A channels-last conv (N x H x W x C, weight kernel x C x F) pads H and W only, and its block
// runs n, y, x, f over the reduce axes rc, ry, rx: the input index strides by 2 and reads
// channel rc, the weight is read along f, the bias at f.
// CHECK-LABEL: func.func @task_nhwc_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x4x4x3xf32>, %[[W:.*]]: memref<3x3x3x8xf32>, %[[B:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<1x2x2x8xf32>)
// CHECK: %[[PAD:.*]] = memref.alloc() : memref<1x6x6x3xf32>
// CHECK: kl.block "pad_copy" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 4, {{.*}}: spatial 4, {{.*}}: spatial 3)
// CHECK: affine.store %{{.*}}, %[[PAD]][%{{.*}}, %{{.*}} + 1, %{{.*}} + 1, %{{.*}}]
// CHECK: kl.block "conv" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[Y:.*]]: spatial 2, %[[XX:.*]]: spatial 2, %[[F:.*]]: spatial 8, %[[RC:.*]]: reduce 3, %[[RY:.*]]: reduce 3, %[[RX:.*]]: reduce 3)
// CHECK: affine.load %[[B]][%[[F]]]
// CHECK: affine.load %[[PAD]][%[[N]], %[[Y]] * 2 + %[[RY]], %[[XX]] * 2 + %[[RX]], %[[RC]]]
// CHECK: affine.load %[[W]][%[[RY]], %[[RX]], %[[RC]], %[[F]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N]], %[[Y]], %[[XX]], %[[F]]]
func.func private @task_nhwc(%x: tensor<1x4x4x3xf32>, %w: tensor<3x3x3x8xf32>, %b: tensor<8xf32>) -> tensor<1x2x2x8xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w, %b {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x4x3xf32>, tensor<3x3x3x8xf32>, tensor<8xf32>) -> tensor<1x2x2x8xf32>
  return %c : tensor<1x2x2x8xf32>
}

// -----

// A channels-last 1x1 conv task runs on N x (H*W) x C buffers; the per-channel epilogue
// operand is flattened the way it broadcasts, the weight keeps its shape.
// CHECK-LABEL: func.func @task_nhwc_pointwise_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x12x4xf32>, %[[W:.*]]: memref<1x1x4x8xf32>, %[[S:.*]]: memref<1x1x8xf32>, %[[OUT:.*]]: memref<1x12x8xf32>)
// CHECK: kl.block "conv" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 12, {{.*}}: spatial 8, {{.*}}: reduce 4)
// CHECK: affine.load %[[W]][0, 0, %{{.*}}, %{{.*}}]
// CHECK: kl.block "mul"
// CHECK: affine.load %[[S]][0, 0, %{{.*}}]
func.func private @task_nhwc_pointwise(%x: tensor<1x3x4x4xf32>, %w: tensor<1x1x4x8xf32>, %s: tensor<1x1x1x8xf32>) -> tensor<1x3x4x8xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x3x4x8xf32>
  %m = kg.mul %c, %s : (tensor<1x3x4x8xf32>, tensor<1x1x1x8xf32>) -> tensor<1x3x4x8xf32>
  return %m : tensor<1x3x4x8xf32>
}

// -----

// A depthwise channels-last conv reads input channel f + rc (rc has extent 1): the lanes
// along f read the input contiguously. It reads the input itself, not a padded copy: the
// output splits into regions whose windows cover the same taps (3 per dim: the first row
// skips tap 0, the last tap 2), one block each; the interior 2x2 is "conv", with all taps.
// CHECK-LABEL: func.func @task_nhwc_depthwise_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x4x4x8xf32>, %[[W:.*]]: memref<3x3x1x8xf32>, %[[OUT:.*]]: memref<1x4x4x8xf32>)
// CHECK-NOT: memref.alloc
// CHECK: kl.block "conv_border" {{.*}} iter_vars(%[[N0:.*]]: spatial 1, %[[Y0:.*]]: spatial 1, %[[X0:.*]]: spatial 1, %[[F0:.*]]: spatial 8, %[[RC0:.*]]: reduce 1, %[[RY0:.*]]: reduce 2, %[[RX0:.*]]: reduce 2)
// CHECK: affine.load %[[X]][%[[N0]], %[[Y0]] + %[[RY0]], %[[X0]] + %[[RX0]], %[[F0]] + %[[RC0]]]
// CHECK: affine.load %[[W]][%[[RY0]] + 1, %[[RX0]] + 1, %[[RC0]], %[[F0]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N0]], %[[Y0]], %[[X0]], %[[F0]]]
// CHECK-COUNT-3: kl.block "conv_border
// CHECK: kl.block "conv" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[Y:.*]]: spatial 2, %[[XX:.*]]: spatial 2, %[[F:.*]]: spatial 8, %[[RC:.*]]: reduce 1, %[[RY:.*]]: reduce 3, %[[RX:.*]]: reduce 3)
// CHECK: affine.load %[[X]][%[[N]], %[[Y]] + %[[RY]], %[[XX]] + %[[RX]], %[[F]] + %[[RC]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N]], %[[Y]] + 1, %[[XX]] + 1, %[[F]]]
// CHECK-COUNT-4: kl.block "conv_border
// CHECK-NOT: kl.block
func.func private @task_nhwc_depthwise(%x: tensor<1x4x4x8xf32>, %w: tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32>
  return %c : tensor<1x4x4x8xf32>
}

// -----

// With an elementwise epilogue (MobileNetV2's ReLU6), each region's block writes a scratch tile
// of the region's shape at its iter vars, and a block right after it clips that tile into the
// output: no separate pass over the whole output, and each epilogue has one producer the
// schedule can fuse it with.
// CHECK-LABEL: func.func @task_nhwc_depthwise_clip_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x4x4x8xf32>, %[[W:.*]]: memref<3x3x1x8xf32>, %[[OUT:.*]]: memref<1x4x4x8xf32>)
// CHECK: kl.block "conv_border" {{.*}} iter_vars(%[[N0:.*]]: spatial 1, %[[Y0:.*]]: spatial 1, %[[X0:.*]]: spatial 1, %[[F0:.*]]: spatial 8, {{.*}}: reduce 1, {{.*}}: reduce 2, {{.*}}: reduce 2)
// CHECK: affine.store %{{.*}}, %[[T0:.*]][%[[N0]], %[[Y0]], %[[X0]], %[[F0]]] : memref<1x1x1x8xf32>
// CHECK: kl.block "conv_border_epilogue" {{.*}} iter_vars(%[[N1:.*]]: spatial 1, %[[Y1:.*]]: spatial 1, %[[X1:.*]]: spatial 1, %[[F1:.*]]: spatial 8)
// CHECK: %[[V:.*]] = affine.load %[[T0]][%[[N1]], %[[Y1]], %[[X1]], %[[F1]]]
// CHECK: arith.cmpf olt, %[[V]]
// CHECK: arith.cmpf ogt
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N1]], %[[Y1]], %[[X1]], %[[F1]]]
// CHECK: kl.block "conv" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[Y:.*]]: spatial 2, %[[XX:.*]]: spatial 2, %[[F:.*]]: spatial 8, {{.*}}: reduce 1, {{.*}}: reduce 3, {{.*}}: reduce 3)
// CHECK: affine.store %{{.*}}, %{{.*}}[%[[N]], %[[Y]], %[[XX]], %[[F]]] : memref<1x2x2x8xf32>
// CHECK: kl.block "conv_epilogue" {{.*}} iter_vars(%[[N2:.*]]: spatial 1, %[[Y2:.*]]: spatial 2, %[[X2:.*]]: spatial 2, %[[F2:.*]]: spatial 8)
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N2]], %[[Y2]] + 1, %[[X2]] + 1, %[[F2]]]
// CHECK-NOT: kl.block "clip"
// The default schedule runs each region's epilogue in the region's parallel loop, on the tile
// just computed.
// SCHED-LABEL: func.func @task_nhwc_depthwise_clip_kernel
// SCHED: kl.for %[[P:.*]] : "conv.n+conv.y" in 2 parallel {
// SCHED-NOT: parallel
// SCHED: kl.block "conv_epilogue" [%[[P]],
func.func private @task_nhwc_depthwise_clip(%x: tensor<1x4x4x8xf32>, %w: tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 8 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x4x8xf32>, tensor<3x3x1x8xf32>) -> tensor<1x4x4x8xf32>
  %r = kg.clip %c {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : (tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
  return %r : tensor<1x4x4x8xf32>
}

// -----

// From 64 channels on, the default schedule runs all nine regions (and their epilogues) as one
// parallel loop over 16-channel slices: one fork-join instead of nine. Each region's taps run
// per pixel inside the slice, its epilogue right after each pixel.
// SCHED-LABEL: func.func @task_nhwc_depthwise_slices_kernel
// SCHED: kl.for %[[S:.*]] : "conv_border.f.0" in 4 parallel {
// SCHED-NOT: parallel
// SCHED: kl.block "conv_border" [%[[S]],
// SCHED: kl.block "conv_border_epilogue" [%[[S]],
// SCHED: kl.block "conv" [%[[S]],
// SCHED: kl.block "conv_epilogue" [%[[S]],
// SCHED-NOT: parallel
// SCHED: return
func.func private @task_nhwc_depthwise_slices(%x: tensor<1x6x6x64xf32>, %w: tensor<3x3x1x64xf32>) -> tensor<1x6x6x64xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 64 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x6x6x64xf32>, tensor<3x3x1x64xf32>) -> tensor<1x6x6x64xf32>
  %r = kg.clip %c {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : (tensor<1x6x6x64xf32>) -> tensor<1x6x6x64xf32>
  return %r : tensor<1x6x6x64xf32>
}

// -----

// A channels-last max pool pads H and W with -inf and runs n, y, x, c over the taps: the
// channel is the innermost spatial axis, contiguous in memory.
// CHECK-LABEL: func.func @task_nhwc_max_pool_kernel
// CHECK: %[[PAD:.*]] = memref.alloc() : memref<1x7x7x8xf32>
// CHECK: kl.block "max_pool" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[Y:.*]]: spatial 3, %[[XX:.*]]: spatial 3, %[[C:.*]]: spatial 8, %[[RY:.*]]: reduce 3, %[[RX:.*]]: reduce 3)
// CHECK: affine.load %[[PAD]][%[[N]], %[[Y]] * 2 + %[[RY]], %[[XX]] * 2 + %[[RX]], %[[C]]]
func.func private @task_nhwc_max_pool(%x: tensor<1x5x5x8xf32>) -> tensor<1x3x3x8xf32> attributes {kiln.task} {
  %p = kg.max_pool %x {channels_last, ceil_mode = false, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x5x5x8xf32>) -> tensor<1x3x3x8xf32>
  return %p : tensor<1x3x3x8xf32>
}

// -----

// A channels-last transposed conv (stride 2, kernel 4, pad 1) computes each output phase as
// a stride-1 conv of the input padded once (one row before, one after) with its own flipped
// taps: even outputs take the odd taps, odd outputs the even ones. With stride 2 the phase's
// first tap (3 - p) and input offset (+ p) are affine in it, so the phases are one spatial
// axis p of a single block, written at q * 2 + p.
// CHECK-LABEL: func.func @task_deconv_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x5x4xf32>, %[[W:.*]]: memref<4x4x8xf32>, %[[OUT:.*]]: memref<1x10x8xf32>)
// CHECK: %[[PAD:.*]] = memref.alloc() : memref<1x7x4xf32>
// CHECK: kl.block "conv_transpose" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[Q:.*]]: spatial 5, %[[P:.*]]: spatial 2, %[[F:.*]]: spatial 8, %[[RC:.*]]: reduce 4, %[[R:.*]]: reduce 2)
// CHECK: affine.load %[[PAD]][%[[N]], %[[Q]] + %[[R]] + %[[P]], %[[RC]]]
// CHECK: affine.load %[[W]][%[[R]] * -2 - %[[P]] + 3, %[[RC]], %[[F]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[N]], %[[Q]] * 2 + %[[P]], %[[F]]]
// CHECK-NOT: kl.block "conv_transpose
func.func private @task_deconv(%x: tensor<1x5x4xf32>, %w: tensor<4x4x8xf32>) -> tensor<1x10x8xf32> attributes {kiln.task} {
  %c = kg.conv_transpose %x, %w {channels_last, dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<1x5x4xf32>, tensor<4x4x8xf32>) -> tensor<1x10x8xf32>
  return %c : tensor<1x10x8xf32>
}

// -----

// A kernel shorter than the stride leaves a phase no tap reaches: it is the bias alone.
// CHECK-LABEL: func.func @task_deconv_sparse_kernel
// CHECK: kl.block "conv_transpose_p0" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 8, {{.*}}: reduce 4, {{.*}}: reduce 1)
// CHECK: kl.block "conv_transpose_p1" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 8, {{.*}}: reduce 4, {{.*}}: reduce 1)
// CHECK: kl.block "conv_transpose_p2" {{.*}} iter_vars({{.*}}: spatial 1, {{.*}}: spatial 2, {{.*}}: spatial 8) {
// CHECK-NEXT: affine.load %arg2
// CHECK-NEXT: affine.store %{{.*}}, %arg3[%{{.*}}, %{{.*}} * 3 + 2, %{{.*}}]
func.func private @task_deconv_sparse(%x: tensor<1x2x4xf32>, %w: tensor<2x4x8xf32>, %b: tensor<8xf32>) -> tensor<1x6x8xf32> attributes {kiln.task} {
  %c = kg.conv_transpose %x, %w, %b {channels_last, dilations = array<i64: 1>, group = 1 : i64, pads = array<i64: 0, -1>, strides = array<i64: 3>} : (tensor<1x2x4xf32>, tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<1x6x8xf32>
  return %c : tensor<1x6x8xf32>
}
