// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// The reduction accumulates in a new buffer that is copied out after its nest.
// CHECK-LABEL: func.func @cache_matmul
// CHECK-SAME: %[[C:[^:]*]]: memref<16x32xf32>)
// CHECK: %[[CACHE:.*]] = memref.alloc() : memref<16x32xf32>
// CHECK: kl.block "mm"
// CHECK: affine.store %{{.*}}, %[[CACHE]]
// CHECK: } {
// CHECK: affine.load %[[CACHE]]
// CHECK: affine.store %{{.*}}, %[[CACHE]]
// CHECK: kl.for %[[A0:.*]] : "mm.write_back.ax0" in 16 {
// CHECK-NEXT: kl.for %[[A1:.*]] : "mm.write_back.ax1" in 32 {
// CHECK-NEXT: kl.block "mm.write_back" [%[[A0]], %[[A1]]] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%[[V0:.*]]: spatial 16, %[[V1:.*]]: spatial 32) {
// CHECK-NEXT: %[[X:.*]] = affine.load %[[CACHE]][%[[V0]], %[[V1]]]
// CHECK-NEXT: affine.store %[[X]], %[[C]][%[[V0]], %[[V1]]]
func.func @cache_matmul(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_write", names = ["mm"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x8xf32>
          %y = affine.load %B[%vk, %vj] : memref<8x32xf32>
          %acc = affine.load %C[%vi, %vj] : memref<16x32xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %C[%vi, %vj] : memref<16x32xf32>
        }
      }
    }
  }
  return
}

// -----

// Cache, then copy back tile by tile: reverse_compute_at works on the write-back block.
// CHECK-LABEL: func.func @cache_then_tile
// CHECK: kl.for %[[I:.*]] : "mm.i" in 16 {
// CHECK: kl.block "mm"
// CHECK: kl.for %{{.*}} : "mm.write_back.ax0" in 1 {
// CHECK-NEXT: kl.for %{{.*}} : "mm.write_back.ax1" in 32 {
func.func @cache_then_tile(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_write", names = ["mm"]}, {primitive = "reverse_compute_at", names = ["mm.write_back", "mm.i"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x8xf32>
          %y = affine.load %B[%vk, %vj] : memref<8x32xf32>
          %acc = affine.load %C[%vi, %vj] : memref<16x32xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %C[%vi, %vj] : memref<16x32xf32>
        }
      }
    }
  }
  return
}

// -----

// After decompose_reduction the init block writes the buffer too.
// expected-error @+1 {{step 1 (cache_write): cannot cache the writes of block 'mm': it is not the only writer of its buffer}}
func.func @cache_two_writers(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.k"]}, {primitive = "cache_write", names = ["mm"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x8xf32>
          %y = affine.load %B[%vk, %vj] : memref<8x32xf32>
          %acc = affine.load %C[%vi, %vj] : memref<16x32xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %C[%vi, %vj] : memref<16x32xf32>
        }
      }
    }
  }
  return
}

// -----

// An in-place update reads the old contents, which the new buffer would not have.
// expected-error @+1 {{step 0 (cache_write): cannot cache the writes of block 'inc': it reads its buffer before writing it, or at another index}}
func.func @cache_in_place(%X: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_write", names = ["inc"]}]} {
  kl.for %i : "inc.i" in 8 {
    kl.block "inc" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %X[%vi] : memref<8xf32>
      %y = arith.addf %x, %x fastmath<fast> : f32
      affine.store %y, %X[%vi] : memref<8xf32>
    }
  }
  return
}
