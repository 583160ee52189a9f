// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// scatter_nd is a pull reduction: spatial over the data, reduce over the index tuples; the init
// copies the data and every store goes to the block's own position (no computed-index store).
// CHECK-LABEL: func.func @task_scatter_nd_kernel
// CHECK-SAME: (%[[D:.*]]: memref<4x4xf32>, %[[I:.*]]: memref<2x1xi64>, %[[U:.*]]: memref<2x4xf32>, %[[OUT:.*]]: memref<4x4xf32>)
// CHECK: kl.block "scatter_nd" {{.*}} iter_vars(%[[P0:.*]]: spatial 4, %[[P1:.*]]: spatial 4, %[[R:.*]]: reduce 2) init
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[P0]], %[[P1]]]
// CHECK: memref.load %[[I]][%[[R]], %{{.*}}]
// CHECK: arith.addf
// CHECK: arith.select
// CHECK-NOT: memref.store
// CHECK: affine.store %{{.*}}, %[[OUT]][%[[P0]], %[[P1]]]
func.func private @task_scatter_nd(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) -> tensor<4x4xf32> attributes {kiln.task} {
  %r = kg.scatter_nd %d, %i, %u {reduction = "add"} : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %r : tensor<4x4xf32>
}

// -----

// top_k_indices: a rank count over the axis, then a pick of the position holding each rank.
// CHECK-LABEL: func.func @task_top_k_kernel
// CHECK: %[[RANKS:.*]] = memref.alloc() : memref<3x4xi64>
// CHECK: kl.block "top_k_rank" {{.*}} iter_vars({{.*}}: spatial 3, {{.*}}: spatial 4, {{.*}}: reduce 4)
// CHECK: arith.cmpf ogt
// CHECK: kl.block "top_k_pick" {{.*}} iter_vars({{.*}}: spatial 3, {{.*}}: spatial 2, {{.*}}: reduce 4)
// CHECK: affine.load %[[RANKS]]
func.func private @task_top_k(%x: tensor<3x4xf32>) -> tensor<3x2xi64> attributes {kiln.task} {
  %r = kg.top_k_indices %x {k = 2 : i64, axis = 1 : i64, largest = true} : (tensor<3x4xf32>) -> tensor<3x2xi64>
  return %r : tensor<3x2xi64>
}
