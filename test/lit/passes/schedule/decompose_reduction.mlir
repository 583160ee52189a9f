// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// At the reduce loop itself: the init needs no loop of its own and sits right before mm.k.
// CHECK-LABEL: func.func @at_reduce_loop
// CHECK: kl.for %[[I:.*]] : "mm.i" in 16 {
// CHECK-NEXT: kl.for %[[J:.*]] : "mm.j" in 32 {
// CHECK-NEXT: kl.block "mm.init" [%[[I]], %[[J]]] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%[[A:.*]]: spatial 16, %[[B:.*]]: spatial 32) {
// CHECK-NEXT: %[[Z:.*]] = arith.constant 0.0
// CHECK-NEXT: affine.store %[[Z]], %{{.*}}[%[[A]], %[[B]]]
// CHECK: kl.for %{{.*}} : "mm.k" in 8 {
// CHECK-NEXT: kl.block "mm" {{.*}} iter_vars({{.*}}) {
func.func @at_reduce_loop(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.k"]}]} {
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

// In the tiled SSRS nest the init gets copies of the inner spatial loops, before mm.k.
// CHECK-LABEL: func.func @tiled
// CHECK: kl.for %[[F:.*]] : "mm.i.0+mm.j.0" in 16 {
// CHECK-NEXT: kl.for %[[II:.*]] : "mm.i.1.init" in 4 {
// CHECK-NEXT: kl.for %[[JI:.*]] : "mm.j.1.init" in 8 {
// CHECK-NEXT: kl.block "mm.init" [%[[F]], %[[II]], %[[JI]]] affine_map<(d0, d1, d2) -> ((d0 floordiv 4) * 4 + d1, (d0 mod 4) * 8 + d2)>
// CHECK: kl.for %{{.*}} : "mm.k" in 8 {
// CHECK-NEXT: kl.for %{{.*}} : "mm.i.1" in 4 {
// CHECK-NEXT: kl.for %{{.*}} : "mm.j.1" in 8 {
func.func @tiled(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["mm.i"], ints = [-1, 4]}, {primitive = "split", names = ["mm.j"], ints = [-1, 8]}, {primitive = "reorder", names = ["mm.i.0", "mm.j.0", "mm.k", "mm.i.1", "mm.j.1"]}, {primitive = "fuse", names = ["mm.i.0", "mm.j.0"]}, {primitive = "decompose_reduction", names = ["mm", "mm.k"]}]} {
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

// The graph-to-loop lowering passes every iter var to every access; the init's store ignores
// vk, which must not leave a dangling constant index behind in the init block.
// CHECK-LABEL: func.func @unused_access_operands
// CHECK: kl.block "mm.init" {{.*}} iter_vars(%[[A:.*]]: spatial 16, %[[B:.*]]: spatial 32) {
// CHECK-NEXT: arith.constant 0.0
// CHECK-NEXT: affine.store %{{.*}}, %{{.*}}[%[[A]], %[[B]]] : memref<16x32xf32>
// CHECK-NEXT: }
func.func @unused_access_operands(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.k"]}]} {
  kl.for %i : "mm.i" in 16 {
    kl.for %j : "mm.j" in 32 {
      kl.for %k : "mm.k" in 8 {
        kl.block "mm" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 16, %vj: spatial 32, %vk: reduce 8) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %C[%a + %c * 0, %b] : memref<16x32xf32>
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

// With mm.k outermost, an init placed inside it would reset the sums on every k.
// expected-error @+1 {{step 1 (decompose_reduction): cannot decompose block 'mm' at loop 'mm.j': enclosing loop 'mm.k' binds a reduce iter var}}
func.func @under_reduce_loop(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "reorder", names = ["mm.k", "mm.i"]}, {primitive = "decompose_reduction", names = ["mm", "mm.j"]}]} {
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

// expected-error @+1 {{step 1 (decompose_reduction): cannot decompose block 'mm' at loop 'mm.k': the block has no init region}}
func.func @twice(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["mm", "mm.k"]}, {primitive = "decompose_reduction", names = ["mm", "mm.k"]}]} {
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

// expected-error @+1 {{step 0 (decompose_reduction): cannot decompose block 'red' at loop 'copy.i': the loop does not enclose the block}}
func.func @not_enclosing(%X: memref<5x12xf32>, %Y: memref<5xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "decompose_reduction", names = ["red", "copy.i"]}]} {
  %s = memref.alloc() : memref<5xf32>
  kl.for %i : "red.i" in 5 {
    kl.for %j : "red.j" in 12 {
      kl.block "red" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 5, %vj: reduce 12) init {
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
