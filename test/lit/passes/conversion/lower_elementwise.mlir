// RUN: kiln-opt %s --split-input-file --kiln-lower-graph-to-loop | FileCheck %s

// Unsigned kg types pick unsigned arith ops on signless buffers; a comparison stores i1.
// CHECK-LABEL: func.func @task_unsigned_kernel
// CHECK-SAME: memref<4xi8>
// CHECK: kl.block "max"
// CHECK: arith.maxui
// CHECK: kl.block "greater"
// CHECK: arith.cmpi ugt
// CHECK: affine.store %{{.*}} : memref<4xi1>
func.func private @task_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xi1> attributes {kiln.task} {
  %m = kg.max %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %g = kg.greater %m, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  return %g : tensor<4xi1>
}

// -----

// Python's mod on signed integers fixes up remsi's sign with the divisor's; remsi divides by 1
// where the divisor is 0 (or -1) and the zero divisor then selects 0, so nothing traps.
// CHECK-LABEL: func.func @task_mod_kernel
// CHECK: kl.block "mod"
// CHECK: %[[SAFE:.*]] = arith.select %{{.*}}, %{{.*}}, %{{[0-9]+}}
// CHECK: %[[Q:.*]] = arith.remsi %{{.*}}, %[[SAFE]]
// CHECK: %[[R:.*]] = arith.select %{{.*}}, %{{.*}}, %[[Q]]
// CHECK: arith.addi %[[R]]
// CHECK: arith.select
func.func private @task_mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> attributes {kiln.task} {
  %m = kg.mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %m : tensor<4xi32>
}

// -----

// float32 -> bfloat16 keeps the upper half of the bits; float16 math runs in float32.
// CHECK-LABEL: func.func @task_halves_kernel
// CHECK: kl.block "cast"
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.shrui
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
// CHECK: kl.block "sin"
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: math.sin %{{.*}} : f32
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func private @task_halves(%a: tensor<4xf32>, %h: tensor<4xf16>) -> (tensor<4xbf16>, tensor<4xf16>) attributes {kiln.task} {
  %c = kg.cast %a : tensor<4xf32> -> tensor<4xbf16>
  %s = kg.sin %h : tensor<4xf16>
  return %c, %s : tensor<4xbf16>, tensor<4xf16>
}
