// RUN: kiln-opt %s --split-input-file --verify-diagnostics --mlir-print-local-scope \
// RUN:   --kiln-apply-schedule=check-roundtrip | FileCheck %s

// A row sum rfactored along the inner 16 of its reduction: sum.rf keeps 16 partial sums per
// row (a spatial iter var, so sum.k.1 vectorizes), starting from 0 (the neutral element of
// addf); sum starts from the original init (1.5) and adds the 16 partials.
// CHECK-LABEL: func.func @rowsum
// CHECK-SAME: %[[X:[^:]*]]: memref<4x64xf32>, %[[S:[^:]*]]: memref<4x1xf32>
// CHECK: %[[P:.*]] = memref.alloc() : memref<4x1x16xf32>
// CHECK: kl.for %[[I:.*]] : "sum.i" in 4 parallel {
// CHECK-NEXT: kl.for %[[K0:.*]] : "sum.k.0" in 4 {
// CHECK-NEXT: kl.for %[[K1:.*]] : "sum.k.1" in 16 vectorized {
// CHECK-NEXT: kl.block "sum.rf" [%[[I]], %[[K0]], %[[K1]]] affine_map<(d0, d1, d2) -> (d0, d1 * 16, d2)> iter_vars(%[[VI:.*]]: spatial 4, %[[VK:.*]]: reduce 64, %[[VR:.*]]: spatial 16) init {
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK-NEXT: affine.store %[[ZERO]], %[[P]][%{{.*}}, 0, %{{.*}}]
// CHECK: affine.load %[[X]][%[[VI]], %[[VK]] + %[[VR]]]
// CHECK: affine.load %[[P]][%[[VI]], 0, %[[VR]]]
// CHECK: affine.store %{{.*}}, %[[P]][%[[VI]], 0, %[[VR]]]
// CHECK: kl.for %[[W:.*]] : "sum.k.1.wb" in 16 {
// CHECK-NEXT: kl.block "sum" [%[[I]], %[[W]]] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%[[FI:.*]]: spatial 4, %[[FR:.*]]: reduce 16) init {
// CHECK: arith.constant 1.5
// CHECK: %[[ACC:.*]] = affine.load %[[S]][%[[FI]], 0]
// CHECK-NEXT: %[[PART:.*]] = affine.load %[[P]][%[[FI]], 0, %[[FR]]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[ACC]], %[[PART]]
// CHECK-NEXT: affine.store %[[SUM]], %[[S]][%[[FI]], 0]
func.func @rowsum(%X: memref<4x64xf32>, %S: memref<4x1xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["sum.k"], ints = [4, 16]}, {primitive = "rfactor", names = ["sum", "sum.k.1"]}, {primitive = "vectorize", names = ["sum.k.1"]}, {primitive = "parallel", names = ["sum.i"]}]} {
  kl.for %i : "sum.i" in 4 {
    kl.for %k : "sum.k" in 64 {
      kl.block "sum" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vk: reduce 64) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 1.5 : f32
        affine.store %z, %S[%a, 0] : memref<4x1xf32>
      } {
        %x = affine.load %X[%vi, %vk] : memref<4x64xf32>
        %acc = affine.load %S[%vi, 0] : memref<4x1xf32>
        %s = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %s, %S[%vi, 0] : memref<4x1xf32>
      }
    }
  }
  return
}

// -----

// A max reduction: the partials start from -inf, the neutral element of maximumf.
// CHECK-LABEL: func.func @rowmax
// CHECK: kl.block "max.rf"
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: kl.block "max"
// CHECK: arith.maximumf
func.func @rowmax(%X: memref<4x64xf32>, %S: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "split", names = ["max.k"], ints = [8, 8]}, {primitive = "rfactor", names = ["max", "max.k.0"]}]} {
  kl.for %i : "max.i" in 4 {
    kl.for %k : "max.k" in 64 {
      kl.block "max" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vk: reduce 64) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0xFF800000 : f32
        affine.store %z, %S[%a] : memref<4xf32>
      } {
        %x = affine.load %X[%vi, %vk] : memref<4x64xf32>
        %acc = affine.load %S[%vi] : memref<4xf32>
        %m = arith.maximumf %acc, %x : f32
        affine.store %m, %S[%vi] : memref<4xf32>
      }
    }
  }
  return
}

// -----

// expected-error @+1 {{step 0 (rfactor): cannot rfactor block 'sum' at loop 'sum.i': the loop binds spatial iter var 0}}
func.func @spatial_loop(%X: memref<4x64xf32>, %S: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "rfactor", names = ["sum", "sum.i"]}]} {
  kl.for %i : "sum.i" in 4 {
    kl.for %k : "sum.k" in 64 {
      kl.block "sum" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vk: reduce 64) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %S[%a] : memref<4xf32>
      } {
        %x = affine.load %X[%vi, %vk] : memref<4x64xf32>
        %acc = affine.load %S[%vi] : memref<4xf32>
        %s = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %s, %S[%vi] : memref<4xf32>
      }
    }
  }
  return
}

// -----

// An update that is not an associative combination (subtraction) has no partials.
// expected-error @+1 {{step 0 (rfactor): cannot rfactor block 'sub' at loop 'sub.k': its update is not an associative combination with a neutral element}}
func.func @not_associative(%X: memref<4x64xf32>, %S: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "rfactor", names = ["sub", "sub.k"]}]} {
  kl.for %i : "sub.i" in 4 {
    kl.for %k : "sub.k" in 64 {
      kl.block "sub" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vk: reduce 64) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %S[%a] : memref<4xf32>
      } {
        %x = affine.load %X[%vi, %vk] : memref<4x64xf32>
        %acc = affine.load %S[%vi] : memref<4xf32>
        %s = arith.subf %acc, %x : f32
        affine.store %s, %S[%vi] : memref<4xf32>
      }
    }
  }
  return
}

// -----

// A reduction over a symbolic dim: the partials would sum the padding past the run's size.
// expected-error @+1 {{step 0 (rfactor): cannot rfactor block 'sum' at loop 'sum.k': its domain follows a symbolic dim of the model}}
func.func @symbolic_reduction(%X: memref<4x64xf32>, %S: memref<4xf32>) attributes {kiln.kernel, kiln.trace = [{primitive = "rfactor", names = ["sum", "sum.k"]}]} {
  kl.for %i : "sum.i" in 4 {
    kl.for %k : "sum.k" in 64 {
      kl.block "sum" [%i, %k] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 4, %vk: reduce 64) attributes {kiln.dyn_domains = array<i64: -1, 0, 4, 0, 1, 0>} init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %S[%a] : memref<4xf32>
      } {
        %x = affine.load %X[%vi, %vk] : memref<4x64xf32>
        %acc = affine.load %S[%vi] : memref<4xf32>
        %s = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %s, %S[%vi] : memref<4xf32>
      }
    }
  }
  return
}
