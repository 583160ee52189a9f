// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// The bias add disappears into the relu that reads it; its buffer goes too.
// CHECK-LABEL: func.func @inline_bias_into_relu
// CHECK-SAME: (%[[T:.*]]: memref<6x12xf32>, %[[BIAS:.*]]: memref<12xf32>, %[[OUT:.*]]: memref<6x12xf32>)
// CHECK-NOT: memref.alloc
// CHECK-NOT: kl.block "add"
// CHECK: kl.block "relu" {{.*}} iter_vars(%[[VI:.*]]: spatial 6, %[[VJ:.*]]: spatial 12)
// CHECK-NEXT: %[[X:.*]] = affine.load %[[T]][%[[VI]], %[[VJ]]]
// CHECK-NEXT: %[[B:.*]] = affine.load %[[BIAS]][%[[VJ]]]
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[B]]
// CHECK: arith.maximumf %[[S]]
func.func @inline_bias_into_relu(%t: memref<6x12xf32>, %bias: memref<12xf32>, %out: memref<6x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["add"]}]} {
  %1 = memref.alloc() : memref<6x12xf32>
  kl.for %i : "add.i" in 6 {
    kl.for %j : "add.j" in 12 {
      kl.block "add" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 6, %vj: spatial 12) {
        %x = affine.load %t[%vi, %vj] : memref<6x12xf32>
        %b = affine.load %bias[%vj] : memref<12xf32>
        %s = arith.addf %x, %b fastmath<fast> : f32
        affine.store %s, %1[%vi, %vj] : memref<6x12xf32>
      }
    }
  }
  kl.for %i : "relu.i" in 6 {
    kl.for %j : "relu.j" in 12 {
      kl.block "relu" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 6, %vj: spatial 12) {
        %x = affine.load %1[%vi, %vj] : memref<6x12xf32>
        %z = arith.constant 0.0 : f32
        %r = arith.maximumf %x, %z fastmath<fast> : f32
        affine.store %r, %out[%vi, %vj] : memref<6x12xf32>
      }
    }
  }
  return
}

// -----

// The padding's affine.if keeps its condition, now on the reader's index (vx + vr),
// materialised with affine.apply.
// CHECK-LABEL: func.func @inline_pad_into_conv
// CHECK-NOT: kl.block "pad"
// CHECK: kl.block "conv" {{.*}} iter_vars(%[[VX:.*]]: spatial 10, %[[VR:.*]]: reduce 3)
// CHECK: } {
// CHECK-NEXT: %[[IDX:.*]] = affine.apply affine_map<(d0, d1) -> (d0 + d1)>(%[[VX]], %[[VR]])
// CHECK-NEXT: %[[V:.*]] = affine.if affine_set<(d0) : (d0 - 1 >= 0, -d0 + 10 >= 0)>(%[[IDX]]) -> f32 {
// CHECK-NEXT: affine.load %{{.*}}[%[[IDX]] - 1]
// CHECK: arith.mulf %[[V]]
func.func @inline_pad_into_conv(%X: memref<10xf32>, %W: memref<3xf32>, %out: memref<10xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["pad"]}]} {
  %p = memref.alloc() : memref<12xf32>
  kl.for %i : "pad.i" in 12 {
    kl.block "pad" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 12) {
      %v = affine.if affine_set<(d0) : (d0 - 1 >= 0, -d0 + 10 >= 0)>(%vi) -> f32 {
        %x = affine.load %X[%vi - 1] : memref<10xf32>
        affine.yield %x : f32
      } else {
        %z = arith.constant 0.0 : f32
        affine.yield %z : f32
      }
      affine.store %v, %p[%vi] : memref<12xf32>
    }
  }
  kl.for %x : "conv.x" in 10 {
    kl.for %r : "conv.r" in 3 {
      kl.block "conv" [%x, %r] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vx: spatial 10, %vr: reduce 3) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %out[%a] : memref<10xf32>
      } {
        %in = affine.load %p[%vx + %vr] : memref<12xf32>
        %w = affine.load %W[%vr] : memref<3xf32>
        %acc = affine.load %out[%vx] : memref<10xf32>
        %m = arith.mulf %in, %w fastmath<fast> : f32
        %s = arith.addf %acc, %m fastmath<fast> : f32
        affine.store %s, %out[%vx] : memref<10xf32>
      }
    }
  }
  return
}

// -----

// The producer's access composes with the reader's: t[vi, vj] = X[vj, vi].
// CHECK-LABEL: func.func @inline_transpose
// CHECK: kl.block "b" {{.*}} iter_vars(%[[VI:.*]]: spatial 4, %[[VJ:.*]]: spatial 8)
// CHECK-NEXT: affine.load %{{.*}}[%[[VJ]], %[[VI]]] : memref<8x4xf32>
func.func @inline_transpose(%X: memref<8x4xf32>, %Y: memref<4x8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["t"]}]} {
  %t = memref.alloc() : memref<4x8xf32>
  kl.for %i : "t.i" in 4 {
    kl.for %j : "t.j" in 8 {
      kl.block "t" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: spatial 8) {
        %x = affine.load %X[%vj, %vi] : memref<8x4xf32>
        affine.store %x, %t[%vi, %vj] : memref<4x8xf32>
      }
    }
  }
  kl.for %i : "b.i" in 4 {
    kl.for %j : "b.j" in 8 {
      kl.block "b" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: spatial 8) {
        %x = affine.load %t[%vi, %vj] : memref<4x8xf32>
        affine.store %x, %Y[%vi, %vj] : memref<4x8xf32>
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (compute_inline): cannot inline block 'relu': its buffer is a kernel argument}}
func.func @inline_output(%t: memref<6x12xf32>, %out: memref<6x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["relu"]}]} {
  kl.for %i : "relu.i" in 6 {
    kl.for %j : "relu.j" in 12 {
      kl.block "relu" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 6, %vj: spatial 12) {
        %x = affine.load %t[%vi, %vj] : memref<6x12xf32>
        %z = arith.constant 0.0 : f32
        %r = arith.maximumf %x, %z fastmath<fast> : f32
        affine.store %r, %out[%vi, %vj] : memref<6x12xf32>
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (compute_inline): cannot inline block 'sum': it has a reduce iter var}}
func.func @inline_reduction(%X: memref<5x12xf32>, %Y: memref<5xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["sum"]}]} {
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
  kl.for %i : "copy.i" in 5 {
    kl.block "copy" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 5) {
      %x = affine.load %s[%vi] : memref<5xf32>
      affine.store %x, %Y[%vi] : memref<5xf32>
    }
  }
  return
}

// -----

// Writing at a shifted index is not injective in the sense inlining needs.
// expected-error @+1 {{step 0 (compute_inline): cannot inline block 'a': it must write one buffer at its iter vars}}
func.func @inline_shifted_write(%X: memref<8xf32>, %Y: memref<9xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_inline", names = ["a"]}]} {
  %t = memref.alloc() : memref<9xf32>
  kl.for %i : "a.i" in 8 {
    kl.block "a" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %X[%vi] : memref<8xf32>
      affine.store %x, %t[%vi + 1] : memref<9xf32>
    }
  }
  kl.for %i : "b.i" in 9 {
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 9) {
      %x = affine.load %t[%vi] : memref<9xf32>
      affine.store %x, %Y[%vi] : memref<9xf32>
    }
  }
  return
}
