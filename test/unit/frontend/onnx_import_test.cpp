// ONNX importer: models built in memory import to verified kg modules with the expected ops.
#include "onnx_test_util.h"

#include "compiler/frontend/onnx/Registry.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <limits>

using namespace kiln::onnx_test;
using kiln::onnx_frontend::ConverterRegistry;
using kiln::onnx_frontend::ImportOptions;

namespace {

std::string typeText(mlir::Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

// Conv + BN + Relu + pool + Flatten + Gemm: a small CNN as torch exports it.
onnx::ModelProto makeCnn() {
  auto model = makeModel(13);
  addInput(model, "image", {1, 3, 8, 8});
  addWeights(model, "conv.w", {4, 3, 3, 3});
  addWeights(model, "conv.b", {4});
  for (const char *p : {"bn.scale", "bn.bias", "bn.mean", "bn.var"})
    addWeights(model, p, {4});
  addWeights(model, "fc.w", {10, 4});
  addWeights(model, "fc.b", {10});
  auto *conv = addNode(model, "Conv", {"image", "conv.w", "conv.b"}, {"c"}, "conv1");
  setInts(conv, "pads", {1, 1, 1, 1});
  setInts(conv, "kernel_shape", {3, 3});
  addNode(model, "BatchNormalization", {"c", "bn.scale", "bn.bias", "bn.mean", "bn.var"}, {"bn"});
  addNode(model, "Relu", {"bn"}, {"r"});
  addNode(model, "GlobalAveragePool", {"r"}, {"p"});
  addNode(model, "Flatten", {"p"}, {"f"});
  setInt(addNode(model, "Gemm", {"f", "fc.w", "fc.b"}, {"logits"}), "transB", 1);
  addOutput(model, "logits");
  return model;
}

TEST(OnnxImport, CnnImportsAndVerifies) {
  mlir::MLIRContext ctx;
  auto result = import(ctx, makeCnn());
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_TRUE(mlir::succeeded(mlir::verify(*result.module)));
  auto main = result.main();
  ASSERT_TRUE(main);
  EXPECT_EQ(typeText(main.getFunctionType()), "(tensor<1x3x8x8xf32>) -> tensor<1x10xf32>");
  EXPECT_EQ(result.count("kg.conv"), 1);
  EXPECT_EQ(result.count("kg.batch_norm"), 1);
  EXPECT_EQ(result.count("kg.relu"), 1);
  EXPECT_EQ(result.count("kg.global_avg_pool"), 1);
  EXPECT_EQ(result.count("kg.reshape"), 1);
  EXPECT_EQ(result.count("kg.gemm"), 1);
  EXPECT_EQ(main.getArgAttrOfType<mlir::StringAttr>(0, "kg.name").getValue(), "image");
  EXPECT_EQ(main.getResultAttrOfType<mlir::StringAttr>(0, "kg.name").getValue(), "logits");

  // The 108-element conv weight is a blob, the 4-element bias inline; the text parses back.
  std::string text = result.text();
  EXPECT_NE(text.find("dense_resource<conv.w>"), std::string::npos) << text;
  EXPECT_NE(text.find("dense<[0.000000e+00, 0.00999999977"), std::string::npos) << text;
  mlir::MLIRContext reparse;
  reparse.loadDialect<mlir::func::FuncDialect, kiln::graph::KilnGraphDialect>();
  EXPECT_TRUE(mlir::parseSourceString<mlir::ModuleOp>(text, &reparse));
}

// Shape → Gather → Unsqueeze → Concat → Reshape, as exporters write x.view(x.size(0), -1).
TEST(OnnxImport, ShapeChainFoldsIntoOneReshape) {
  auto model = makeModel(13);
  addInput(model, "x", {2, 3, 4});
  addInts(model, "zero", {0}, /*scalar=*/true);
  addInts(model, "axes0", {0});
  addInts(model, "minus_one", {-1});
  addNode(model, "Shape", {"x"}, {"shape"});
  addNode(model, "Gather", {"shape", "zero"}, {"batch"});
  addNode(model, "Unsqueeze", {"batch", "axes0"}, {"batch1"});
  setInt(addNode(model, "Concat", {"batch1", "minus_one"}, {"target"}), "axis", 0);
  addNode(model, "Reshape", {"x", "target"}, {"y"});
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(typeText(result.main().getFunctionType()), "(tensor<2x3x4xf32>) -> tensor<2x12xf32>");
  EXPECT_EQ(result.count("kg.reshape"), 1) << result.text();
  EXPECT_EQ(result.count("kg.shape"), 0);
  EXPECT_EQ(result.count("kg.gather"), 0);
  EXPECT_EQ(result.count("kg.concat"), 0);
  EXPECT_EQ(result.count("kg.constant"), 0) << "folded shape constants are left behind";
}

TEST(OnnxImport, SymbolicDimIsSpecialisedByInputShapes) {
  auto model = makeModel(13);
  addInput(model, "x", {-1, 4});
  addNode(model, "Relu", {"x"}, {"y"});
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto unspecialised = import(ctx, model);
  EXPECT_FALSE(unspecialised.module);
  EXPECT_NE(unspecialised.error.find("input 'x' dim 0 ('N') is symbolic"), std::string::npos)
      << unspecialised.error;
  EXPECT_NE(unspecialised.error.find("--input-shape x="), std::string::npos);

  ImportOptions opts;
  opts.inputShapes.push_back({"x", {5, 4}});
  auto result = import(ctx, model, opts);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(typeText(result.main().getFunctionType()), "(tensor<5x4xf32>) -> tensor<5x4xf32>");

  opts.inputShapes = {{"x", {5, 3}}};
  auto conflicting = import(ctx, model, opts);
  EXPECT_FALSE(conflicting.module);
  EXPECT_NE(conflicting.error.find("fixes it at 4"), std::string::npos) << conflicting.error;
}

// Softmax-1..12 flattens to 2-D from the axis; Softmax-13 works on one axis.
TEST(OnnxImport, SoftmaxSemanticsFollowTheOpset) {
  for (int64_t opset : {11, 13}) {
    auto model = makeModel(opset);
    addInput(model, "x", {2, 3, 4});
    setInt(addNode(model, "Softmax", {"x"}, {"y"}), "axis", 1);
    addOutput(model, "y");
    mlir::MLIRContext ctx;
    auto result = import(ctx, model);
    ASSERT_TRUE(result.module) << result.error;
    EXPECT_EQ(result.count("kg.softmax"), 1);
    EXPECT_EQ(result.count("kg.reshape"), opset == 11 ? 2 : 0) << result.text();
    if (opset == 11)
      EXPECT_NE(result.text().find("tensor<2x12xf32>"), std::string::npos);
  }
}

TEST(OnnxImport, SliceBoundsAreNormalized) {
  auto model = makeModel(13);
  addInput(model, "x", {10, 6});
  int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  addInts(model, "starts", {-1, 1});
  addInts(model, "ends", {small, big});
  addInts(model, "axes", {0, -1});
  addInts(model, "steps", {-1, 2});
  addNode(model, "Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"});
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  std::string text = result.text();
  EXPECT_NE(text.find("sizes = array<i64: 10, 3>, starts = array<i64: 9, 1>, "
                      "steps = array<i64: -1, 2>"),
            std::string::npos)
      << text;
}

TEST(OnnxImport, ClipTakesConstantBoundsAndHardSigmoidExpands) {
  auto model = makeModel(13);
  addInput(model, "x", {4});
  auto *lo = model.mutable_graph()->add_initializer();
  lo->set_name("lo");
  lo->set_data_type(onnx::TensorProto::FLOAT);
  lo->add_float_data(-1.5f);
  addNode(model, "Clip", {"x", "lo"}, {"c"});
  addNode(model, "HardSigmoid", {"c"}, {"y"});
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  std::string text = result.text();
  EXPECT_NE(text.find("max = 0x7F800000 : f32, min = -1.500000e+00 : f32"), std::string::npos)
      << text;
  EXPECT_EQ(result.count("kg.clip"), 2);
  EXPECT_EQ(result.count("kg.mul"), 1);
  EXPECT_EQ(result.count("kg.add"), 1);
}

TEST(OnnxImport, ClipWithRuntimeBoundsIsMaxThenMin) {
  auto model = makeModel(13);
  addInput(model, "x", {4}, onnx::TensorProto::INT8);
  addInput(model, "lo", {}, onnx::TensorProto::INT8);
  addInput(model, "hi", {}, onnx::TensorProto::INT8);
  addNode(model, "Clip", {"x", "lo", "hi"}, {"y"});
  addOutput(model, "y", onnx::TensorProto::INT8);
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(result.count("kg.max"), 1) << result.text();
  EXPECT_EQ(result.count("kg.min"), 1) << result.text();
  EXPECT_EQ(result.count("kg.clip"), 0) << result.text();
}

// ReduceMean-18 takes its axes as an input; libonnx 1.12 knows opsets up to 17, so its
// inference is skipped rather than applied with ReduceMean-13's attribute semantics.
TEST(OnnxImport, ReduceMeanAxesComeFromAnInputFromOpset18) {
  auto model = makeModel(18);
  addInput(model, "x", {2, 3, 4});
  addInts(model, "axes", {-2});
  setInt(addNode(model, "ReduceMean", {"x", "axes"}, {"y"}), "keepdims", 0);
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(typeText(result.main().getFunctionType()), "(tensor<2x3x4xf32>) -> tensor<2x4xf32>");
  EXPECT_NE(result.text().find("axes = array<i64: 1>"), std::string::npos);
}

TEST(OnnxImport, RegistryPicksTheLatestConverterNotAfterTheOpset) {
  const ConverterRegistry &registry = ConverterRegistry::get();
  EXPECT_EQ(registry.lookup("Softmax", 12), registry.lookup("Softmax", 1));
  EXPECT_NE(registry.lookup("Softmax", 13), registry.lookup("Softmax", 12));
  EXPECT_EQ(registry.lookup("Softmax", 20), registry.lookup("Softmax", 13));
  EXPECT_NE(registry.lookup("ReduceSum", 13), registry.lookup("ReduceSum", 12));
  EXPECT_EQ(registry.lookup("ReduceMean", 17), registry.lookup("ReduceMean", 13));
  EXPECT_NE(registry.lookup("ReduceMean", 18), registry.lookup("ReduceMean", 17));
  EXPECT_NE(registry.lookup("Add", 6), registry.lookup("Add", 7)); // legacy broadcast attribute
  EXPECT_EQ(registry.lookup("LayerNormalization", 16), nullptr);
  EXPECT_NE(registry.lookup("LayerNormalization", 17), nullptr);
  EXPECT_EQ(registry.lookup("NoSuchOp", 13), nullptr);
  auto entries = registry.entries();
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end()));
}

} // namespace
