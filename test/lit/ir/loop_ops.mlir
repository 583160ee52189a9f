// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// RUN: kiln-opt %s --mlir-print-op-generic | kiln-opt | FileCheck %s

// Custom syntax round trip: loop kinds, bindings, iter var kinds, init region, extra
// attributes (after the `attributes` keyword, so they cannot be confused with a region).

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x3xf32>, %[[C:.*]]: memref<4x3xf32>)
// CHECK: kl.for %[[I:.*]] : "mm.i" in 4 parallel {
// CHECK-NEXT: kl.for %[[J:.*]] : "mm.j" in 3 vectorized {
// CHECK-NEXT: kl.for %[[K:.*]] : "mm.k" in 8 {
// CHECK-NEXT: kl.block "mm" [%[[I]], %[[J]], %[[K]]] #{{.*}} iter_vars(%[[VI:.*]]: spatial 4, %[[VJ:.*]]: spatial 3, %[[VK:.*]]: reduce 8) init {
// CHECK-NEXT: ^bb0(%[[X:.*]]: index, %[[Y:.*]]: index, %{{.*}}: index):
// CHECK-NEXT: %[[Z:.*]] = arith.constant
// CHECK-NEXT: affine.store %[[Z]], %[[C]][%[[X]], %[[Y]]]
// CHECK-NEXT: } {
// CHECK-NEXT: affine.load %[[A]][%[[VI]], %[[VK]]]
func.func @matmul(%A: memref<4x8xf32>, %B: memref<8x3xf32>, %C: memref<4x3xf32>) attributes {kiln.kernel} {
  kl.for %i : "mm.i" in 4 parallel {
    kl.for %j : "mm.j" in 3 vectorized {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 4, %vj: spatial 3, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<4x3xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<4x8xf32>
          %y = affine.load %B[%vk, %vj] : memref<8x3xf32>
          %acc = affine.load %C[%vi, %vj] : memref<4x3xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %C[%vi, %vj] : memref<4x3xf32>
        }
      }
    }
  }
  return
}

// A split binding, an unrolled loop, discardable attributes on both ops.
// CHECK-LABEL: func.func @tiled
// CHECK: kl.for %[[O:.*]] : "ew.i.0" in 2 unrolled attributes {note = "outer"} {
// CHECK-NEXT: kl.for %[[N:.*]] : "ew.i.1" in 5 {
// CHECK-NEXT: kl.block "ew" [%[[O]], %[[N]]] #{{.*}} iter_vars(%{{.*}}: spatial 9) attributes {tag = 1 : i64} {
func.func @tiled(%A: memref<9xf32>, %out: memref<9xf32>) attributes {kiln.kernel} {
  kl.for %o : "ew.i.0" in 2 unrolled attributes {note = "outer"} {
    kl.for %n : "ew.i.1" in 5 {
      kl.block "ew" [%o, %n] affine_map<(d0, d1) -> (d0 * 5 + d1)> iter_vars(%vi: spatial 9) attributes {tag = 1} {
        %x = affine.load %A[%vi] : memref<9xf32>
        affine.store %x, %out[%vi] : memref<9xf32>
      }
    }
  }
  return
}

// A block without iter vars (a scalar computation) and a block whose bindings ignore a loop.
// CHECK-LABEL: func.func @scalar
// CHECK: kl.block "s" [] #{{.*}} iter_vars() {
// CHECK: kl.for %{{.*}} : "r.i" in 3 {
// CHECK-NEXT: kl.block "r" [] #{{.*}} iter_vars(%{{.*}}: spatial 1) {
func.func @scalar(%A: memref<f32>, %out: memref<1xf32>) attributes {kiln.kernel} {
  kl.block "s" [] affine_map<() -> ()> iter_vars() {
    %x = affine.load %A[] : memref<f32>
    affine.store %x, %A[] : memref<f32>
  }
  kl.for %i : "r.i" in 3 {
    kl.block "r" [] affine_map<() -> (0)> iter_vars(%v: spatial 1) {
      %x = affine.load %A[] : memref<f32>
      affine.store %x, %out[%v] : memref<1xf32>
    }
  }
  return
}
