// ONNX importer: ConvTranspose, the quantized products and the recurrent cells import to the
// expected kg ops, and what they cannot support is rejected naming the node and attribute.
#include "onnx_test_util.h"

#include <gtest/gtest.h>

using namespace kiln::onnx_test;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                                 \
      << "expected \"" << needle << "\" in: " << haystack

void setStrings(onnx::NodeProto *node, const std::string &name,
                const std::vector<std::string> &values) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (const auto &v : values)
    a->add_strings(v);
}

// An LSTM over 5 steps, batch 1, input 3, hidden 2.
onnx::ModelProto makeLstm(onnx::NodeProto **node) {
  auto model = makeModel(14);
  addInput(model, "x", {5, 1, 3});
  addWeights(model, "w", {1, 8, 3});
  addWeights(model, "r", {1, 8, 2});
  *node = addNode(model, "LSTM", {"x", "w", "r"}, {"", "h"}, "lstm");
  setInt(*node, "hidden_size", 2);
  addOutput(model, "h");
  return model;
}

TEST(OnnxConvQuantRecurrent, LstmUnrollsOverTheSequence) {
  onnx::NodeProto *node;
  auto model = makeLstm(&node);
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  // One input projection for all steps plus one recurrent product per step.
  EXPECT_EQ(result.count("kg.gemm"), 1 + 5);
  EXPECT_EQ(result.count("kg.concat"), 0) << "Y is unused and must not be assembled";
}

TEST(OnnxConvQuantRecurrent, UnsupportedRecurrentModesAreRejected) {
  mlir::MLIRContext ctx;
  onnx::NodeProto *node;
  auto model = makeLstm(&node);
  setInt(node, "input_forget", 1);
  auto forget = import(ctx, model);
  EXPECT_FALSE(forget.module);
  EXPECT_CONTAINS(forget.error, "node 'lstm' (LSTM, opset 14): input_forget = 1 is not supported");

  model = makeLstm(&node);
  setStrings(node, "activations", {"Sigmoid", "Elu", "Tanh"});
  auto elu = import(ctx, model);
  EXPECT_FALSE(elu.module);
  EXPECT_CONTAINS(elu.error, "activation 'elu' is not supported");

  model = makeLstm(&node);
  addInts(model, "lens", {3});
  auto *inputs = node->mutable_input();
  inputs->Clear();
  for (const char *name : {"x", "w", "r", "", "lens"})
    inputs->Add(name);
  auto lens = import(ctx, model);
  EXPECT_FALSE(lens.module);
  EXPECT_CONTAINS(lens.error, "sequence_lens shorter than the sequence (5 steps)");
}

TEST(OnnxConvQuantRecurrent, ConvTransposeOutputShapeSetsThePads) {
  auto model = makeModel(11);
  addInput(model, "x", {1, 1, 3, 3});
  addWeights(model, "w", {1, 2, 3, 3});
  auto *node = addNode(model, "ConvTranspose", {"x", "w"}, {"y"}, "up");
  setInts(node, "strides", {3, 2});
  setInts(node, "output_shape", {10, 8});
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  // Natural size 9 x 7: one extra row and column, added at the end (negative end pads).
  EXPECT_CONTAINS(result.text(), "pads = array<i64: 0, 0, -1, -1>");
  EXPECT_CONTAINS(result.text(), "-> tensor<1x2x10x8xf32>");
}

TEST(OnnxConvQuantRecurrent, ConvTransposeChannelMismatchNamesTheNode) {
  auto model = makeModel(11);
  addInput(model, "x", {1, 3, 4, 4});
  addWeights(model, "w", {4, 2, 3, 3});
  addNode(model, "ConvTranspose", {"x", "w"}, {"y"}, "up");
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "node 'up' (ConvTranspose, opset 11): ");
  EXPECT_CONTAINS(result.error, "input has 3 channels but the weight 4x2x3x3 expects 4");
}

TEST(OnnxConvQuantRecurrent, IntegerProductsNeedEightBitOperands) {
  auto model = makeModel(10);
  addInput(model, "a", {2, 3});
  addInput(model, "b", {3, 4});
  addNode(model, "MatMulInteger", {"a", "b"}, {"y"}, "mmi");
  addOutput(model, "y", onnx::TensorProto::INT32);
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "node 'mmi' (MatMulInteger, opset 10): A must be int8 or uint8");
}

} // namespace
