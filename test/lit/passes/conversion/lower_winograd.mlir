// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// F(2x2, 3x3) on a 6x5 output, 3 x 3 tiles: the input transform reads the input itself, the
// tiles whose 4x4 patch crosses the padded border in blocks of their own that leave the padding
// out (8 edge blocks around the one interior tile). 16 GEMMs reduce the transformed tiles over
// the 16 channels, and the output transform writes 2x2 per tile, bias added. The last tile
// column holds one output column: its own block stores 2 values a tile.
// CHECK-LABEL: func.func @task_winograd_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x6x5x16xf32>, %[[U:.*]]: memref<4x4x16x8xf32>, %[[B:.*]]: memref<8xf32>, %[[OUT:.*]]: memref<1x6x5x8xf32>)
// CHECK-DAG: %[[M:.*]] = memref.alloc() : memref<4x4x1x3x3x8xf32>
// CHECK-DAG: %[[V:.*]] = memref.alloc() : memref<4x4x1x3x3x16xf32>
// CHECK-NOT: memref.alloc
// CHECK: kl.block "winograd_input_edge" {{.*}} iter_vars(%[[EN:.*]]: spatial 1, %[[ETY:.*]]: spatial 1, %[[ETX:.*]]: spatial 1, %[[EC:.*]]: spatial 16)
// CHECK: affine.load %[[X]][%[[EN]], %[[ETY]] * 2, %[[ETX]] * 2, %[[EC]]]
// CHECK-COUNT-8: affine.load %[[X]]
// CHECK-NOT: affine.load
// CHECK: affine.store %{{.*}}, %[[V]][0, 0, %[[EN]], %[[ETY]], %[[ETX]], %[[EC]]]
// CHECK-COUNT-3: kl.block "winograd_input_edge
// CHECK: kl.block "winograd_input" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[TY:.*]]: spatial 1, %[[TX:.*]]: spatial 1, %[[C:.*]]: spatial 16)
// CHECK: affine.load %[[X]][%[[N]], (%[[TY]] + 1) * 2 - 1, (%[[TX]] + 1) * 2 - 1, %[[C]]]
// CHECK-COUNT-15: affine.load %[[X]]
// CHECK-NOT: arith.mulf
// CHECK: affine.store %{{.*}}, %[[V]][0, 0, %[[N]], %[[TY]] + 1, %[[TX]] + 1, %[[C]]]
// CHECK-COUNT-14: affine.store %{{.*}}, %[[V]]
// CHECK: affine.store %{{.*}}, %[[V]][3, 3, %[[N]], %[[TY]] + 1, %[[TX]] + 1, %[[C]]]
// CHECK-COUNT-4: kl.block "winograd_input_edge
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

// -----

// The task's epilogue (a residual add, then relu) runs in the output transform, on each value
// before its one store to the task's output: no block of its own, no intermediate buffer.
// CHECK-LABEL: func.func @task_epilogue_kernel
// CHECK-SAME: (%[[X:.*]]: memref<1x4x4x16xf32>, %[[U:.*]]: memref<6x6x16x16xf32>, %[[SKIP:.*]]: memref<1x4x4x16xf32>, %[[OUT:.*]]: memref<1x4x4x16xf32>)
// CHECK-COUNT-2: memref.alloc()
// CHECK-NOT: memref.alloc()
// CHECK: kl.block "winograd_output" {{.*}} iter_vars(%[[N:.*]]: spatial 1, %[[TY:.*]]: spatial 1, %[[TX:.*]]: spatial 1, %[[F:.*]]: spatial 16)
// CHECK: %[[S:.*]] = affine.load %[[SKIP]][0, %[[TY]] * 4, %[[TX]] * 4, %[[F]]]
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[S]]
// CHECK: %[[POSITIVE:.*]] = arith.cmpf oge, %[[SUM]]
// CHECK: %[[R:.*]] = arith.select %[[POSITIVE]], %[[SUM]]
// CHECK: affine.store %[[R]], %[[OUT]][%[[N]], %[[TY]] * 4, %[[TX]] * 4, %[[F]]]
// CHECK-COUNT-15: affine.store %{{.*}}, %[[OUT]]
// CHECK-NOT: kl.block
// CHECK: return
func.func private @task_epilogue(%x: tensor<1x4x4x16xf32>, %u: tensor<6x6x16x16xf32>, %skip: tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32> attributes {kiln.task} {
  %c = kg.winograd_conv %x, %u {pads = array<i64: 1, 1, 1, 1>, tile = 4 : i64} : (tensor<1x4x4x16xf32>, tensor<6x6x16x16xf32>) -> tensor<1x4x4x16xf32>
  %a = kg.add %c, %skip : (tensor<1x4x4x16xf32>, tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %r = kg.relu %a : tensor<1x4x4x16xf32>
  return %r : tensor<1x4x4x16xf32>
}
