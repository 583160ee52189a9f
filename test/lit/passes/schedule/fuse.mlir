// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// Two spatial loops become one over 8 * 16 iterations.
// CHECK-LABEL: func.func @fuse_two
// CHECK: kl.for %[[F:.*]] : "ew.i+ew.j" in 128 {
// CHECK-NEXT: kl.block "ew" [%[[F]]] affine_map<(d0) -> (d0 floordiv 16, d0 mod 16)>
func.func @fuse_two(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse", names = ["ew.i", "ew.j"]}]} {
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

// -----

// Split then fuse the outer parts: the tile loop j.1 stays innermost.
// CHECK-LABEL: func.func @fuse_outer_tiles
// CHECK: kl.for %[[F:.*]] : "ew.i+ew.j.0" in 32 {
// CHECK: kl.for %[[J1:.*]] : "ew.j.1" in 4 {
// CHECK: kl.block "ew" [%[[F]], %[[J1]]] affine_map<(d0, d1) -> (d0 floordiv 4, (d0 mod 4) * 4 + d1)>
func.func @fuse_outer_tiles(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}, {primitive = "fuse", names = ["ew.i", "ew.j.0"]}]} {
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

// -----

// Reduce loops fuse with reduce loops.
// CHECK-LABEL: func.func @fuse_reduce_loops
// CHECK: kl.for %[[R:.*]] : "red.j+red.k" in 12 {
// CHECK: iter_vars(%{{.*}}: spatial 4, %{{.*}}: reduce 3, %{{.*}}: reduce 4)
func.func @fuse_reduce_loops(%A: memref<4x3x4xf32>, %out: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse", names = ["red.j", "red.k"]}]} {
  kl.for %i : "red.i" in 4 {
    kl.for %j : "red.j" in 3 {
      kl.for %k : "red.k" in 4 {
        kl.block "red" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 4, %vj: reduce 3, %vk: reduce 4) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %out[%a] : memref<4xf32>
        } {
          %x = affine.load %A[%vi, %vj, %vk] : memref<4x3x4xf32>
          %acc = affine.load %out[%vi] : memref<4xf32>
          %s = arith.addf %acc, %x fastmath<fast> : f32
          affine.store %s, %out[%vi] : memref<4xf32>
        }
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (fuse): cannot fuse loop 'mm.k': reduce loops fuse only with reduce loops}}
func.func @fuse_spatial_with_reduce(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse", names = ["mm.j", "mm.k"]}]} {
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

// After decompose_reduction at mm.j the init nest sits next to mm.j inside mm.i: mm.i no
// longer holds a single loop.
// expected-error @+1 {{step 1 (fuse): cannot fuse: loop 'mm.j' is not the only op in loop 'mm.i'}}
func.func @fuse_imperfect(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.j"]}, {primitive = "fuse", names = ["mm.i", "mm.j"]}]} {
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

// expected-error @+1 {{step 0 (fuse): cannot fuse: loop 'ew.i' is not the only op in loop 'ew.j'}}
func.func @fuse_wrong_order(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse", names = ["ew.j", "ew.i"]}]} {
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

// -----

// expected-error @+1 {{step 1 (fuse): cannot fuse loop 'ew.i': it is parallel}}
func.func @fuse_parallel(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "parallel", names = ["ew.i"]}, {primitive = "fuse", names = ["ew.i", "ew.j"]}]} {
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
