// ONNX importer: GridSample, DFT/STFT, the spectral windows, MaxUnpool, Det,
// DynamicQuantizeLinear and PRelu-6 compose into the expected kg ops, and what they cannot
// support is rejected naming the node and the reason.
#include "onnx_test_util.h"

#include <gtest/gtest.h>

using namespace kiln::onnx_test;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                                 \
      << "expected \"" << needle << "\" in: " << haystack

void setString(onnx::NodeProto *node, const std::string &name, const std::string &value) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(value);
}

onnx::ModelProto makeGridSample(const std::string &mode, std::vector<int64_t> gridDims) {
  auto model = makeModel(16);
  addInput(model, "x", {2, 3, 5, 4});
  addInput(model, "grid", gridDims);
  auto *node = addNode(model, "GridSample", {"x", "grid"}, {"y"}, "gs");
  setString(node, "mode", mode);
  addOutput(model, "y");
  return model;
}

TEST(OnnxSamplingSignal, GridSampleGathersOncePerTap) {
  mlir::MLIRContext ctx;
  auto bilinear = import(ctx, makeGridSample("bilinear", {2, 6, 7, 2}));
  ASSERT_TRUE(bilinear.module) << bilinear.error;
  EXPECT_EQ(bilinear.count("kg.gather_nd"), 4);
  EXPECT_CONTAINS(bilinear.text(), "-> tensor<2x3x6x7xf32>");
  auto bicubic = import(ctx, makeGridSample("bicubic", {2, 6, 7, 2}));
  ASSERT_TRUE(bicubic.module) << bicubic.error;
  EXPECT_EQ(bicubic.count("kg.gather_nd"), 16);
  auto nearest = import(ctx, makeGridSample("nearest", {2, 6, 7, 2}));
  ASSERT_TRUE(nearest.module) << nearest.error;
  EXPECT_EQ(nearest.count("kg.gather_nd"), 1);
}

TEST(OnnxSamplingSignal, GridSampleRejectsBadModesAndGrids) {
  mlir::MLIRContext ctx;
  auto linear = import(ctx, makeGridSample("linear", {2, 6, 7, 2}));
  EXPECT_FALSE(linear.module);
  EXPECT_CONTAINS(linear.error, "node 'gs' (GridSample, opset 16): mode 'linear' is not supported");
  auto grid = import(ctx, makeGridSample("bilinear", {2, 6, 7, 3}));
  EXPECT_FALSE(grid.module);
  EXPECT_CONTAINS(grid.error, "grid of shape 2x6x7x3 does not match X of shape 2x3x5x4");
}

TEST(OnnxSamplingSignal, DftIsOneMatMul) {
  mlir::MLIRContext ctx;
  auto model = makeModel(17);
  addInput(model, "x", {2, 10, 3, 1});
  addInts(model, "n", {16}, /*scalar=*/true);
  auto *node = addNode(model, "DFT", {"x", "n"}, {"y"}, "dft");
  setInt(node, "onesided", 1);
  addOutput(model, "y");
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(result.count("kg.matmul"), 1);
  // 10 real samples (zero-padded to 16) to 9 interleaved bins.
  EXPECT_CONTAINS(result.text(), "tensor<10x18xf32>");
  EXPECT_CONTAINS(result.text(), "-> tensor<2x9x3x2xf32>");

  setInt(node, "inverse", 1);
  auto inverse = import(ctx, model);
  EXPECT_FALSE(inverse.module);
  EXPECT_CONTAINS(inverse.error, "inverse with onesided is not supported");
}

TEST(OnnxSamplingSignal, StftFramesWithOneGather) {
  mlir::MLIRContext ctx;
  auto model = makeModel(17);
  addInput(model, "signal", {1, 64, 1});
  addInts(model, "step", {8}, /*scalar=*/true);
  addWeights(model, "window", {16});
  // Explicit: ONNX 1.12's shape inference takes onesided as 0 when the attribute is absent.
  setInt(addNode(model, "STFT", {"signal", "step", "window"}, {"y"}, "stft"), "onesided", 1);
  addOutput(model, "y");
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(result.count("kg.gather"), 1);
  EXPECT_EQ(result.count("kg.matmul"), 1);
  EXPECT_CONTAINS(result.text(), "-> tensor<1x7x9x2xf32>");

  // A run-time frame_step needs the declared output shape to compile.
  auto runtime = makeModel(17);
  addInput(runtime, "signal", {1, 64, 1});
  addInput(runtime, "step", {}, onnx::TensorProto::INT64);
  addWeights(runtime, "window", {16});
  addNode(runtime, "STFT", {"signal", "step", "window"}, {"y"}, "stft");
  addOutput(runtime, "y");
  auto missing = import(ctx, runtime);
  EXPECT_FALSE(missing.module);
  EXPECT_CONTAINS(missing.error, "STFT frame_step (input 'step') is computed at run time");
}

TEST(OnnxSamplingSignal, WindowsAreConstantsOfTheGivenSize) {
  mlir::MLIRContext ctx;
  auto model = makeModel(17);
  addInts(model, "size", {4}, /*scalar=*/true);
  setInt(addNode(model, "HannWindow", {"size"}, {"y"}, "hann"), "periodic", 0);
  addOutput(model, "y");
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  // Symmetric Hann of 4: 0.5 - 0.5 cos(2 pi n / 3) = 0, 0.75, 0.75, 0.
  EXPECT_CONTAINS(result.text(), "dense<[0.000000e+00, 7.500000e-01, 7.500000e-01, 0.000000e+00]>");

  // A run-time size needs the declared output length.
  auto runtime = makeModel(17);
  addInput(runtime, "size", {}, onnx::TensorProto::INT64);
  addNode(runtime, "BlackmanWindow", {"size"}, {"y"}, "blackman");
  addOutput(runtime, "y");
  auto missing = import(ctx, runtime);
  EXPECT_FALSE(missing.module);
  EXPECT_CONTAINS(missing.error, "window size (input 'size') is computed at run time");
}

onnx::ModelProto makeMaxUnpool(const std::vector<int64_t> &outputShape) {
  auto model = makeModel(11);
  addInput(model, "x", {1, 2, 2, 2});
  addInput(model, "i", {1, 2, 2, 2}, onnx::TensorProto::INT64);
  std::vector<std::string> inputs{"x", "i"};
  if (!outputShape.empty()) {
    addInts(model, "shape", outputShape);
    inputs.push_back("shape");
  }
  auto *node = addNode(model, "MaxUnpool", inputs, {"y"}, "unpool");
  setInts(node, "kernel_shape", {2, 2});
  setInts(node, "strides", {2, 2});
  addOutput(model, "y");
  return model;
}

TEST(OnnxSamplingSignal, MaxUnpoolScattersThenPadsAtTheEnd) {
  mlir::MLIRContext ctx;
  auto plain = import(ctx, makeMaxUnpool({}));
  ASSERT_TRUE(plain.module) << plain.error;
  EXPECT_EQ(plain.count("kg.scatter_elements"), 1);
  EXPECT_EQ(plain.count("kg.concat"), 0);
  EXPECT_CONTAINS(plain.text(), "-> tensor<1x2x4x4xf32>");
  // I indexes the 4x4 unpooled tensor; a 5x6 output_shape appends zero rows and columns.
  auto larger = import(ctx, makeMaxUnpool({1, 2, 5, 6}));
  ASSERT_TRUE(larger.module) << larger.error;
  EXPECT_EQ(larger.count("kg.concat"), 2);
  EXPECT_CONTAINS(larger.text(), "-> tensor<1x2x5x6xf32>");
  auto smaller = import(ctx, makeMaxUnpool({1, 2, 3, 4}));
  EXPECT_FALSE(smaller.module);
  EXPECT_CONTAINS(smaller.error, "output_shape 1x2x3x4 is smaller than the unpooled shape 1x2x4x4");
}

TEST(OnnxSamplingSignal, DetUnrollsOneArgMaxPerColumn) {
  mlir::MLIRContext ctx;
  auto model = makeModel(11);
  addInput(model, "x", {4, 3, 3});
  addNode(model, "Det", {"x"}, {"y"}, "det");
  addOutput(model, "y");
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(result.count("kg.arg_max"), 3);
  EXPECT_CONTAINS(result.text(), "-> tensor<4xf32>");

  auto bad = makeModel(11);
  addInput(bad, "x", {4, 3, 2});
  addNode(bad, "Det", {"x"}, {"y"}, "det");
  addOutput(bad, "y");
  auto rejected = import(ctx, bad);
  EXPECT_FALSE(rejected.module);
  EXPECT_CONTAINS(rejected.error, "input of shape 4x3x2 is not a batch of square matrices");
}

TEST(OnnxSamplingSignal, DynamicQuantizeLinearReducesTheWholeTensor) {
  mlir::MLIRContext ctx;
  auto model = makeModel(11);
  addInput(model, "x", {2, 5});
  addNode(model, "DynamicQuantizeLinear", {"x"}, {"y", "scale", "zero"}, "dq");
  addOutput(model, "y", onnx::TensorProto::UINT8);
  addOutput(model, "scale");
  addOutput(model, "zero", onnx::TensorProto::UINT8);
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  EXPECT_EQ(result.count("kg.reduce_min"), 1);
  EXPECT_EQ(result.count("kg.reduce_max"), 1);
  EXPECT_EQ(result.count("kg.quantize_linear"), 1);
  EXPECT_CONTAINS(result.text(), "-> tensor<2x5xui8>");
}

TEST(OnnxSamplingSignal, PReluBeforeOpset7SlopesPerChannel) {
  mlir::MLIRContext ctx;
  auto model = makeModel(6);
  addInput(model, "x", {2, 3, 4});
  addWeights(model, "slope", {3});
  addNode(model, "PRelu", {"x", "slope"}, {"y"}, "prelu");
  addOutput(model, "y");
  auto result = import(ctx, model);
  ASSERT_TRUE(result.module) << result.error;
  // The slope holds one value per channel (dim 1), not per element of the last dim.
  EXPECT_CONTAINS(result.text(), "tensor<3x1xf32>");
}

} // namespace
