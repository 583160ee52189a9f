// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// The relu epilogue runs on each 4x8 tile right after the tile's reduction finishes.
// CHECK-LABEL: func.func @relu_at_tile
// CHECK: %[[T:.*]] = memref.alloc() : memref<16x32xf32>
// CHECK: kl.for %[[F:.*]] : "mm.i.0+mm.j.0" in 16 {
// CHECK: kl.block "mm"
// CHECK: kl.for %[[RI:.*]] : "relu.i" in 4 {
// CHECK-NEXT: kl.for %[[RJ:.*]] : "relu.j" in 8 {
// CHECK-NEXT: kl.block "relu" [%[[F]], %[[RI]], %[[RJ]]] affine_map<(d0, d1, d2) -> ((d0 floordiv 4) * 4 + d1, (d0 mod 4) * 8 + d2)>
// CHECK: affine.load %[[T]]
// CHECK-NOT: kl.for
// CHECK: return
func.func @relu_at_tile(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %out: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.i"], ints = [-1, 4]}, {primitive = "split", names = ["mm.j"], ints = [-1, 8]}, {primitive = "reorder", names = ["mm.i.0", "mm.j.0", "mm.k", "mm.i.1", "mm.j.1"]}, {primitive = "fuse", names = ["mm.i.0", "mm.j.0"]}, {primitive = "reverse_compute_at", names = ["relu", "mm.i.0+mm.j.0"]}]} {
  %t = memref.alloc() : memref<16x32xf32>
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %t[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x8xf32>
          %y = affine.load %B[%vk, %vj] : memref<8x32xf32>
          %acc = affine.load %t[%vi, %vj] : memref<16x32xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %t[%vi, %vj] : memref<16x32xf32>
        }
      }
    }
  }
  kl.for %i : "relu.i" in 16 {
    kl.for %j : "relu.j" in 32 {
      kl.block "relu" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vj: spatial 32) {
        %x = affine.load %t[%vi, %vj] : memref<16x32xf32>
        %z = arith.constant 0.0 : f32
        %r = arith.maximumf %x, %z fastmath<fast> : f32
        affine.store %r, %out[%vi, %vj] : memref<16x32xf32>
      }
    }
  }
  return
}

// -----

// A consumer dim that reads no produced buffer keeps its full range: per row i the scale
// block covers all 12 columns once the row sum is done.
// CHECK-LABEL: func.func @scale_at_row
// CHECK: kl.for %[[I:.*]] : "sum.i" in 5 {
// CHECK: kl.block "sum"
// CHECK: kl.for %[[SI:.*]] : "scale.i" in 1 {
// CHECK-NEXT: kl.for %[[SJ:.*]] : "scale.j" in 12 {
// CHECK-NEXT: kl.block "scale" [%[[I]], %[[SI]], %[[SJ]]] affine_map<(d0, d1, d2) -> (d0 + d1, d2)>
func.func @scale_at_row(%X: memref<5x12xf32>, %Y: memref<5x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reverse_compute_at", names = ["scale", "sum.i"]}]} {
  %s = memref.alloc() : memref<5xf32>
  kl.for %i : "sum.i" in 5 {
    kl.for %j : "sum.j" in 12 {
      kl.block "sum" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: reduce 12) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a] : memref<5xf32>
      } {
        %x = affine.load %X[%vi, %vj] : memref<5x12xf32>
        %acc = affine.load %s[%vi] : memref<5xf32>
        %r = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %r, %s[%vi] : memref<5xf32>
      }
    }
  }
  kl.for %i : "scale.i" in 5 {
    kl.for %j : "scale.j" in 12 {
      kl.block "scale" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: spatial 12) {
        %x = affine.load %X[%vi, %vj] : memref<5x12xf32>
        %t = affine.load %s[%vi] : memref<5xf32>
        %r = arith.mulf %x, %t fastmath<fast> : f32
        affine.store %r, %Y[%vi, %vj] : memref<5x12xf32>
      }
    }
  }
  return
}

// -----

// Inside the reduce loop the sums are still partial.
// expected-error @+1 {{step 0 (reverse_compute_at): cannot reverse-compute block 'scale' at loop 'sum.j': producer block 'sum' is still reducing across iterations of the loop}}
func.func @inside_reduction(%X: memref<5x12xf32>, %Y: memref<5x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reverse_compute_at", names = ["scale", "sum.j"]}]} {
  %s = memref.alloc() : memref<5xf32>
  kl.for %i : "sum.i" in 5 {
    kl.for %j : "sum.j" in 12 {
      kl.block "sum" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: reduce 12) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a] : memref<5xf32>
      } {
        %x = affine.load %X[%vi, %vj] : memref<5x12xf32>
        %acc = affine.load %s[%vi] : memref<5xf32>
        %r = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %r, %s[%vi] : memref<5xf32>
      }
    }
  }
  kl.for %i : "scale.i" in 5 {
    kl.for %j : "scale.j" in 12 {
      kl.block "scale" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: spatial 12) {
        %x = affine.load %X[%vi, %vj] : memref<5x12xf32>
        %t = affine.load %s[%vi] : memref<5xf32>
        %r = arith.mulf %x, %t fastmath<fast> : f32
        affine.store %r, %Y[%vi, %vj] : memref<5x12xf32>
      }
    }
  }
  return
}

// -----

// A shifted read (a[i + 1]) would need the next iteration's element.
// expected-error @+1 {{step 0 (reverse_compute_at): cannot reverse-compute block 'b' at loop 'a.i': the block reads a produced buffer at a non-trivial index}}
func.func @shifted_read(%X: memref<9xf32>, %Y: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reverse_compute_at", names = ["b", "a.i"]}]} {
  %t = memref.alloc() : memref<9xf32>
  kl.for %i : "a.i" in 9 {
    kl.block "a" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 9) {
      %x = affine.load %X[%vi] : memref<9xf32>
      affine.store %x, %t[%vi] : memref<9xf32>
    }
  }
  kl.for %i : "b.i" in 8 {
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %t[%vi + 1] : memref<9xf32>
      affine.store %x, %Y[%vi] : memref<8xf32>
    }
  }
  return
}

// -----

// Block c between the two nests overwrites what b reads: b cannot move before it.
// expected-error @+1 {{step 0 (reverse_compute_at): cannot reverse-compute block 'b' at loop 'a.i': blocks between the loop and the block access its buffers}}
func.func @hazard_between(%X: memref<8xf32>, %Y: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reverse_compute_at", names = ["b", "a.i"]}]} {
  %t = memref.alloc() : memref<8xf32>
  %u = memref.alloc() : memref<8xf32>
  kl.for %i : "a.i" in 8 {
    kl.block "a" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %X[%vi] : memref<8xf32>
      affine.store %x, %t[%vi] : memref<8xf32>
    }
  }
  kl.for %i : "c.i" in 8 {
    kl.block "c" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %X[%vi] : memref<8xf32>
      affine.store %x, %u[%vi] : memref<8xf32>
    }
  }
  kl.for %i : "b.i" in 8 {
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %t[%vi] : memref<8xf32>
      %y = affine.load %u[%vi] : memref<8xf32>
      %s = arith.addf %x, %y fastmath<fast> : f32
      affine.store %s, %Y[%vi] : memref<8xf32>
    }
  }
  return
}
