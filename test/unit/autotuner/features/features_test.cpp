// Program features: schedule primitives show up in the features they should move, the vector
// has one name per entry, and it stays finite on real (default-scheduled) kernels.
#include "autotuner/features/ProgramFeatures.h"

#include "ir/loop/LoopDialect.h"
#include "passes/schedule/DefaultSchedule.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

#include "test/unit/schedule/kernels.inc"

using namespace mlir;
using namespace kiln;

namespace {

const char *kAdd = R"mlir(
func.func @add(%A: memref<64x64xf32>, %B: memref<64x64xf32>, %C: memref<64x64xf32>) attributes {kiln.kernel} {
  kl.for %i : "i" in 64 {
    kl.for %j : "j" in 64 {
      kl.block "add" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 64, %vj: spatial 64) {
        %x = affine.load %A[%vi, %vj] : memref<64x64xf32>
        %y = affine.load %B[%vi, %vj] : memref<64x64xf32>
        %s = arith.addf %x, %y : f32
        affine.store %s, %C[%vi, %vj] : memref<64x64xf32>
      }
    }
  }
  return
}
)mlir";

const char *kTranspose = R"mlir(
func.func @transpose(%A: memref<64x64xf32>, %C: memref<64x64xf32>) attributes {kiln.kernel} {
  kl.for %i : "i" in 64 {
    kl.for %j : "j" in 64 {
      kl.block "t" [%i, %j] affine_map<(d0, d1) -> (d0, d1)> iter_vars(%vi: spatial 64, %vj: spatial 64) {
        %x = affine.load %A[%vj, %vi] : memref<64x64xf32>
        affine.store %x, %C[%vi, %vj] : memref<64x64xf32>
      }
    }
  }
  return
}
)mlir";

class FeaturesTest : public ::testing::Test {
protected:
  FeaturesTest() {
    context.loadDialect<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                        memref::MemRefDialect, affine::AffineDialect, loop::KilnLoopDialect>();
  }

  func::FuncOp parse(const char *text) {
    modules.push_back(parseSourceString<ModuleOp>(text, &context));
    EXPECT_TRUE(modules.back());
    return *modules.back()->getOps<func::FuncOp>().begin();
  }

  // The value of the named feature in `features`.
  static float at(const std::vector<float> &features, const std::string &name) {
    static const std::vector<std::string> names = autotuner::programFeatureNames();
    auto it = std::find(names.begin(), names.end(), name);
    EXPECT_NE(it, names.end()) << name;
    return it == names.end() ? NAN : features[it - names.begin()];
  }

  // The first buffer slot of the heaviest block whose `flag` is set.
  static int slotWith(const std::vector<float> &f, const std::string &flag) {
    for (int k = 0; k < 5; ++k)
      if (at(f, "top.buf" + std::to_string(k) + "." + flag) == 1)
        return k;
    return -1;
  }

  static void expectFinite(const std::vector<float> &features) {
    ASSERT_EQ(features.size(), autotuner::programFeatureNames().size());
    for (size_t i = 0; i < features.size(); ++i)
      EXPECT_TRUE(std::isfinite(features[i])) << autotuner::programFeatureNames()[i];
  }

  MLIRContext context;
  std::vector<OwningOpRef<ModuleOp>> modules;
};

TEST_F(FeaturesTest, NamesMatchVectorAndAreUnique) {
  std::vector<std::string> names = autotuner::programFeatureNames();
  std::vector<float> features = autotuner::extractProgramFeatures(parse(kAdd));
  EXPECT_EQ(names.size(), features.size());
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
}

TEST_F(FeaturesTest, VectorizedDiffersFromScalar) {
  std::vector<float> scalar = autotuner::extractProgramFeatures(parse(kAdd));
  func::FuncOp kernel = parse(kAdd);
  schedule::Schedule s(kernel);
  ASSERT_TRUE(succeeded(s.split("j", {4, 16}))) << s.lastError();
  ASSERT_TRUE(succeeded(s.vectorize("j.1"))) << s.lastError();
  std::vector<float> vectorized = autotuner::extractProgramFeatures(kernel);

  EXPECT_EQ(at(scalar, "top.vector_lanes"), 0);
  EXPECT_FLOAT_EQ(at(vectorized, "top.vector_lanes"), std::log2(17.0f));
  EXPECT_EQ(at(scalar, "top.vector_innermost"), 0);
  EXPECT_EQ(at(vectorized, "top.vector_innermost"), 1);
  EXPECT_EQ(at(vectorized, "max.vector_innermost"), 1);
  // Same work either way.
  EXPECT_EQ(at(scalar, "sum.flops"), at(vectorized, "sum.flops"));
  EXPECT_EQ(at(scalar, "sum.iterations"), at(vectorized, "sum.iterations"));
  // Every buffer is unit-stride along the vector loop.
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(at(vectorized, "top.buf" + std::to_string(k) + ".stride_unit"), 1);
}

TEST_F(FeaturesTest, ParallelLoopShows) {
  std::vector<float> serial = autotuner::extractProgramFeatures(parse(kAdd));
  func::FuncOp kernel = parse(kAdd);
  schedule::Schedule s(kernel);
  ASSERT_TRUE(succeeded(s.parallel("i"))) << s.lastError();
  std::vector<float> parallel = autotuner::extractProgramFeatures(kernel);

  EXPECT_EQ(at(serial, "top.outer_parallel"), 0);
  EXPECT_EQ(at(parallel, "top.outer_parallel"), 1);
  EXPECT_FLOAT_EQ(at(parallel, "top.parallel_extent"), std::log2(65.0f));
  EXPECT_EQ(at(serial, "kernel.parallel_work_share"), 0);
  EXPECT_EQ(at(parallel, "kernel.parallel_work_share"), 1);
  EXPECT_LT(at(parallel, "top.work_per_thread"), at(serial, "top.work_per_thread"));
}

TEST_F(FeaturesTest, TransposedAccessHasLargeStride) {
  std::vector<float> f = autotuner::extractProgramFeatures(parse(kTranspose));
  int read = slotWith(f, "read"), write = slotWith(f, "write");
  ASSERT_GE(read, 0);
  ASSERT_GE(write, 0);
  std::string r = "top.buf" + std::to_string(read) + ".";
  std::string w = "top.buf" + std::to_string(write) + ".";
  EXPECT_EQ(at(f, r + "stride_large"), 1);
  EXPECT_FLOAT_EQ(at(f, r + "stride"), std::log2(65.0f));
  EXPECT_EQ(at(f, w + "stride_unit"), 1);
  // Each column walk touches a new line per element; the row walk one per 16 floats.
  EXPECT_GT(at(f, r + "lines"), at(f, w + "lines"));
  // Both cover the whole 16 KiB buffer.
  EXPECT_FLOAT_EQ(at(f, r + "unique_bytes"), std::log2(1.0f + 64 * 64 * 4));
}

TEST_F(FeaturesTest, MatmulReuseAndAccumulator) {
  std::vector<float> f = autotuner::extractProgramFeatures(parse(kMatmulBiasRelu));
  expectFinite(f);
  // The matmul block is the heaviest: 6*12*10 iterations with a multiply-add each.
  EXPECT_FLOAT_EQ(at(f, "top.iterations"), std::log2(1.0f + 720));
  EXPECT_FLOAT_EQ(at(f, "top.float_fma_like"), std::log2(1.0f + 720));
  EXPECT_EQ(at(f, "top.reduction"), 1);
  EXPECT_EQ(at(f, "top.has_init"), 1);
  // i, j, k: the reduction is innermost, so the accumulator is a scalar in a register, and
  // the output (loaded and stored) is reused along k.
  EXPECT_EQ(at(f, "top.reduce_innermost"), 1);
  EXPECT_EQ(at(f, "top.accumulator_in_registers"), 1);
  int write = slotWith(f, "write");
  ASSERT_GE(write, 0);
  EXPECT_EQ(at(f, "top.buf" + std::to_string(write) + ".reuse_loop"), 1);
  EXPECT_EQ(at(f, "top.buf" + std::to_string(write) + ".stride_zero"), 1);
  EXPECT_FLOAT_EQ(at(f, "top.buf" + std::to_string(write) + ".reuse_count"), std::log2(11.0f));

  // Moving k outside j: the accumulator row is no longer a register.
  func::FuncOp kernel = parse(kMatmulBiasRelu);
  schedule::Schedule s(kernel);
  ASSERT_TRUE(succeeded(s.reorder({"matmul.i", "matmul.k", "matmul.j"}))) << s.lastError();
  std::vector<float> g = autotuner::extractProgramFeatures(kernel);
  EXPECT_EQ(at(g, "top.reduce_innermost"), 0);
  EXPECT_EQ(at(g, "top.accumulator_in_registers"), 0);
  EXPECT_NE(f, g);
}

TEST_F(FeaturesTest, TileSizesChangeFootprints) {
  auto tiled = [&](int64_t inner) {
    func::FuncOp kernel = parse(kAdd);
    schedule::Schedule s(kernel);
    EXPECT_TRUE(succeeded(s.split("j", {64 / inner, inner}))) << s.lastError();
    EXPECT_TRUE(succeeded(s.reorder({"i", "j.0", "j.1"}))) << s.lastError();
    EXPECT_TRUE(succeeded(s.split("i", {8, 8}))) << s.lastError();
    EXPECT_TRUE(succeeded(s.reorder({"i.0", "j.0", "i.1", "j.1"}))) << s.lastError();
    return autotuner::extractProgramFeatures(kernel);
  };
  std::vector<float> a = tiled(8), b = tiled(32);
  expectFinite(a);
  EXPECT_LT(at(a, "top.footprint_inner2"), at(b, "top.footprint_inner2"));
  EXPECT_EQ(at(a, "sum.flops"), at(b, "sum.flops"));
}

TEST_F(FeaturesTest, FiniteOnDefaultScheduledKernels) {
  for (const char *text : {kMatmulBiasRelu, kConvBiasRelu, kRowReduce, kAdd, kTranspose}) {
    expectFinite(autotuner::extractProgramFeatures(parse(text)));
    func::FuncOp kernel = parse(text);
    schedule::Schedule s(kernel);
    ASSERT_TRUE(succeeded(schedule::applyDefaultSchedule(kernel, s)));
    std::vector<float> f = autotuner::extractProgramFeatures(kernel);
    expectFinite(f);
    for (float v : f)
      EXPECT_GE(v, 0);
  }
}

TEST_F(FeaturesTest, EmptyKernelGivesZeros) {
  func::FuncOp kernel = parse(R"mlir(
func.func @empty(%A: memref<4xf32>) attributes {kiln.kernel} {
  return
}
)mlir");
  std::vector<float> f = autotuner::extractProgramFeatures(kernel);
  ASSERT_EQ(f.size(), autotuner::programFeatureNames().size());
  for (float v : f)
    EXPECT_EQ(v, 0);
}

} // namespace
