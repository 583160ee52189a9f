// ONNX importer: bad models fail with one message naming the file, node, tensor or input.
#include "onnx_test_util.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace kiln::onnx_test;
using kiln::onnx_frontend::importOnnxFile;
using kiln::onnx_frontend::ImportOptions;

namespace {

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                                 \
      << "expected \"" << needle << "\" in: " << haystack

// A fresh folder under the system temp dir, removed at the end of the test.
struct TempDir {
  llvm::SmallString<128> path;
  TempDir() { EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-onnx-test", path)); }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }
  std::string file(const std::string &name) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    return std::string(p);
  }
  void write(const std::string &name, const std::string &bytes) const {
    std::ofstream(file(name), std::ios::binary) << bytes;
  }
};

onnx::ModelProto makeAddModel() {
  auto model = makeModel(13);
  addInput(model, "x", {2, 3});
  addWeights(model, "w", {2, 3});
  addNode(model, "Add", {"x", "w"}, {"y"}, "add0");
  addOutput(model, "y");
  return model;
}

TEST(OnnxImportErrors, AllUnsupportedOpsAreReportedAtOnce) {
  auto model = makeModel(13);
  addInput(model, "x", {4});
  addNode(model, "Foo", {"x"}, {"a"}, "n1");
  addNode(model, "Relu", {"a"}, {"b"}, "ok");
  addNode(model, "Bar", {"b"}, {"c"}, "n2");
  addNode(model, "FusedConv", {"c"}, {"y"}, "n3")->set_domain("com.microsoft");
  auto *msOpset = model.add_opset_import();
  msOpset->set_domain("com.microsoft");
  msOpset->set_version(1);
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "unsupported ONNX ops: Foo (node 'n1', opset 13), "
                                "Bar (node 'n2', opset 13), "
                                "com.microsoft.FusedConv (node 'n3', opset 1)");
}

TEST(OnnxImportErrors, MismatchedAddShapesNameTheNode) {
  auto model = makeModel(13);
  addInput(model, "x", {2, 3});
  addInput(model, "z", {4, 5});
  addNode(model, "Add", {"x", "z"}, {"y"}, "bad_add");
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "node 'bad_add' (Add, opset 13): ");
  EXPECT_CONTAINS(result.error, "operand shapes 2x3 and 4x5 do not broadcast");
}

TEST(OnnxImportErrors, ConvChannelMismatchNamesTheNode) {
  auto model = makeModel(13);
  addInput(model, "x", {1, 3, 8, 8});
  addWeights(model, "w", {4, 2, 3, 3});
  addNode(model, "Conv", {"x", "w"}, {"y"}, "conv7");
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto result = import(ctx, model);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "node 'conv7' (Conv, opset 13): ");
  EXPECT_CONTAINS(result.error, "3 channels but the weight expects 2");
}

TEST(OnnxImportErrors, RuntimeShapeOperandsAndBoundsAreRejected) {
  auto model = makeModel(13);
  addInput(model, "x", {2, 3});
  addInput(model, "shape", {2}, onnx::TensorProto::INT64);
  addInput(model, "lo", {}, onnx::TensorProto::FLOAT);
  addNode(model, "Reshape", {"x", "shape"}, {"y"}, "reshape");
  addOutput(model, "y");
  mlir::MLIRContext ctx;
  auto reshape = import(ctx, model);
  EXPECT_FALSE(reshape.module);
  EXPECT_CONTAINS(reshape.error, "node 'reshape' (Reshape, opset 13): Reshape shape (input "
                                 "'shape') is computed at run time");

  // A Clip bound computed at run time is supported (kg.max against the bound), but it must
  // be a scalar.
  model.mutable_graph()->clear_node();
  addInput(model, "hi", {2}, onnx::TensorProto::FLOAT);
  addNode(model, "Clip", {"x", "lo", "hi"}, {"y"}, "clip");
  auto clip = import(ctx, model);
  EXPECT_FALSE(clip.module);
  EXPECT_CONTAINS(clip.error, "node 'clip' (Clip, opset 13): Clip max must be a scalar, got "
                              "shape 2");
}

TEST(OnnxImportErrors, BadReshapeAndSliceAreErrorsNotCrashes) {
  mlir::MLIRContext ctx;
  auto model = makeModel(13);
  addInput(model, "x", {2, 3});
  addInts(model, "shape", {4, -1, -1});
  addNode(model, "Reshape", {"x", "shape"}, {"y"}, "r");
  addOutput(model, "y");
  EXPECT_CONTAINS(import(ctx, model).error,
                  "node 'r' (Reshape, opset 13): shape has more than one -1");

  model = makeModel(13);
  addInput(model, "x", {2, 3});
  addInts(model, "zero", {0});
  addNode(model, "Slice", {"x", "zero", "zero", "zero", "zero"}, {"y"}, "s");
  addOutput(model, "y");
  EXPECT_CONTAINS(import(ctx, model).error, "node 's' (Slice, opset 13): slice step is 0");

  model = makeModel(13);
  addInput(model, "x", {2, 3});
  addInts(model, "idx", {7});
  addNode(model, "Gather", {"x", "idx"}, {"y"}, "g");
  addOutput(model, "y");
  EXPECT_CONTAINS(import(ctx, model).error, "index 7 is out of range for a dim of size 2");
}

TEST(OnnxImportErrors, MissingTruncatedAndForeignFilesNameTheFile) {
  TempDir dir;
  mlir::MLIRContext ctx;
  std::string error;
  std::string missing = dir.file("missing.onnx");
  EXPECT_FALSE(importOnnxFile(ctx, missing, {}, error));
  EXPECT_CONTAINS(error, "cannot read '" + missing + "'");

  std::string bytes;
  ASSERT_TRUE(makeAddModel().SerializeToString(&bytes));
  dir.write("whole.onnx", bytes);
  EXPECT_TRUE(importOnnxFile(ctx, dir.file("whole.onnx"), {}, error)) << error;

  dir.write("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(importOnnxFile(ctx, dir.file("truncated.onnx"), {}, error));
  EXPECT_CONTAINS(error, "'" + dir.file("truncated.onnx") + "' is not a valid ONNX model");

  dir.write("notes.onnx", "");
  EXPECT_FALSE(importOnnxFile(ctx, dir.file("notes.onnx"), {}, error));
  EXPECT_CONTAINS(error, "'" + dir.file("notes.onnx") + "' is not an ONNX model: it has no graph");
}

TEST(OnnxImportErrors, ExternalDataMustStayInTheModelFolder) {
  TempDir dir;
  ASSERT_FALSE(llvm::sys::fs::create_directory(dir.file("model")));
  std::string modelDir = dir.file("model");
  std::vector<float> weights = {1, 2, 3, 4, 5, 6};
  std::string raw(reinterpret_cast<const char *>(weights.data()), weights.size() * sizeof(float));
  dir.write("secret.bin", raw);
  dir.write("model/weights.bin", "pad!" + raw);
  ASSERT_FALSE(llvm::sys::fs::create_link(dir.file("secret.bin"), dir.file("model/link.bin")));

  auto withLocation = [&](const std::string &location) {
    auto model = makeAddModel();
    auto *w = model.mutable_graph()->mutable_initializer(0);
    w->clear_raw_data();
    w->set_data_location(onnx::TensorProto::EXTERNAL);
    auto *entry = w->add_external_data();
    entry->set_key("location");
    entry->set_value(location);
    if (location == "weights.bin") {
      entry = w->add_external_data();
      entry->set_key("offset");
      entry->set_value("4");
    }
    return model;
  };
  mlir::MLIRContext ctx;
  auto good = import(ctx, withLocation("weights.bin"), {}, modelDir);
  ASSERT_TRUE(good.module) << good.error;
  EXPECT_CONTAINS(good.text(), "dense<[[1.000000e+00, 2.000000e+00, 3.000000e+00], "
                               "[4.000000e+00, 5.000000e+00, 6.000000e+00]]>");

  EXPECT_CONTAINS(import(ctx, withLocation("../secret.bin"), {}, modelDir).error,
                  "external data location '../secret.bin' of tensor 'w' contains '..'");
  EXPECT_CONTAINS(import(ctx, withLocation(dir.file("secret.bin")), {}, modelDir).error,
                  "of tensor 'w' is an absolute path");
  EXPECT_CONTAINS(import(ctx, withLocation("link.bin"), {}, modelDir).error,
                  "external data location 'link.bin' of tensor 'w' resolves to");
  EXPECT_CONTAINS(import(ctx, withLocation("nothere.bin"), {}, modelDir).error,
                  "cannot open external data file");
}

TEST(OnnxImportErrors, InputShapeOptionsAreChecked) {
  mlir::MLIRContext ctx;
  ImportOptions opts;
  opts.inputShapes = {{"nope", {1}}, {"x", {2, 3, 4}}};
  auto result = import(ctx, makeAddModel(), opts);
  EXPECT_FALSE(result.module);
  EXPECT_CONTAINS(result.error, "--input-shape names 'nope', which is not a graph input "
                                "(inputs: 'x'); ");
  EXPECT_CONTAINS(result.error, "--input-shape x=2x3x4 has rank 3 but input 'x' has rank 2");
}

TEST(OnnxImportErrors, BadInitializersNameTheTensor) {
  auto model = makeAddModel();
  model.mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(5);
  mlir::MLIRContext ctx;
  EXPECT_CONTAINS(import(ctx, model).error,
                  "tensor 'w' has 5 bytes of raw_data but its shape needs 24");
  model.mutable_graph()->mutable_initializer(0)->set_data_type(onnx::TensorProto::STRING);
  EXPECT_CONTAINS(import(ctx, model).error, "tensor 'w' has unsupported element type STRING");
}

} // namespace
