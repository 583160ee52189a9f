// Algorithm variants (kiln-winograd's forms) as tuning tasks: each Winograd form's task knows
// the direct form it stands for (TuningTask::formOf), and a build keeps the form whose best
// record is fastest, calling it from @main with its transformed weight.
#include "autotuner/database/Database.h"
#include "autotuner/task/Task.h"
#include "autotuner/task/Variants.h"
#include "compiler/registration/Registration.h"
#include "passes/conversion/Passes.h"
#include "passes/graph/Passes.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace kiln;
using namespace kiln::autotuner;

namespace {

constexpr const char *kTarget = "x86_64-test/cpu";

// One 3x3 convolution task: kiln-winograd gives it two Winograd forms.
constexpr const char *kConvModule = R"mlir(
func.func @main(%x: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  %w = kg.constant dense<1.0> : tensor<3x3x16x16xf32> : tensor<3x3x16x16xf32>
  %0 = call @conv(%x, %w) : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32>
  return %0 : tensor<1x8x8x16xf32>
}
func.func private @conv(%x: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32> attributes {kiln.task} {
  %c = kg.conv %x, %w {channels_last, dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x8x8x16xf32>, tensor<3x3x16x16xf32>) -> tensor<1x8x8x16xf32>
  return %c : tensor<1x8x8x16xf32>
}
)mlir";

class VariantsTest : public ::testing::Test {
protected:
  VariantsTest() : context(makeRegistry()) { context.loadAllAvailableDialects(); }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerKilnDialects(registry);
    return registry;
  }

  void SetUp() override {
    module = parseSourceString<ModuleOp>(kConvModule, &context);
    ASSERT_TRUE(module);
    PassManager pm(&context);
    pm.addPass(graph::createWinograd());
    pm.addPass(conversion::createLowerGraphToLoop());
    ASSERT_TRUE(succeeded(pm.run(*module)));
    ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("variants", "jsonl", dbPath));
    llvm::sys::fs::remove(dbPath);
  }
  void TearDown() override { llvm::sys::fs::remove(dbPath); }

  std::string keyOf(llvm::StringRef task) {
    return workloadKey(module->lookupSymbol<func::FuncOp>(conversion::kernelNameFor(task)));
  }

  // A database with one record of latency `seconds` per (task, seconds) pair.
  std::unique_ptr<Database> database(std::vector<std::pair<std::string, double>> latencies) {
    auto db = Database::open(dbPath, /*create=*/true);
    EXPECT_TRUE(bool(db));
    for (auto &[task, seconds] : latencies) {
      TuningRecord record;
      record.workloadKey = keyOf(task);
      record.target = kTarget;
      record.taskName = task;
      record.source = "default";
      record.trace = llvm::json::Array{};
      record.latenciesSec = {seconds};
      record.time = currentTimeUTC();
      EXPECT_FALSE(bool((*db)->append(record)));
    }
    return std::move(*db);
  }

  func::CallOp mainCall() {
    func::CallOp call;
    module->lookupSymbol<func::FuncOp>("main").walk([&](func::CallOp c) { call = c; });
    return call;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  llvm::SmallString<128> dbPath;
};

TEST_F(VariantsTest, EachFormIsATaskStandingForTheDirectOne) {
  std::vector<TuningTask> tasks = extractTasks(*module);
  ASSERT_EQ(tasks.size(), 3u);
  std::string direct = keyOf("conv");
  for (const TuningTask &task : tasks) {
    EXPECT_EQ(task.formOf, direct) << task.name;
    EXPECT_EQ(task.workloadKey == direct, task.name == "conv") << task.name;
  }
}

TEST_F(VariantsTest, TheFastestFormIsCalledWithItsTransformedWeight) {
  auto db = database({{"conv", 3e-3}, {"conv_winograd2", 2e-3}, {"conv_winograd4", 1e-3}});
  std::vector<std::string> choices;
  ASSERT_TRUE(succeeded(chooseVariants(*module, db.get(), kTarget, choices)));
  ASSERT_EQ(choices.size(), 1u);
  EXPECT_EQ(choices[0], "conv runs as conv_winograd4");
  func::CallOp call = mainCall();
  EXPECT_EQ(call.getCallee(), "conv_winograd4");
  EXPECT_EQ(llvm::cast<RankedTensorType>(call.getOperand(1).getType()).getShape(),
            ArrayRef<int64_t>({6, 6, 16, 16}));
  for (const char *gone : {"conv", "conv_kernel", "conv_winograd2", "conv_winograd2_kernel"})
    EXPECT_FALSE(module->lookupSymbol(gone)) << gone;
  auto chosen = module->lookupSymbol<func::FuncOp>("conv_winograd4");
  EXPECT_FALSE(chosen->hasAttr("kiln.variant_of"));
  EXPECT_FALSE(chosen->hasAttr("kiln.variant_weight"));
  // The untransformed weight has no reader left.
  unsigned constants = 0;
  module->lookupSymbol<func::FuncOp>("main").walk([&](graph::ConstantOp) { ++constants; });
  EXPECT_EQ(constants, 1u);
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(VariantsTest, TheDirectFormStaysWhenFastestOrUnmeasured) {
  for (auto latencies : {std::vector<std::pair<std::string, double>>{
                             {"conv", 1e-3}, {"conv_winograd2", 2e-3}, {"conv_winograd4", 3e-3}},
                         std::vector<std::pair<std::string, double>>{{"conv_winograd4", 1e-3}}}) {
    SetUp();
    auto db = database(latencies);
    std::vector<std::string> choices;
    ASSERT_TRUE(succeeded(chooseVariants(*module, db.get(), kTarget, choices)));
    EXPECT_TRUE(choices.empty());
    EXPECT_EQ(mainCall().getCallee(), "conv");
    EXPECT_FALSE(module->lookupSymbol("conv_winograd4_kernel"));
    EXPECT_FALSE(module->lookupSymbol("conv_winograd2"));
    EXPECT_TRUE(succeeded(verify(*module)));
    TearDown();
  }
}

} // namespace
