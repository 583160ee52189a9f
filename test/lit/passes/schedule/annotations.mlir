// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// CHECK-LABEL: func.func @annotate_all
// CHECK: "ew.i" in 8 parallel {
// CHECK: "ew.j.0" in 4 unrolled {
// CHECK: "ew.j.1" in 4 vectorized {
func.func @annotate_all(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}, {primitive = "parallel", names = ["ew.i"]}, {primitive = "unroll", names = ["ew.j.0"]}, {primitive = "vectorize", names = ["ew.j.1"]}]} {
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

// A broadcast load (invariant along the loop) and a contiguous one vectorize; so does the
// spatial loop of a reduction whose reduce loop is outside it.
// CHECK-LABEL: func.func @vectorize_matmul_j
// CHECK: "mm.k" in 8 {
// CHECK: "mm.j" in 32 vectorized {
func.func @vectorize_matmul_j(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reorder", names = ["mm.k", "mm.j"]}, {primitive = "vectorize", names = ["mm.j"]}]} {
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

// expected-error @+1 {{step 0 (parallel): cannot parallelize loop 'mm.k': it binds a reduce iter var}}
func.func @parallel_reduce(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "parallel", names = ["mm.k"]}]} {
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

// expected-error @+1 {{step 1 (parallel): cannot parallelize loop 'ew.j': it is nested in parallel loop 'ew.i'}}
func.func @parallel_nested(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "parallel", names = ["ew.i"]}, {primitive = "parallel", names = ["ew.j"]}]} {
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

// expected-error @+1 {{step 0 (vectorize): cannot vectorize loop 'ew.i': it is not innermost (holds kl.for)}}
func.func @vectorize_outer(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["ew.i"]}]} {
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

// expected-error @+1 {{step 0 (vectorize): cannot vectorize loop 'ew.j': extent 128 > 64}}
func.func @vectorize_long(%A: memref<8x128xf32>, %out: memref<8x128xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["ew.j"]}]} {
  kl.for %i : "ew.i" in 8 {
    kl.for %j : "ew.j" in 128 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 128) {
        %x = affine.load %A[%vi, %vj] : memref<8x128xf32>
        affine.store %x, %out[%vi, %vj] : memref<8x128xf32>
      }
    }
  }
  return
}

// -----

// A transpose gathers its reads along j (a block without reduce iter vars may).
// CHECK-LABEL: func.func @vectorize_transpose
// CHECK: "t.j" in 16 vectorized {
func.func @vectorize_transpose(%A: memref<16x8xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["t.j"]}]} {
  kl.for %i : "t.i" in 8 {
    kl.for %j : "t.j" in 16 {
      kl.block "t" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 16) {
        %x = affine.load %A[%vj, %vi] : memref<16x8xf32>
        affine.store %x, %out[%vi, %vj] : memref<8x16xf32>
      }
    }
  }
  return
}

// -----

// A reduction that would gather along its spatial loop (a row sum over rows i) is refused:
// rfactor vectorizes it along its reduce loop instead.
// expected-error @+1 {{step 0 (vectorize): cannot vectorize loop 's.i': block 's' has a non-contiguous access}}
func.func @vectorize_gathering_reduction(%A: memref<16x8xf32>, %out: memref<16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["s.i"]}]} {
  kl.for %k : "s.k" in 8 {
    kl.for %i : "s.i" in 16 {
      kl.block "s" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vk: reduce 8) {
        %x = affine.load %A[%vi, %vk] : memref<16x8xf32>
        %acc = affine.load %out[%vi] : memref<16xf32>
        %sum = arith.addf %acc, %x : f32
        affine.store %sum, %out[%vi] : memref<16xf32>
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (vectorize): cannot vectorize loop 'red.j': block 'red' has a reduce iter var bound to the loop}}
func.func @vectorize_reduce(%A: memref<4x16xf32>, %out: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["red.j"]}]} {
  kl.for %i : "red.i" in 4 {
    kl.for %j : "red.j" in 16 {
      kl.block "red" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: reduce 16) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %out[%a] : memref<4xf32>
      } {
        %x = affine.load %A[%vi, %vj] : memref<4x16xf32>
        %acc = affine.load %out[%vi] : memref<4xf32>
        %s = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %s, %out[%vi] : memref<4xf32>
      }
    }
  }
  return
}

// -----

// After an uneven split of the vector axis the predicate differs from lane to lane.
// expected-error @+1 {{step 1 (vectorize): cannot vectorize loop 'ew.j.1': block 'ew' has a predicate that varies along the loop}}
func.func @vectorize_predicated(%A: memref<8x10xf32>, %out: memref<8x10xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 4]}, {primitive = "vectorize", names = ["ew.j.1"]}]} {
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

// An uneven split of the row axis: the predicate (row < 10) is the same on every lane of the
// vector loop over columns, so the loop vectorizes under one scalar guard.
// CHECK-LABEL: func.func @vectorize_predicate_invariant
// CHECK: "ew.i.1" in 4 unrolled {
// CHECK: "ew.j" in 16 vectorized {
func.func @vectorize_predicate_invariant(%A: memref<10x16xf32>, %out: memref<10x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.i"], ints = [-1, 4]}, {primitive = "unroll", names = ["ew.i.1"]}, {primitive = "vectorize", names = ["ew.j"]}]} {
  kl.for %i : "ew.i" in 10 {
    kl.for %j : "ew.j" in 16 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 10, %vj: spatial 16) {
        %x = affine.load %A[%vi, %vj] : memref<10x16xf32>
        affine.store %x, %out[%vi, %vj] : memref<10x16xf32>
      }
    }
  }
  return
}

// -----

// A predicate on an iter var that mixes the vector loop with an uneven outer one varies too.
// expected-error @+1 {{step 1 (vectorize): cannot vectorize loop 'ew.j.1': block 'ew' has a predicate that varies along the loop}}
func.func @vectorize_predicate_mixed(%A: memref<8x20xf32>, %out: memref<8x20xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["ew.j"], ints = [-1, 8]}, {primitive = "vectorize", names = ["ew.j.1"]}]} {
  kl.for %i : "ew.i" in 8 {
    kl.for %j : "ew.j" in 20 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 20) {
        %x = affine.load %A[%vi, %vj] : memref<8x20xf32>
        affine.store %x, %out[%vi, %vj] : memref<8x20xf32>
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (unroll): cannot unroll loop 'ew.j': extent 512 > 256}}
func.func @unroll_long(%A: memref<2x512xf32>, %out: memref<2x512xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "unroll", names = ["ew.j"]}]} {
  kl.for %i : "ew.i" in 2 {
    kl.for %j : "ew.j" in 512 {
      kl.block "ew" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 2, %vj: spatial 512) {
        %x = affine.load %A[%vi, %vj] : memref<2x512xf32>
        affine.store %x, %out[%vi, %vj] : memref<2x512xf32>
      }
    }
  }
  return
}

// -----

// A stride-2 read along the last dim (a strided convolution's input) vectorizes as a gather.
// CHECK-LABEL: func.func @vectorize_strided_load
// CHECK: kl.for %{{.*}} : "s.j" in 8 vectorized
func.func @vectorize_strided_load(%A: memref<4x16xf32>, %out: memref<4x8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["s.j"]}]} {
  kl.for %i : "s.i" in 4 {
    kl.for %j : "s.j" in 8 {
      kl.block "s" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: spatial 8) {
        %x = affine.load %A[%vi, %vj * 2] : memref<4x16xf32>
        affine.store %x, %out[%vi, %vj] : memref<4x8xf32>
      }
    }
  }
  return
}

// -----

// Storing the varying iter var itself (not only indexing with it) has no vector form.
// expected-error @+1 {{step 0 (vectorize): cannot vectorize loop 'iota.j': block 'iota' computes with an iter var that varies along the loop}}
func.func @vectorize_stores_iter_var(%out: memref<4x8xindex>) attributes {kiln.kernel, kiln.trace = [{primitive = "vectorize", names = ["iota.j"]}]} {
  kl.for %i : "iota.i" in 4 {
    kl.for %j : "iota.j" in 8 {
      kl.block "iota" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vj: spatial 8) {
        affine.store %vj, %out[%vi, %vj] : memref<4x8xindex>
      }
    }
  }
  return
}
