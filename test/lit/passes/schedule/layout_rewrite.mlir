// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// B laid out once as [j window, k window, 16, 16] (windows in the order mm.j.0, mm.k.0 step
// through them): each 16x16 panel the matmul reads under mm.k.0 is contiguous, and the vector
// loop mm.j.1 still reads it with unit stride.
// CHECK-LABEL: func.func @blocked_b
// CHECK-SAME: %[[B:[^:]*]]: memref<64x32xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<2x4x16x16xf32>
// CHECK: kl.for %{{.*}} : "mm.layout1.ax0" in 64 {
// CHECK-NEXT: kl.for %{{.*}} : "mm.layout1.ax1" in 32 {
// CHECK-NEXT: kl.block "mm.layout1" {{.*}} iter_vars(%[[K:.*]]: spatial 64, %[[N:.*]]: spatial 32) {
// CHECK-NEXT: %[[X:.*]] = affine.load %[[B]][%[[K]], %[[N]]]
// CHECK-NEXT: affine.store %[[X]], %[[P]][%[[N]] floordiv 16, %[[K]] floordiv 16, %[[K]] mod 16, %[[N]] mod 16]
// CHECK: kl.for %{{.*}} : "mm.j.0" in 2 {
// CHECK: kl.for %{{.*}} : "mm.j.1" in 16 vectorized {
// CHECK-NEXT: kl.block "mm" {{.*}} iter_vars(%{{.*}}: spatial 16, %[[VJ:.*]]: spatial 32, %[[VK:.*]]: reduce 64)
// CHECK: affine.load %[[P]][%[[VJ]] floordiv 16, %[[VK]] floordiv 16, %[[VK]] mod 16, %[[VJ]] mod 16]
func.func @blocked_b(%A: memref<16x64xf32>, %B: memref<64x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.j"], ints = [2, 16]}, {primitive = "split", names = ["mm.k"], ints = [4, 16]}, {primitive = "reorder", names = ["mm.j.0", "mm.k.0", "mm.i", "mm.k.1", "mm.j.1"]}, {primitive = "layout_rewrite", names = ["mm", "mm.k.0"], ints = [1]}, {primitive = "vectorize", names = ["mm.j.1"]}]} {
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

// A buffer the kernel computes is not a weight: only kernel arguments get a layout.
// expected-error @+1 {{step 0 (layout_rewrite): cannot rewrite the layout of read 0 of block 'use' for loop 'use.i': the buffer is not a kernel argument}}
func.func @local_buffer(%A: memref<16x64xf32>, %C: memref<16x64xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "layout_rewrite", names = ["use", "use.i"], ints = [0]}]} {
  %t = memref.alloc() : memref<16x64xf32>
  kl.for %i : "def.i" in 16 {
    kl.for %j : "def.j" in 64 {
      kl.block "def" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vj: spatial 64) {
        %x = affine.load %A[%vi, %vj] : memref<16x64xf32>
        affine.store %x, %t[%vi, %vj] : memref<16x64xf32>
      }
    }
  }
  kl.for %i : "use.i" in 16 {
    kl.for %j : "use.j" in 64 {
      kl.block "use" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vj: spatial 64) {
        %x = affine.load %t[%vi, %vj] : memref<16x64xf32>
        affine.store %x, %C[%vi, %vj] : memref<16x64xf32>
      }
    }
  }
  return
}

// -----

// A dim the block reads in one fixed range that does not start at 0 (here plane 1 of B, as
// each output phase of a transposed convolution reads its own taps) is copied from that range
// alone.
// CHECK-LABEL: func.func @fixed_range_at_offset
// CHECK-SAME: %[[B:[^:]*]]: memref<2x64x32xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<2x4x1x1x16x16xf32>
// CHECK: kl.for %{{.*}} : "mm.layout1.ax0" in 1 {
// CHECK: kl.block "mm.layout1" {{.*}} iter_vars(%[[PL:.*]]: spatial 1, %[[K:.*]]: spatial 64, %[[N:.*]]: spatial 32) {
// CHECK-NEXT: %[[X:.*]] = affine.load %[[B]][%[[PL]] + 1, %[[K]], %[[N]]]
// CHECK-NEXT: affine.store %[[X]], %[[P]][%[[N]] floordiv 16, %[[K]] floordiv 16, 0, %[[PL]], %[[K]] mod 16, %[[N]] mod 16]
// CHECK: kl.block "mm" {{.*}} iter_vars(%{{.*}}: spatial 16, %[[VJ:.*]]: spatial 32, %[[VK:.*]]: reduce 64)
// CHECK: affine.load %[[P]][%[[VJ]] floordiv 16, %[[VK]] floordiv 16, 0, 0, %[[VK]] mod 16, %[[VJ]] mod 16]
func.func @fixed_range_at_offset(%A: memref<16x64xf32>, %B: memref<2x64x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.j"], ints = [2, 16]}, {primitive = "split", names = ["mm.k"], ints = [4, 16]}, {primitive = "reorder", names = ["mm.j.0", "mm.k.0", "mm.i", "mm.k.1", "mm.j.1"]}, {primitive = "layout_rewrite", names = ["mm", "mm.k.0"], ints = [1]}, {primitive = "vectorize", names = ["mm.j.1"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 64 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 64) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a, %b] : memref<16x32xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<16x64xf32>
          %y = affine.load %B[1, %vk, %vj] : memref<2x64x32xf32>
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

// A weight stored taps x channels x lanes but read with the channel loop outside the tap loop
// is packed channels x taps x lanes: the block reads it front to back (the lanes stay last).
// CHECK-LABEL: func.func @local_dims_follow_the_loops
// CHECK-SAME: %[[W:[^:]*]]: memref<3x4x16xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<1x1x1x4x3x16xf32>
// CHECK: kl.block "mm.layout0" {{.*}} iter_vars(%[[T:.*]]: spatial 3, %[[C:.*]]: spatial 4, %[[J:.*]]: spatial 16) {
// CHECK-NEXT: %[[X:.*]] = affine.load %[[W]][%[[T]], %[[C]], %[[J]]]
// CHECK-NEXT: affine.store %[[X]], %[[P]][0, 0, 0, %[[C]], %[[T]], %[[J]]]
func.func @local_dims_follow_the_loops(%W: memref<3x4x16xf32>, %x: memref<4x3xf32>, %out: memref<16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.j"], ints = [1, 16]}, {primitive = "reorder", names = ["mm.j.0", "mm.c", "mm.t", "mm.j.1"]}, {primitive = "layout_rewrite", names = ["mm", "mm.j.0"], ints = [0]}]} {
  kl.for %j : "mm.j" in 16 {
    kl.for %c : "mm.c" in 4 {
      kl.for %t : "mm.t" in 3 {
        kl.block "mm" [%j, %c, %t] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vj: spatial 16, %vc: reduce 4, %vt: reduce 3) init {
        ^bb0(%a: index, %b: index, %e: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %out[%a] : memref<16xf32>
        } {
          %w = affine.load %W[%vt, %vc, %vj] : memref<3x4x16xf32>
          %v = affine.load %x[%vc, %vt] : memref<4x3xf32>
          %acc = affine.load %out[%vj] : memref<16xf32>
          %m = arith.mulf %w, %v fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %out[%vj] : memref<16xf32>
        }
      }
    }
  }
  return
}
