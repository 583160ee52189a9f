// Shared fixture of the task tests: a kg module with four task functions, lowered to kl
// kernels by the graph-to-loop conversion, as the compiler does before tuning.
#ifndef KILN_TEST_UNIT_AUTOTUNER_TASK_LOWEREDMODEL_H
#define KILN_TEST_UNIT_AUTOTUNER_TASK_LOWEREDMODEL_H

#include "compiler/registration/Registration.h"
#include "passes/conversion/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

namespace kiln::autotuner::test {

// @mm_relu_a and @mm_relu_b are the same matmul + relu under different names; @mm_alone is a
// plain 6x8 @ 8x5 matmul; @mm_relu_wide differs from @mm_relu_a only in N (5 instead of 3).
// Module order (the order of first use): a, alone, b, wide.
inline const char *kGraphModule = R"mlir(
func.func private @mm_relu_a(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> attributes {kiln.task} {
  %m = kg.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %r = kg.relu %m : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
func.func private @mm_alone(%a: tensor<6x8xf32>, %b: tensor<8x5xf32>) -> tensor<6x5xf32> attributes {kiln.task} {
  %m = kg.matmul %a, %b : (tensor<6x8xf32>, tensor<8x5xf32>) -> tensor<6x5xf32>
  return %m : tensor<6x5xf32>
}
func.func private @mm_relu_b(%x: tensor<4x8xf32>, %y: tensor<8x3xf32>) -> tensor<4x3xf32> attributes {kiln.task} {
  %m = kg.matmul %x, %y : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %r = kg.relu %m : tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
func.func private @mm_relu_wide(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> attributes {kiln.task} {
  %m = kg.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  %r = kg.relu %m : tensor<4x5xf32>
  return %r : tensor<4x5xf32>
}
)mlir";

class LoweredModel : public ::testing::Test {
protected:
  LoweredModel() : context(makeRegistry()) { context.loadAllAvailableDialects(); }

  static mlir::DialectRegistry makeRegistry() {
    mlir::DialectRegistry registry;
    registerKilnDialects(registry);
    return registry;
  }

  void SetUp() override {
    module = mlir::parseSourceString<mlir::ModuleOp>(kGraphModule, &context);
    ASSERT_TRUE(module);
    mlir::PassManager pm(&context);
    pm.addPass(conversion::createLowerGraphToLoop());
    ASSERT_TRUE(mlir::succeeded(pm.run(*module)));
  }

  mlir::func::FuncOp kernel(llvm::StringRef task) {
    return module->lookupSymbol<mlir::func::FuncOp>(conversion::kernelNameFor(task));
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace kiln::autotuner::test

#endif
