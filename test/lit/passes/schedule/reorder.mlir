// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// The named loops trade places; mm.j between them stays. Bindings follow the loops.
// CHECK-LABEL: func.func @reorder_outer_inner
// CHECK: kl.for %[[K:.*]] : "mm.k" in 8 {
// CHECK: kl.for %[[J:.*]] : "mm.j" in 32 {
// CHECK: kl.for %[[I:.*]] : "mm.i" in 16 {
// CHECK: kl.block "mm" [%[[K]], %[[J]], %[[I]]] affine_map<(d0, d1, d2) -> (d2, d1, d0)>
func.func @reorder_outer_inner(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reorder", names = ["mm.k", "mm.i"]}]} {
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

// Tile both spatial loops and order them spatial-outer, reduce, spatial-inner.
// CHECK-LABEL: func.func @reorder_tiles
// CHECK: "mm.i.0" in 4 {
// CHECK-NEXT: "mm.j.0" in 4 {
// CHECK-NEXT: "mm.k" in 8 {
// CHECK-NEXT: "mm.i.1" in 4 {
// CHECK-NEXT: "mm.j.1" in 8 {
// CHECK-NEXT: kl.block "mm" {{.*}} affine_map<(d0, d1, d2, d3, d4) -> (d0 * 4 + d3, d1 * 8 + d4, d2)>
func.func @reorder_tiles(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.i"], ints = [-1, 4]}, {primitive = "split", names = ["mm.j"], ints = [-1, 8]}, {primitive = "reorder", names = ["mm.i.0", "mm.j.0", "mm.k", "mm.i.1", "mm.j.1"]}]} {
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

// expected-error @+1 {{step 1 (reorder): cannot reorder: loop 'mm.j' is not the only op in loop 'mm.i'}}
func.func @reorder_imperfect(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.j"]}, {primitive = "reorder", names = ["mm.k", "mm.i"]}]} {
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

// expected-error @+1 {{step 0 (reorder): cannot reorder: loops 'b.i' and 'a.i' are not nested in one another}}
func.func @reorder_siblings(%A: memref<8xf32>, %out: memref<8xf32>, %out2: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reorder", names = ["a.i", "b.i"]}]} {
  kl.for %i : "a.i" in 8 {
    kl.block "a" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %A[%vi] : memref<8xf32>
      affine.store %x, %out[%vi] : memref<8xf32>
    }
  }
  kl.for %i : "b.i" in 8 {
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %A[%vi] : memref<8xf32>
      affine.store %x, %out2[%vi] : memref<8xf32>
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (reorder): reorder names loop 'ew.i' twice}}
func.func @reorder_twice(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reorder", names = ["ew.i", "ew.i"]}]} {
  kl.for %i : "ew.i" in 8 {
    kl.for %j : "ew.j" in 16 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 16) {
        %x = affine.load %A[%vi, %vj] : memref<8x16xf32>
        affine.store %x, %out[%vi, %vj] : memref<8x16xf32>
      }
    }
  }
  return
}
