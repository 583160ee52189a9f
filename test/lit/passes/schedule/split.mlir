// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule="print-trace check-roundtrip" | FileCheck %s

// A divisible split: the outer loop var is scaled by the inner extent; the recorded trace keeps
// the -1 so that it replays on the original kernel.
// CHECK: // kiln-trace @split_divisible: [{"ints":[-1,4],"names":["ew.j"],"primitive":"split"}]
// CHECK-LABEL: func.func @split_divisible
// CHECK-NOT: kiln.trace
// CHECK: kl.for %[[I:.*]] : "ew.i" in 8 {
// CHECK: kl.for %[[J0:.*]] : "ew.j.0" in 4 {
// CHECK: kl.for %[[J1:.*]] : "ew.j.1" in 4 {
// CHECK: kl.block "ew" [%[[I]], %[[J0]], %[[J1]]] affine_map<(d0, d1, d2) -> (d0, d1 * 4 + d2)>
func.func @split_divisible(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}]} {
  kl.for %i : "ew.i" in 8 {
    kl.for %j : "ew.j" in 16 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 16) {
        %x = affine.load %A[%vi, %vj] : memref<8x16xf32>
        %y = arith.addf %x, %x fastmath<fast> : f32
        affine.store %y, %out[%vi, %vj] : memref<8x16xf32>
      }
    }
  }
  return
}

// -----

// Three factors, the middle one inferred.
// CHECK-LABEL: func.func @split_three
// CHECK: kl.for %[[A:.*]] : "ew.i.0" in 2 {
// CHECK: kl.for %[[B:.*]] : "ew.i.1" in 2 {
// CHECK: kl.for %[[C:.*]] : "ew.i.2" in 2 {
// CHECK: kl.for %[[J:.*]] : "ew.j" in 16 {
// CHECK: kl.block "ew" [%[[A]], %[[B]], %[[C]], %[[J]]] affine_map<(d0, d1, d2, d3) -> ((d0 * 2 + d1) * 2 + d2, d3)>
func.func @split_three(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.i"], ints = [2, -1, 2]}]} {
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

// 10 split by 4: 3 x 4 = 12 iterations; the two extra ones bind vj to 10 and 11, outside the
// domain, so the block is predicated off there.
// CHECK-LABEL: func.func @split_non_divisible
// CHECK: "ew.j.0" in 3
// CHECK: "ew.j.1" in 4
// CHECK: iter_vars(%{{.*}}: spatial 8, %{{.*}}: spatial 10)
func.func @split_non_divisible(%A: memref<8x10xf32>, %out: memref<8x10xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}]} {
  kl.for %i : "ew.i" in 8 {
    kl.for %j : "ew.j" in 10 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 10) {
        %x = affine.load %A[%vi, %vj] : memref<8x10xf32>
        affine.store %x, %out[%vi, %vj] : memref<8x10xf32>
      }
    }
  }
  return
}

// -----

// Splitting the inner loop of a tile unevenly would run tile j0's extra iterations on tile
// j0+1's elements, which stay inside the domain: rejected.
// expected-error @+1 {{step 1 (split): non-divisible split of loop 'ew.j.1' would run block 'ew' outside the loop's range}}
func.func @split_inner_non_divisible(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}, {primitive = "split", names = ["ew.j.1"], ints = [-1, 3]}]} {
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

// expected-error @+1 {{step 0 (split): split of loop 'ew.j': factors cover 6 < extent 16}}
func.func @split_too_small(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [2, 3]}]} {
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

// expected-error @+1 {{step 0 (split): split of loop 'ew.j': factors must be positive, with at most one -1}}
func.func @split_two_inferred(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, -1]}]} {
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

// expected-error @+1 {{step 1 (split): cannot split loop 'ew.i': it is parallel}}
func.func @split_parallel(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "parallel", names = ["ew.i"]}, {primitive = "split", names = ["ew.i"], ints = [-1, 2]}]} {
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

// expected-error @+1 {{step 0 (split): no loop named 'ew.k'}}
func.func @split_unknown(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.k"], ints = [-1, 2]}]} {
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
