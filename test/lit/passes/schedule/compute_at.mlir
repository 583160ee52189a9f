// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// Padding computed per tile of 5 outputs of a 3-tap convolution: each tile reads 5 + 3 - 1 = 7
// padded elements starting at 5 * x0 (the halo is recomputed by neighbouring tiles).
// CHECK-LABEL: func.func @pad_at_conv_tile
// CHECK: %[[P:.*]] = memref.alloc() : memref<12xf32>
// CHECK: kl.for %[[X0:.*]] : "conv.x.0" in 2 {
// CHECK-NEXT: kl.for %[[PI:.*]] : "pad.i" in 7 {
// CHECK-NEXT: kl.block "pad" [%[[X0]], %[[PI]]] affine_map<(d0, d1) -> (d0 * 5 + d1)> iter_vars(%{{.*}}: spatial 12)
// CHECK: affine.store %{{.*}}, %[[P]]
// CHECK: kl.for %[[X1:.*]] : "conv.x.1" in 5 {
// CHECK-NEXT: kl.for %[[R:.*]] : "conv.r" in 3 {
// CHECK-NEXT: kl.block "conv"
func.func @pad_at_conv_tile(%X: memref<10xf32>, %W: memref<3xf32>, %out: memref<10xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["conv.x"], ints = [-1, 5]}, {primitive = "compute_at", names = ["pad", "conv.x.0"]}]} {
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

// At the innermost loop each conv instance gets exactly the element it reads.
// CHECK-LABEL: func.func @pad_at_innermost
// CHECK: kl.for %[[X:.*]] : "conv.x" in 10 {
// CHECK-NEXT: kl.for %[[R:.*]] : "conv.r" in 3 {
// CHECK-NEXT: kl.for %[[PI:.*]] : "pad.i" in 1 {
// CHECK-NEXT: kl.block "pad" [%[[X]], %[[R]], %[[PI]]] affine_map<(d0, d1, d2) -> (d0 + d1 + d2)>
// CHECK: kl.block "conv" [%[[X]], %[[R]]]
func.func @pad_at_innermost(%X: memref<10xf32>, %W: memref<3xf32>, %out: memref<10xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_at", names = ["pad", "conv.r"]}]} {
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

// The shifted values are read by two nests; computing them under one would starve the other.
// expected-error @+1 {{step 0 (compute_at): cannot compute block 'shift' at loop 'sum.i': consumer block 'scale' is not under the loop}}
func.func @two_consumers(%X: memref<5x12xf32>, %Y: memref<5x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_at", names = ["shift", "sum.i"]}]} {
  %p = memref.alloc() : memref<5x12xf32>
  %s = memref.alloc() : memref<5xf32>
  kl.for %i : "shift.i" in 5 {
    kl.for %j : "shift.j" in 12 {
      kl.block "shift" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: spatial 12) {
        %x = affine.load %X[%vi, %vj] : memref<5x12xf32>
        %one = arith.constant 1.0 : f32
        %r = arith.addf %x, %one fastmath<fast> : f32
        affine.store %r, %p[%vi, %vj] : memref<5x12xf32>
      }
    }
  }
  kl.for %i : "sum.i" in 5 {
    kl.for %j : "sum.j" in 12 {
      kl.block "sum" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: reduce 12) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a] : memref<5xf32>
      } {
        %x = affine.load %p[%vi, %vj] : memref<5x12xf32>
        %acc = affine.load %s[%vi] : memref<5xf32>
        %r = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %r, %s[%vi] : memref<5xf32>
      }
    }
  }
  kl.for %i : "scale.i" in 5 {
    kl.for %j : "scale.j" in 12 {
      kl.block "scale" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: spatial 12) {
        %x = affine.load %p[%vi, %vj] : memref<5x12xf32>
        %t = affine.load %s[%vi] : memref<5xf32>
        %r = arith.mulf %x, %t fastmath<fast> : f32
        affine.store %r, %Y[%vi, %vj] : memref<5x12xf32>
      }
    }
  }
  return
}

// -----

// A reduction moves under its consumer's row loop whole: its reduce loop keeps its full
// extent and its init goes with it. Its rfactor block, whose reduce var steps by 4 (the outer
// part of the split), cannot: regenerated over its domain it would read past the row.
// expected-error @+1 {{step 4 (compute_at): cannot compute block 'sum.rf' at loop 'sum.j.1.wb': its reduce iter var 1 does not sweep its domain once}}
func.func @reduction_producer(%X: memref<5x12xf32>, %Y: memref<5x12xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_at", names = ["sum", "scale.i"]}, {primitive = "split", names = ["sum.j"], ints = [-1, 4]}, {primitive = "rfactor", names = ["sum", "sum.j.1"]}, {primitive = "parallel", names = ["scale.i"]}, {primitive = "compute_at", names = ["sum.rf", "sum.j.1.wb"]}]} {
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

// The consumer's loop is not under the target loop (the target is the producer's own loop).
// expected-error @+1 {{step 0 (compute_at): cannot compute block 'a' at loop 'a.i': consumer block 'b' is not under the loop}}
func.func @wrong_loop(%X: memref<8xf32>, %Y: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_at", names = ["a", "a.i"]}]} {
  %t = memref.alloc() : memref<8xf32>
  kl.for %i : "a.i" in 8 {
    kl.block "a" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %X[%vi] : memref<8xf32>
      affine.store %x, %t[%vi] : memref<8xf32>
    }
  }
  kl.for %i : "b.i" in 8 {
    kl.block "b" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %x = affine.load %t[%vi] : memref<8xf32>
      affine.store %x, %Y[%vi] : memref<8xf32>
    }
  }
  return
}

// -----

// The producer writes the kernel output %Y in full; under its consumer it would only compute
// the column that consumer reads and leave the rest of %Y unwritten.
// expected-error @+1 {{step 0 (compute_at): cannot compute block 'add' at loop 'col.i': the block writes a kernel output, not an intermediate buffer}}
func.func @output_producer(%X: memref<4x8xf32>, %Y: memref<4x8xf32>, %Z: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "compute_at", names = ["add", "col.i"]}]} {
  kl.for %i : "add.i" in 4 {
    kl.for %j : "add.j" in 8 {
      kl.block "add" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: spatial 8) {
        %x = affine.load %X[%vi, %vj] : memref<4x8xf32>
        affine.store %x, %Y[%vi, %vj] : memref<4x8xf32>
      }
    }
  }
  kl.for %i : "col.i" in 4 {
    kl.block "col" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 4) {
      %y = affine.load %Y[%vi, 0] : memref<4x8xf32>
      affine.store %y, %Z[%vi] : memref<4xf32>
    }
  }
  return
}
