// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// Row sums then a division by them: iteration i of the second loop reads only row i of
// what iteration i of the first wrote, so the loops fuse and both nests run per row.
// CHECK-LABEL: func.func @row_stages
// CHECK: kl.for %[[I:.*]] : "sum.i" in 8 parallel {
// CHECK-NEXT: kl.for %{{.*}} : "sum.k" in 16 {
// CHECK-NEXT: kl.block "sum" [%[[I]], %{{.*}}]
// CHECK: kl.for %{{.*}} : "scale.j" in 16 {
// CHECK-NEXT: kl.block "scale" [%[[I]], %{{.*}}]
// CHECK-NOT: "scale.i"
func.func @row_stages(%A: memref<8x16xf32>, %out: memref<8x16xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "parallel", names = ["sum.i"]}, {primitive = "parallel", names = ["scale.i"]}, {primitive = "fuse_siblings", names = ["sum.i", "scale.i"]}]} {
  %s = memref.alloc() : memref<8xf32>
  kl.for %i : "sum.i" in 8 {
    kl.for %k : "sum.k" in 16 {
      kl.block "sum" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vk: reduce 16) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a] : memref<8xf32>
      } {
        %x = affine.load %A[%vi, %vk] : memref<8x16xf32>
        %acc = affine.load %s[%vi] : memref<8xf32>
        %r = arith.addf %acc, %x : f32
        affine.store %r, %s[%vi] : memref<8xf32>
      }
    }
  }
  kl.for %i : "scale.i" in 8 {
    kl.for %j : "scale.j" in 16 {
      kl.block "scale" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 16) {
        %x = affine.load %A[%vi, %vj] : memref<8x16xf32>
        %t = affine.load %s[%vi] : memref<8xf32>
        %y = arith.divf %x, %t : f32
        affine.store %y, %out[%vi, %vj] : memref<8x16xf32>
      }
    }
  }
  return
}

// -----

// The second loop reads every row sum in each iteration (a transpose of the sums): iteration
// 0 would read sums not yet computed, so the loops stay apart.
// expected-error @+1 {{step 0 (fuse_siblings): cannot fuse loop 'bcast.i' into loop 'sum.i': iterations of block 'bcast' touch what other iterations of block 'sum' touch}}
func.func @reads_other_rows(%A: memref<8x16xf32>, %out: memref<8x8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse_siblings", names = ["sum.i", "bcast.i"]}]} {
  %s = memref.alloc() : memref<8xf32>
  kl.for %i : "sum.i" in 8 {
    kl.for %k : "sum.k" in 16 {
      kl.block "sum" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vk: reduce 16) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a] : memref<8xf32>
      } {
        %x = affine.load %A[%vi, %vk] : memref<8x16xf32>
        %acc = affine.load %s[%vi] : memref<8xf32>
        %r = arith.addf %acc, %x : f32
        affine.store %r, %s[%vi] : memref<8xf32>
      }
    }
  }
  kl.for %i : "bcast.i" in 8 {
    kl.for %j : "bcast.j" in 8 {
      kl.block "bcast" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 8) {
        %t = affine.load %s[%vj] : memref<8xf32>
        affine.store %t, %out[%vi, %vj] : memref<8x8xf32>
      }
    }
  }
  return
}

// -----

// Both loops touch t[i - i floordiv 2]: the same element per iteration, but iterations 1 and 2
// share slot 1, which the fused loop would read (B at 1) before its last write (A at 2).
// expected-error @+1 {{step 0 (fuse_siblings): cannot fuse loop 'use.i' into loop 'put.i': iterations of block 'use' touch what other iterations of block 'put' touch}}
func.func @iterations_share_a_slot(%x: memref<8xf32>, %out: memref<8xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "fuse_siblings", names = ["put.i", "use.i"]}]} {
  %t = memref.alloc() : memref<8xf32>
  kl.for %i : "put.i" in 8 {
    kl.block "put" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %a = affine.load %x[%vi] : memref<8xf32>
      affine.store %a, %t[%vi - %vi floordiv 2] : memref<8xf32>
    }
  }
  kl.for %i : "use.i" in 8 {
    kl.block "use" [%i] affine_map<(d0) -> (d0)> iter_vars(%vi: spatial 8) {
      %a = affine.load %t[%vi - %vi floordiv 2] : memref<8xf32>
      affine.store %a, %out[%vi] : memref<8xf32>
    }
  }
  return
}
