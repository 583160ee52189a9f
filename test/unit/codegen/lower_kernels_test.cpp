// Kernel lowering keeps an intermediate as workspace scratch only while some other nest reads
// it: once the schedule fuses its consumer into the producer's loop, codegen shrinks it to a
// tile on the stack (passes/schedule/BufferCompaction) and the kernel asks for no scratch.
#include "codegen/cpu/LowerKernels.h"

#include "ir/loop/LoopDialect.h"
#include "passes/schedule/Schedule.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include "test/unit/schedule/kernels.inc"

using namespace mlir;
using namespace kiln;

namespace {

std::vector<int64_t> scratchAfter(const std::vector<schedule::TraceStep> &steps) {
  MLIRContext context;
  context.loadDialect<func::FuncDialect, arith::ArithDialect, math::MathDialect,
                      memref::MemRefDialect, affine::AffineDialect, scf::SCFDialect,
                      loop::KilnLoopDialect>();
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(kMatmulBiasRelu, &context);
  EXPECT_TRUE(module);
  schedule::Schedule s(*module->getOps<func::FuncOp>().begin());
  for (const schedule::TraceStep &step : steps)
    EXPECT_TRUE(succeeded(s.apply(step))) << s.lastError();
  FailureOr<std::vector<codegen::LoweredKernel>> kernels = codegen::lowerKernels(*module);
  EXPECT_TRUE(succeeded(kernels));
  return succeeded(kernels) && kernels->size() == 1 ? kernels->front().scratchBytes
                                                     : std::vector<int64_t>{-1};
}

TEST(LowerKernels, FusedIntermediatesNeedNoScratch) {
  // Unscheduled: the matmul's and the add's results are read by the next nests, 6x12 floats.
  EXPECT_EQ(scratchAfter({}), (std::vector<int64_t>{288, 288}));
  // The add and the ReLU moved under the matmul's row tiles: both shrink to 2-row tiles.
  EXPECT_EQ(scratchAfter({{"split", {"matmul.i"}, {-1, 2}},
                          {"reorder", {"matmul.i.0", "matmul.k", "matmul.i.1", "matmul.j"}, {}},
                          {"reverse_compute_at", {"add", "matmul.i.0"}, {}},
                          {"reverse_compute_at", {"relu", "matmul.i.0"}, {}}}),
            std::vector<int64_t>{});
}

} // namespace
