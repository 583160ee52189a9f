// RUN: kiln-opt %s --kiln-lower-graph-to-loop | FileCheck %s

// F(2x2, 3x3) on a 6x5 output: the input is padded to whole tiles (3 x 3 tiles read an 8x8
// copy), transformed per tile and channel into V (4x4 per tile: 16 stores of one block), then
// 16 GEMMs reduce over the 16 channels, and the output transform writes 2x2 per tile, bias
// added. The last tile column holds one output column: its own block stores 2 values a tile.
// CHECK-LABEL: func.func @task_winograd_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x6x5x16xf32>, %[[U:.*]]: memref<4x4x16x8xf32>, %[[B:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<1x6x5x8xf32>)
// CHECK-DAG: %[[M:.*]] = memref.alloc() : memref<4x4x1x3x3x8xf32>
// CHECK-DAG: %[[V:.*]] = memref.alloc() : memref<4x4x1x3x3x16xf32>
// CHECK-DAG: %[[PAD:.*]] = memref.alloc() : memref<1x8x8x16xf32>
// CHECK: kl.block "pad_copy"
// CHECK: kl.block "winograd_input" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[TY:.*]]: spatial 3, %[[TX:.*]]: spatial 3, %[[C:.*]]: spatial 16)
// CHECK: affine.load %[[PAD]][%[[N]], %[[TY]] * 2, %[[TX]] * 2, %[[C]]]
// CHECK: affine.load %[[PAD]][%[[N]], %[[TY]] * 2 + 3, %[[TX]] * 2 + 3, %[[C]]]
// CHECK-NOT: arith.mulf
// CHECK: affine.store %{{.*}}, %[[V]][0, 0, %[[N]], %[[TY]], %[[TX]], %[[C]]]
// CHECK-COUNT-14: affine.store %{{.*}}, %[[V]]
// CHECK: affine.store %{{.*}}, %[[V]][3, 3, %[[N]], %[[TY]], %[[TX]], %[[C]]]
// CHECK: kl.block "winograd_gemm" {{.*}} iter_vars(%[[XI:.*]]: spatial 4, %[[NU:.*]]: spatial 4, %[[GN:.*]]: spatial 1, %[[GY:.*]]: spatial 3, %[[GX:.*]]: spatial 3, %[[F:.*]]: spatial 8, %[[RC:.*]]: reduce 16)
// CHECK: affine.load %[[V]][%[[XI]], %[[NU]], %[[GN]], %[[GY]], %[[GX]], %[[RC]]]
// CHECK: affine.load %[[U]][%[[XI]], %[[NU]], %[[RC]], %[[F]]]
// CHECK: affine.store %{{.*}}, %[[M]][%[[XI]], %[[NU]], %[[GN]], %[[GY]], %[[GX]], %[[F]]]
// CHECK: kl.block "winograd_output" {{.*}} iter_vars(%[[ON:.*]]: spatial 1, %[[OY:.*]]: spatial 3, %[[OX:.*]]: spatial 2, %[[OF:.*]]: spatial 8)
// CHECK: affine.load %[[M]][3, 3, %[[ON]], %[[OY]], %[[OX]], %[[OF]]]
// CHECK: affine.load %[[B]][%[[OF]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[ON]], %[[OY]] * 2, %[[OX]] * 2, %[[OF]]]
// CHECK-COUNT-2: affine.store %{{.*}}, %[[OUT]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[ON]], %[[OY]] * 2 + 1, %[[OX]] * 2 + 1, %[[OF]]]
// CHECK: kl.block "winograd_output_edge" {{.*}} iter_vars(%[[EN:.*]]: spatial 1, %[[EY:.*]]: spatial 3, %[[EX:.*]]: spatial 1, %[[EF:.*]]: spatial 8)
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[EN]], %[[EY]] * 2, (%[[EX]] + 2) * 2, %[[EF]]]
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[EN]], %[[EY]] * 2 + 1, (%[[EX]] + 2) * 2, %[[EF]]]
// CHECK-NOT: affine.store
// CHECK: return
func.func private @task_winograd(%x: tensor<1x6x5x16xf32>, %u: tensor<4x4x16x8xf32>, %b: tensor<8xf32>) -> tensor<1x6x5x8xf32> attributes {kiln.task} {
  %c = kg.winograd_conv %x, %u, %b {pads = array<i64: 1, 1, 1, 1>, tile = 2 : i64} : (tensor<1x6x5x16xf32>, tensor<4x4x16x8xf32>, tensor<8xf32>) -> tensor<1x6x5x8xf32>
  return %c : tensor<1x6x5x8xf32>
}
