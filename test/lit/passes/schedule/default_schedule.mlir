// RUN: kiln-opt %s --split-input-file --kiln-default-schedule="print-trace check-roundtrip" \
// RUN:   --mlir-print-local-scope | FileCheck %s
// The bias adds of both fused kernels below are inlined: no block "add" is left anywhere.
// RUN: kiln-opt %s --split-input-file --kiln-default-schedule | FileCheck %s --check-prefix=INLINED
// INLINED-NOT: kl.block "add"

// matmul + bias + relu: the bias add is inlined into the relu; the matmul is tiled 16 x 16
// (register block along i, where each loaded B vector is reused, x vector), its outer tiles fused into one parallel loop with the init
// hoisted before the reduce loop, and the relu epilogue runs per tile in the same loop.
// CHECK: // kiln-trace @matmul_bias_relu: [{"ints":[],"names":["add"],"primitive":"compute_inline"}
// CHECK-SAME: {"ints":[],"names":["relu","matmul.i.0+matmul.j.0"],"primitive":"reverse_compute_at"}
// CHECK-LABEL: func.func @matmul_bias_relu
// CHECK: kl.for %[[F:.*]] : "matmul.i.0+matmul.j.0" in 64 parallel {
// CHECK-NEXT: kl.for %{{.*}} : "matmul.i.1.init" in 16 {
// CHECK-NEXT: kl.for %{{.*}} : "matmul.j.1.init" in 16 vectorized {
// CHECK-NEXT: kl.block "matmul.init"
// CHECK: kl.for %{{.*}} : "matmul.k" in 128 {
// CHECK-NEXT: kl.for %{{.*}} : "matmul.i.1" in 16 unrolled {
// CHECK-NEXT: kl.for %{{.*}} : "matmul.j.1" in 16 vectorized {
// CHECK-NEXT: kl.block "matmul" {{.*}} iter_vars({{.*}}) {
// CHECK: kl.for %{{.*}} : "relu.i" in 16 {
// CHECK-NEXT: kl.for %{{.*}} : "relu.j" in 16 vectorized {
// CHECK-NEXT: kl.block "relu" [%[[F]],
func.func @matmul_bias_relu(%A: memref<64x128xf32>, %B: memref<128x256xf32>, %bias: memref<256xf32>, %out: memref<64x256xf32>) attributes {kiln.kernel} {
  %0 = memref.alloc() : memref<64x256xf32>
  %1 = memref.alloc() : memref<64x256xf32>
  kl.for %i : "matmul.i" in 64 {
    kl.for %j : "matmul.j" in 256 {
      kl.for %k : "matmul.k" in 128 {
        kl.block "matmul" [%i, %j, %k] affine_map<(d0, d1, d2) -> (d0, d1, d2)> iter_vars(%vi: spatial 64, %vj: spatial 256, %vk: reduce 128) init {
        ^bb0(%a: index, %b: index, %c: index):
          %z = arith.constant 0.0 : f32
          affine.store %z, %0[%a, %b] : memref<64x256xf32>
        } {
          %x = affine.load %A[%vi, %vk] : memref<64x128xf32>
          %y = affine.load %B[%vk, %vj] : memref<128x256xf32>
          %acc = affine.load %0[%vi, %vj] : memref<64x256xf32>
          %m = arith.mulf %x, %y fastmath<fast> : f32
          %s = arith.addf %acc, %m fastmath<fast> : f32
          affine.store %s, %0[%vi, %vj] : memref<64x256xf32>
        }
      }
    }
  }
  kl.for %i : "add.i" in 64 {
    kl.for %j : "add.j" in 256 {
      kl.block "add" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 64, %vj: spatial 256) {
        %x = affine.load %0[%vi, %vj] : memref<64x256xf32>
        %b = affine.load %bias[%vj] : memref<256xf32>
        %s = arith.addf %x, %b fastmath<fast> : f32
        affine.store %s, %1[%vi, %vj] : memref<64x256xf32>
      }
    }
  }
  kl.for %i : "relu.i" in 64 {
    kl.for %j : "relu.j" in 256 {
      kl.block "relu" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 64, %vj: spatial 256) {
        %x = affine.load %1[%vi, %vj] : memref<64x256xf32>
        %z = arith.constant 0.0 : f32
        %r = arith.maximumf %x, %z fastmath<fast> : f32
        affine.store %r, %out[%vi, %vj] : memref<64x256xf32>
      }
    }
  }
  return
}

// -----

// conv + bias + relu as the graph-to-loop lowering emits it. The padding (an affine.if) is
// not inlined into the convolution's hot loop: it stays a parallel nest of its own. The
// convolution keeps rc/ry/rx outside a 5 x 5 output tile (y unrolled, x vectorized); both
// fit whole, so only n and f are left to fuse into the parallel loop.
// CHECK: // kiln-trace @task_conv_kernel:
// CHECK-LABEL: func.func @task_conv_kernel
// CHECK: "pad.i0+pad.i1+pad.i2+pad.i3" in 98 parallel {
// CHECK-NEXT: kl.block "pad"
// CHECK: "conv.n+conv.f" in 3 parallel {
// CHECK-NEXT: "conv.y.init" in 5 {
// CHECK-NEXT: "conv.x.init" in 5 vectorized {
// CHECK: "conv.rc" in 2 {
// CHECK-NEXT: "conv.ry" in 3 {
// CHECK-NEXT: "conv.rx" in 3 {
// CHECK-NEXT: "conv.y" in 5 unrolled {
// CHECK-NEXT: "conv.x" in 5 vectorized {
// CHECK: "relu.i3" in 5 vectorized {
// CHECK-NEXT: kl.block "relu"
func.func @task_conv_kernel(%arg0: memref<1x2x5x5xf32>, %arg1: memref<3x2x3x3xf32>, %arg2: memref<1x3x1x1xf32>, %arg3: memref<1x3x5x5xf32>) attributes {kiln.kernel} {
  %alloc = memref.alloc() : memref<1x3x5x5xf32>
  %alloc_0 = memref.alloc() : memref<1x2x7x7xf32>
  %alloc_1 = memref.alloc() : memref<1x3x5x5xf32>
  kl.for %arg4 : "pad.i0" in 1 {
    kl.for %arg5 : "pad.i1" in 2 {
      kl.for %arg6 : "pad.i2" in 7 {
        kl.for %arg7 : "pad.i3" in 7 {
          kl.block "pad" [%arg4, %arg5, %arg6, %arg7] affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)> iter_vars(%arg8: spatial 1, %arg9: spatial 2, %arg10: spatial 7, %arg11: spatial 7) {
            %0 = affine.if affine_set<(d0, d1, d2, d3) : (d2 - 1 >= 0, -d2 + 5 >= 0, d3 - 1 >= 0, -d3 + 5 >= 0)>(%arg8, %arg9, %arg10, %arg11) -> f32 {
              %1 = affine.load %arg0[%arg8, %arg9, %arg10 - 1, %arg11 - 1] : memref<1x2x5x5xf32>
              affine.yield %1 : f32
            } else {
              %cst = arith.constant 0.000000e+00 : f32
              affine.yield %cst : f32
            }
            affine.store %0, %alloc_0[%arg8, %arg9, %arg10, %arg11] : memref<1x2x7x7xf32>
          }
        }
      }
    }
  }
  kl.for %arg4 : "conv.n" in 1 {
    kl.for %arg5 : "conv.f" in 3 {
      kl.for %arg6 : "conv.y" in 5 {
        kl.for %arg7 : "conv.x" in 5 {
          kl.for %arg8 : "conv.rc" in 2 {
            kl.for %arg9 : "conv.ry" in 3 {
              kl.for %arg10 : "conv.rx" in 3 {
                kl.block "conv" [%arg4, %arg5, %arg6, %arg7, %arg8, %arg9, %arg10] affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4, d5, d6)> iter_vars(%arg11: spatial 1, %arg12: spatial 3, %arg13: spatial 5, %arg14: spatial 5, %arg15: reduce 2, %arg16: reduce 3, %arg17: reduce 3) init {
                ^bb0(%arg11: index, %arg12: index, %arg13: index, %arg14: index, %arg15: index, %arg16: index, %arg17: index):
                  %cst = arith.constant 0.000000e+00 : f32
                  affine.store %cst, %alloc_1[%arg11, %arg12, %arg13, %arg14] : memref<1x3x5x5xf32>
                } {
                  %0 = affine.load %alloc_0[%arg11, (%arg12 floordiv 3) * 2 + %arg15, %arg13 + %arg16, %arg14 + %arg17] : memref<1x2x7x7xf32>
                  %1 = affine.load %arg1[%arg12, %arg15, %arg16, %arg17] : memref<3x2x3x3xf32>
                  %2 = affine.load %alloc_1[%arg11, %arg12, %arg13, %arg14] : memref<1x3x5x5xf32>
                  %3 = arith.mulf %0, %1 fastmath<reassoc,contract> : f32
                  %4 = arith.addf %2, %3 fastmath<reassoc,contract> : f32
                  affine.store %4, %alloc_1[%arg11, %arg12, %arg13, %arg14] : memref<1x3x5x5xf32>
                }
              }
            }
          }
        }
      }
    }
  }
  kl.for %arg4 : "add.i0" in 1 {
    kl.for %arg5 : "add.i1" in 3 {
      kl.for %arg6 : "add.i2" in 5 {
        kl.for %arg7 : "add.i3" in 5 {
          kl.block "add" [%arg4, %arg5, %arg6, %arg7] affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)> iter_vars(%arg8: spatial 1, %arg9: spatial 3, %arg10: spatial 5, %arg11: spatial 5) {
            %0 = affine.load %alloc_1[0, %arg9, %arg10, %arg11] : memref<1x3x5x5xf32>
            %1 = affine.load %arg2[0, %arg9, 0, 0] : memref<1x3x1x1xf32>
            %2 = arith.addf %0, %1 fastmath<reassoc,contract> : f32
            affine.store %2, %alloc[%arg8, %arg9, %arg10, %arg11] : memref<1x3x5x5xf32>
          }
        }
      }
    }
  }
  kl.for %arg4 : "relu.i0" in 1 {
    kl.for %arg5 : "relu.i1" in 3 {
      kl.for %arg6 : "relu.i2" in 5 {
        kl.for %arg7 : "relu.i3" in 5 {
          kl.block "relu" [%arg4, %arg5, %arg6, %arg7] affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)> iter_vars(%arg8: spatial 1, %arg9: spatial 3, %arg10: spatial 5, %arg11: spatial 5) {
            %0 = affine.load %alloc[0, %arg9, %arg10, %arg11] : memref<1x3x5x5xf32>
            %cst = arith.constant 0.000000e+00 : f32
            %1 = arith.cmpf oge, %0, %cst : f32
            %cst_2 = arith.constant 0.000000e+00 : f32
            %2 = arith.select %1, %0, %cst_2 : f32
            affine.store %2, %arg3[%arg8, %arg9, %arg10, %arg11] : memref<1x3x5x5xf32>
          }
        }
      }
    }
  }
  return
}

// -----

// Elementwise only: a transpose gathers its reads along the vector loop (j, split by 16),
// and walks its source in tiles: the loop its reads are contiguous along (i) is split by 16
// and its inner part goes just outside the vector loop; the outer parts run in parallel.
// CHECK-LABEL: func.func @transpose
// CHECK: kl.for %{{.*}} : "t.i.0+t.j.0" in 8 parallel {
// CHECK-NEXT: kl.for %{{.*}} : "t.i.1" in 16 {
// CHECK-NEXT: kl.for %{{.*}} : "t.j.1" in 16 vectorized {
func.func @transpose(%A: memref<64x32xf32>, %out: memref<32x64xf32>) attributes {kiln.kernel} {
  kl.for %i : "t.i" in 32 {
    kl.for %j : "t.j" in 64 {
      kl.block "t" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 32, %vj: spatial 64) {
        %x = affine.load %A[%vj, %vi] : memref<64x32xf32>
        affine.store %x, %out[%vi, %vj] : memref<32x64xf32>
      }
    }
  }
  return
}

// -----

// A row-wise kernel (a producer with two readers is not inlined): the consumer's rows run in
// parallel (5 rows: no row tile), and each row's shift and sum are computed right before the
// row is scaled. The 12-wide row is one step of 12 vector lanes, added up after the row.
// CHECK-LABEL: func.func @row_reduce
// CHECK: kl.for %[[I:.*]] : "scale.i.0" in 5 parallel {
// CHECK-NEXT: "shift.i" in 1 {
// CHECK-NEXT: "shift.j" in 12 vectorized {
// CHECK-NEXT: kl.block "shift"
// CHECK: "sum.j.0" in 1 {
// CHECK-NEXT: "sum.i" in 1 {
// CHECK-NEXT: "sum.j.1" in 12 vectorized {
// CHECK-NEXT: kl.block "sum.rf"
// CHECK: kl.block "sum" [%[[I]],
// CHECK: kl.for %{{.*}} : "scale.j" in 12 vectorized {
// CHECK-NEXT: kl.block "scale" [%[[I]],
func.func @row_reduce(%X: memref<5x12xf32>, %Y: memref<5x12xf32>) attributes {kiln.kernel} {
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

// A conv register-blocks its output channels: the input row loaded for one tap feeds all 16
// accumulators, while blocking rows (y) would need one load per accumulator.
// CHECK-LABEL: func.func @conv_register_block
// CHECK: kl.for %{{.*}} : "conv.n+conv.f.0+conv.y" in 4 parallel {
// CHECK: kl.for %{{.*}} : "conv.rc" in 8 {
// CHECK: kl.for %{{.*}} : "conv.f.1" in 16 unrolled {
// CHECK-NEXT: kl.for %{{.*}} : "conv.x" in 4 vectorized {
func.func @conv_register_block(%P: memref<1x8x6x6xf32>, %W: memref<32x8x3x3xf32>, %out: memref<1x32x2x4xf32>) attributes {kiln.kernel} {
  kl.for %n : "conv.n" in 1 {
    kl.for %f : "conv.f" in 32 {
      kl.for %y : "conv.y" in 2 {
        kl.for %x : "conv.x" in 4 {
          kl.for %rc : "conv.rc" in 8 {
            kl.for %ry : "conv.ry" in 3 {
              kl.for %rx : "conv.rx" in 3 {
                kl.block "conv" [%n, %f, %y, %x, %rc, %ry, %rx] affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4, d5, d6)> iter_vars(%vn: spatial 1, %vf: spatial 32, %vy: spatial 2, %vx: spatial 4, %vc: reduce 8, %vr: reduce 3, %vs: reduce 3) init {
                ^bb0(%a: index, %b: index, %c: index, %d: index, %e: index, %g: index, %h: index):
                  %z = arith.constant 0.0 : f32
                  affine.store %z, %out[%a, %b, %c, %d] : memref<1x32x2x4xf32>
                } {
                  %i = affine.load %P[%vn, %vc, %vy + %vr, %vx + %vs] : memref<1x8x6x6xf32>
                  %w = affine.load %W[%vf, %vc, %vr, %vs] : memref<32x8x3x3xf32>
                  %acc = affine.load %out[%vn, %vf, %vy, %vx] : memref<1x32x2x4xf32>
                  %m = arith.mulf %i, %w fastmath<fast> : f32
                  %s = arith.addf %acc, %m fastmath<fast> : f32
                  affine.store %s, %out[%vn, %vf, %vy, %vx] : memref<1x32x2x4xf32>
                }
              }
            }
          }
        }
      }
    }
  }
  return
}

// -----

// A per-row 1 / sqrt(v) (a layer norm's factor) read by every element of its row: inlining it
// would take a square root and a divide per element instead of per row, so it stays a block.
// CHECK-LABEL: func.func @per_row_factor
// CHECK: kl.block "rstd"
// CHECK: kl.block "norm"
// CHECK-NOT: math.sqrt
func.func @per_row_factor(%v: memref<16x1xf32>, %x: memref<16x64xf32>, %out: memref<16x64xf32>) attributes {kiln.kernel} {
  %r = memref.alloc() : memref<16x1xf32>
  kl.for %i : "rstd.i0" in 16 {
    kl.for %j : "rstd.i1" in 1 {
      kl.block "rstd" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vj: spatial 1) {
        %a = affine.load %v[%vi, %vj] : memref<16x1xf32>
        %s = math.sqrt %a : f32
        %one = arith.constant 1.0 : f32
        %q = arith.divf %one, %s : f32
        affine.store %q, %r[%vi, %vj] : memref<16x1xf32>
      }
    }
  }
  kl.for %i : "norm.i0" in 16 {
    kl.for %j : "norm.i1" in 64 {
      kl.block "norm" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 16, %vj: spatial 64) {
        %a = affine.load %x[%vi, %vj] : memref<16x64xf32>
        %f = affine.load %r[%vi, 0] : memref<16x1xf32>
        %y = arith.mulf %a, %f : f32
        affine.store %y, %out[%vi, %vj] : memref<16x64xf32>
      }
    }
  }
  return
}

// -----

// Batched GEMMs with a constant weight per batch (a Winograd convolution's): the batch loop
// indexes both operands, so it goes first, before the weight's panels: each GEMM's operands
// stay in cache across its panels.
// CHECK-LABEL: func.func @batched_gemm
// CHECK: kl.for %{{.*}} : "gemm.b+gemm.f.0" in 8 parallel {
// CHECK: kl.for %{{.*}} : "gemm.c" in 16 {
// CHECK-NEXT: kl.for %{{.*}} : "gemm.t" in 16 unrolled {
func.func @batched_gemm(%V: memref<4x16x16xf32>, %U: memref<4x16x32xf32>, %out: memref<4x16x32xf32>) attributes {kiln.constant_args = array<i64: 1>, kiln.kernel} {
  kl.for %b : "gemm.b" in 4 {
    kl.for %t : "gemm.t" in 16 {
      kl.for %f : "gemm.f" in 32 {
        kl.for %c : "gemm.c" in 16 {
          kl.block "gemm" [%b, %t, %f, %c] affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)> iter_vars(%vb: spatial 4, %vt: spatial 16, %vf: spatial 32, %vc: reduce 16) init {
          ^bb0(%i: index, %j: index, %k: index, %l: index):
            %z = arith.constant 0.0 : f32
            affine.store %z, %out[%i, %j, %k] : memref<4x16x32xf32>
          } {
            %v = affine.load %V[%vb, %vt, %vc] : memref<4x16x16xf32>
            %u = affine.load %U[%vb, %vc, %vf] : memref<4x16x32xf32>
            %acc = affine.load %out[%vb, %vt, %vf] : memref<4x16x32xf32>
            %m = arith.mulf %v, %u fastmath<fast> : f32
            %s = arith.addf %acc, %m fastmath<fast> : f32
            affine.store %s, %out[%vb, %vt, %vf] : memref<4x16x32xf32>
          }
        }
      }
    }
  }
  return
}

// -----

// Layer norm's shape: a row mean read by the normalization. Four rows per step of the
// parallel loop; each row's mean as 16 partial sums, the four rows' chains interleaved
// inside each step, the partials added after the row; then the four rows normalized.
// CHECK-LABEL: func.func @row_center
// CHECK: kl.for %[[R:.*]] : "norm.i.0" in 2 parallel {
// CHECK: "mean.j.0" in 4 {
// CHECK-NEXT: "mean.i" in 4 {
// CHECK-NEXT: "mean.j.1" in 16 vectorized {
// CHECK-NEXT: kl.block "mean.rf"
// CHECK: kl.block "mean" [%[[R]],
// CHECK: "norm.i.1" in 4 {
// CHECK-NEXT: "norm.j" in 64 vectorized {
func.func @row_center(%X: memref<8x64xf32>, %Y: memref<8x64xf32>) attributes {kiln.kernel} {
  %m = memref.alloc() : memref<8x1xf32>
  kl.for %i : "mean.i" in 8 {
    kl.for %j : "mean.j" in 64 {
      kl.block "mean" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: reduce 64) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %m[%a, 0] : memref<8x1xf32>
      } {
        %x = affine.load %X[%vi, %vj] : memref<8x64xf32>
        %w = arith.constant 0.015625 : f32
        %xw = arith.mulf %x, %w fastmath<fast> : f32
        %acc = affine.load %m[%vi, 0] : memref<8x1xf32>
        %r = arith.addf %acc, %xw fastmath<fast> : f32
        affine.store %r, %m[%vi, 0] : memref<8x1xf32>
      }
    }
  }
  kl.for %i : "norm.i" in 8 {
    kl.for %j : "norm.j" in 64 {
      kl.block "norm" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 64) {
        %x = affine.load %X[%vi, %vj] : memref<8x64xf32>
        %t = affine.load %m[%vi, 0] : memref<8x1xf32>
        %r = arith.subf %x, %t fastmath<fast> : f32
        affine.store %r, %Y[%vi, %vj] : memref<8x64xf32>
      }
    }
  }
  return
}

// -----

// Softmax's shape: a row max, exp(x - max) over the whole row (read by the sum and by the
// division), the row sum, then the division; 128 columns, split into vectors. Every stage runs
// under the division's parallel row loop, the exp of a tile of 4 rows stored and read back
// there while in cache.
// CHECK-LABEL: func.func @row_softmax
// CHECK: kl.for %[[R:.*]] : "div.i.0" in 2 parallel {
// CHECK-NOT: parallel
// CHECK: kl.block "max.rf"
// CHECK: "exp.i" in 4 {
// CHECK-NEXT: "exp.j.0" in 8 {
// CHECK-NEXT: "exp.j.1" in 16 vectorized {
// CHECK-NEXT: kl.block "exp" [%[[R]],
// CHECK: kl.block "sum.rf"
// CHECK: kl.block "div" [%[[R]],
func.func @row_softmax(%X: memref<8x128xf32>, %Y: memref<8x128xf32>) attributes {kiln.kernel} {
  %m = memref.alloc() : memref<8x1xf32>
  %e = memref.alloc() : memref<8x128xf32>
  %s = memref.alloc() : memref<8x1xf32>
  kl.for %i : "max.i" in 8 {
    kl.for %j : "max.j" in 128 {
      kl.block "max" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: reduce 128) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant -3.0e+38 : f32
        affine.store %z, %m[%a, 0] : memref<8x1xf32>
      } {
        %x = affine.load %X[%vi, %vj] : memref<8x128xf32>
        %acc = affine.load %m[%vi, 0] : memref<8x1xf32>
        %r = arith.maximumf %acc, %x : f32
        affine.store %r, %m[%vi, 0] : memref<8x1xf32>
      }
    }
  }
  kl.for %i : "exp.i" in 8 {
    kl.for %j : "exp.j" in 128 {
      kl.block "exp" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 128) {
        %x = affine.load %X[%vi, %vj] : memref<8x128xf32>
        %t = affine.load %m[%vi, 0] : memref<8x1xf32>
        %d = arith.subf %x, %t fastmath<fast> : f32
        %r = math.exp %d fastmath<fast> : f32
        affine.store %r, %e[%vi, %vj] : memref<8x128xf32>
      }
    }
  }
  kl.for %i : "sum.i" in 8 {
    kl.for %j : "sum.j" in 128 {
      kl.block "sum" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: reduce 128) init {
      ^bb0(%a: index, %b: index):
        %z = arith.constant 0.0 : f32
        affine.store %z, %s[%a, 0] : memref<8x1xf32>
      } {
        %x = affine.load %e[%vi, %vj] : memref<8x128xf32>
        %acc = affine.load %s[%vi, 0] : memref<8x1xf32>
        %r = arith.addf %acc, %x fastmath<fast> : f32
        affine.store %r, %s[%vi, 0] : memref<8x1xf32>
      }
    }
  }
  kl.for %i : "div.i" in 8 {
    kl.for %j : "div.j" in 128 {
      kl.block "div" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 8, %vj: spatial 128) {
        %x = affine.load %e[%vi, %vj] : memref<8x128xf32>
        %t = affine.load %s[%vi, 0] : memref<8x1xf32>
        %r = arith.divf %x, %t fastmath<fast> : f32
        affine.store %r, %Y[%vi, %vj] : memref<8x128xf32>
      }
    }
  }
  return
}
