// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// B's 16x16 panel for one k-tile and j-tile is packed at the start of mm.k.0, the copy's
// innermost loop vectorized; the matmul reads the panel at (index - start) mod 16.
// CHECK-LABEL: func.func @pack_b
// CHECK-SAME: %[[B:[^:]*]]: memref<64x32xf32>
// CHECK: kl.for %[[J0:.*]] : "mm.j.0" in 2 {
// CHECK-NEXT: kl.for %[[K0:.*]] : "mm.k.0" in 4 {
// CHECK-NEXT: %[[P:.*]] = memref.alloc() : memref<16x16xf32>
// CHECK-NEXT: kl.for %[[A0:.*]] : "mm.pack1.ax0" in 16 {
// CHECK-NEXT: kl.for %[[A1:.*]] : "mm.pack1.ax1" in 16 vectorized {
// CHECK-NEXT: kl.block "mm.pack1" [%[[J0]], %[[K0]], %[[A0]], %[[A1]]] affine_map<(d0, d1, d2, d3) -> (d1 * 16 + d2, d0 * 16 + d3)> iter_vars(%[[V0:.*]]: spatial 64, %[[V1:.*]]: spatial 32) {
// CHECK-NEXT: %[[X:.*]] = affine.load %[[B]][%[[V0]], %[[V1]]]
// CHECK-NEXT: affine.store %[[X]], %[[P]][%[[V0]] mod 16, %[[V1]] mod 16]
// CHECK: kl.for %{{.*}} : "mm.i" in 16 {
// CHECK: kl.for %{{.*}} : "mm.j.1" in 16 vectorized {
// CHECK: kl.block "mm" {{.*}} iter_vars(%{{.*}}: spatial 16, %[[VJ:.*]]: spatial 32, %[[VK:.*]]: reduce 64)
// CHECK: affine.load %[[P]][%[[VK]] mod 16, %[[VJ]] mod 16]
func.func @pack_b(%A: memref<16x64xf32>, %B: memref<64x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.j"], ints = [2, 16]}, {primitive = "split", names = ["mm.k"], ints = [4, 16]}, {primitive = "reorder", names = ["mm.j.0", "mm.k.0", "mm.i", "mm.k.1", "mm.j.1"]}, {primitive = "cache_read", names = ["mm", "mm.k.0"], ints = [1]}, {primitive = "vectorize", names = ["mm.pack1.ax1"]}, {primitive = "vectorize", names = ["mm.j.1"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 64 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 64) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x64xf32>
          %y = affine.load %B[%vk, %vj] : memref<64x32xf32>
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

// A row of A per i (a 1-wide region folds `mod 1` to 0); the k dim is copied whole.
// CHECK-LABEL: func.func @pack_a_row
// CHECK: kl.for %[[I:.*]] : "mm.i" in 16 {
// CHECK-NEXT: %[[P:.*]] = memref.alloc() : memref<1x8xf32>
// CHECK: kl.block "mm.pack0" [%[[I]], %{{.*}}, %{{.*}}] affine_map<(d0, d1, d2) -> (d0 + d1, d2)>
// CHECK-SAME: iter_vars(%{{.*}}: spatial 16, %[[V1:.*]]: spatial 8)
// CHECK: affine.store %{{.*}}, %[[P]][0, %[[V1]]]
// CHECK: kl.block "mm" {{.*}} iter_vars(%{{.*}}: spatial 16, %{{.*}}: spatial 32, %[[VK:.*]]: reduce 8)
// CHECK: affine.load %[[P]][0, %[[VK]]]
func.func @pack_a_row(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_read", names = ["mm", "mm.i"], ints = [0]}]} {
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

// The accumulator is read and written: its reads cannot come from a copy.
// expected-error @+1 {{step 0 (cache_read): cannot cache read 2 of block 'mm' at loop 'mm.i': the block writes the buffer}}
func.func @read_written(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_read", names = ["mm", "mm.i"], ints = [2]}]} {
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

// The producer of T runs inside the loop: a copy at the loop's start would miss its writes.
// expected-error @+1 {{step 0 (cache_read): cannot cache read 0 of block 'use' at loop 'i': block 'def' writes the buffer inside the loop}}
func.func @written_in_loop(%X: memref<8xf32>, %Y: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_read", names = ["use", "i"], ints = [0]}]} {
  %T = memref.alloc() : memref<8xf32>
  kl.for %i : "i" in 8 {
    kl.block "def" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 8) {
      %x = affine.load %X[%v] : memref<8xf32>
      affine.store %x, %T[%v] : memref<8xf32>
    }
    kl.block "use" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 8) {
      %t = affine.load %T[%v] : memref<8xf32>
      affine.store %t, %Y[%v] : memref<8xf32>
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (cache_read): cannot cache read 3 of block 'copy' at loop 'i': the block reads 1 buffer(s)}}
func.func @bad_index(%X: memref<8xf32>, %Y: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "cache_read", names = ["copy", "i"], ints = [3]}]} {
  kl.for %i : "i" in 8 {
    kl.block "copy" [%i] affine_map<(d0) -> (d0)> iter_vars(%v: spatial 8) {
      %x = affine.load %X[%v] : memref<8xf32>
      affine.store %x, %Y[%v] : memref<8xf32>
    }
  }
  return
}
