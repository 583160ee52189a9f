// ONNX importer on the ONNX backend conformance models (libonnx-testdata): each imports,
// verifies, and its function's result types match the expected outputs' dtypes and dims.
// Inputs after the first, and int64 inputs, are frozen into initializers from
// test_data_set_0, as weights and shape operands are in exported models (Kiln needs shape
// operands at compile time).
#include "onnx_test_util.h"

#include "compiler/frontend/onnx/TensorImport.h"

#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <set>

using namespace kiln::onnx_test;

namespace {

const char *kTestData = "/usr/share/libonnx-testdata/data/";

bool readProto(const std::string &path, google::protobuf::MessageLite &message) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  return buffer && message.ParseFromArray((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
}

class OnnxConformance : public ::testing::TestWithParam<const char *> {};

TEST_P(OnnxConformance, ImportsAndMatchesExpectedOutputTypes) {
  std::string dir = std::string(kTestData) + GetParam() + "/";
  onnx::ModelProto model;
  ASSERT_TRUE(readProto(dir + "model.onnx", model)) << dir;
  auto *graph = model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto &t : graph->initializer())
    initializers.insert(t.name());
  // input_K.pb holds the K-th graph input that is not an initializer (old models list both).
  unsigned runtimeInputs = 0, k = 0;
  for (const auto &input : graph->input()) {
    if (initializers.count(input.name()))
      continue;
    bool isInt64 = input.type().tensor_type().elem_type() == onnx::TensorProto::INT64;
    if (k > 0 || isInt64) {
      onnx::TensorProto frozen;
      ASSERT_TRUE(readProto(dir + "test_data_set_0/input_" + std::to_string(k) + ".pb", frozen));
      frozen.set_name(input.name());
      *graph->add_initializer() = frozen;
    } else {
      ++runtimeInputs;
    }
    ++k;
  }

  mlir::MLIRContext ctx;
  auto result = import(ctx, model, {}, dir);
  ASSERT_TRUE(result.module) << result.error;
  ASSERT_TRUE(mlir::succeeded(mlir::verify(*result.module)));
  auto main = result.main();
  EXPECT_EQ(main.getNumArguments(), runtimeInputs);
  ASSERT_EQ(int(main.getNumResults()), graph->output_size());
  for (int i = 0; i < graph->output_size(); ++i) {
    onnx::TensorProto expected;
    ASSERT_TRUE(readProto(dir + "test_data_set_0/output_" + std::to_string(i) + ".pb", expected));
    auto type = llvm::cast<mlir::RankedTensorType>(main.getResultTypes()[i]);
    EXPECT_EQ(type.getShape(),
              llvm::ArrayRef<int64_t>(expected.dims().data(), expected.dims_size()))
        << "output " << i;
    EXPECT_EQ(type.getElementType(),
              kiln::onnx_frontend::convertElementType(&ctx, expected.data_type()))
        << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, OnnxConformance,
    ::testing::Values(
        // Elementwise
        "node/test_add", "node/test_add_bcast", "node/test_sub_bcast", "node/test_mul_example",
        "node/test_div_bcast", "node/test_pow_bcast_array", "node/test_pow_types_float32_int64",
        "node/test_sqrt", "node/test_exp", "node/test_neg", "node/test_tanh", "node/test_sigmoid",
        "node/test_relu", "node/test_erf", "node/test_leakyrelu", "node/test_leakyrelu_default",
        "node/test_hardswish", "node/test_hardsigmoid", "node/test_clip",
        "node/test_clip_default_min", "node/test_clip_splitbounds", "node/test_dropout_default",
        "node/test_dropout_default_mask", "node/test_where_example",
        "node/test_cast_FLOAT_to_DOUBLE", "node/test_identity",
        // Convolution and pooling
        "node/test_conv_with_strides_padding", "node/test_conv_with_strides_no_padding",
        "node/test_conv_with_strides_and_asymmetric_padding", "node/test_conv_with_autopad_same",
        "node/test_maxpool_2d_default", "node/test_maxpool_2d_same_upper",
        "node/test_maxpool_2d_same_lower", "node/test_maxpool_2d_ceil",
        "node/test_maxpool_2d_dilations", "node/test_maxpool_2d_pads",
        "node/test_maxpool_1d_default", "node/test_averagepool_2d_pads_count_include_pad",
        "node/test_averagepool_2d_same_lower", "node/test_averagepool_2d_ceil",
        "node/test_averagepool_3d_default", "node/test_globalaveragepool",
        // Matrix products
        "node/test_matmul_2d", "node/test_matmul_4d",
        "node/test_gemm_default_single_elem_vector_bias", "node/test_gemm_all_attributes",
        "node/test_gemm_default_no_bias", "node/test_gemm_transposeA",
        "node/test_gemm_default_scalar_bias",
        // Normalization and reductions
        "node/test_batchnorm_example", "node/test_batchnorm_epsilon",
        "node/test_layer_normalization_2d_axis0",
        "node/test_layer_normalization_4d_axis_negative_2",
        "node/test_layer_normalization_default_axis", "node/test_softmax_axis_0",
        "node/test_softmax_axis_1", "node/test_softmax_default_axis",
        "node/test_softmax_negative_axis", "node/test_reduce_mean_keepdims_example",
        "node/test_reduce_mean_do_not_keepdims_random",
        "node/test_reduce_mean_default_axes_keepdims_example",
        "node/test_reduce_sum_negative_axes_keepdims_example",
        "node/test_reduce_sum_empty_axes_input_noop_example",
        "node/test_reduce_sum_default_axes_keepdims_random",
        // Shapes and data movement
        "node/test_reshape_negative_dim", "node/test_reshape_zero_and_negative_dim",
        "node/test_reshape_allowzero_reordered", "node/test_reshape_reordered_all_dims",
        "node/test_flatten_axis0", "node/test_flatten_negative_axis3", "node/test_squeeze",
        "node/test_squeeze_negative_axes", "node/test_unsqueeze_unsorted_axes",
        "node/test_unsqueeze_negative_axes", "node/test_transpose_default",
        "node/test_transpose_all_permutations_4", "node/test_concat_3d_axis_negative_2",
        "node/test_slice", "node/test_slice_neg_steps", "node/test_slice_negative_axes",
        "node/test_slice_default_axes", "node/test_slice_end_out_of_bounds",
        "node/test_slice_start_out_of_bounds", "node/test_gather_0", "node/test_gather_2d_indices",
        "node/test_gather_negative_indices", "node/test_shape",
        "node/test_shape_start_1_end_negative_1", "node/test_shape_clip_start",
        "node/test_constantofshape_float_ones", "node/test_constantofshape_int_shape_zero",
        "node/test_constant", "node/test_constantofshape_int_zeros",
        // Exporter output of older opsets (legacy broadcasting, is_test)
        "pytorch-operator/test_operator_add_broadcast",
        "pytorch-operator/test_operator_add_size1_right_broadcast",
        "pytorch-operator/test_operator_pow", "pytorch-converted/test_BatchNorm2d_eval",
        "pytorch-converted/test_Linear", "pytorch-converted/test_Conv2d_depthwise_strided",
        "pytorch-converted/test_Conv3d_dilated",
        "pytorch-converted/test_MaxPool2d_stride_padding_dilation",
        "pytorch-converted/test_AvgPool3d", "pytorch-converted/test_PixelShuffle",
        "pytorch-converted/test_Softmin", "pytorch-operator/test_operator_index",
        "pytorch-operator/test_operator_view"),
    [](const ::testing::TestParamInfo<const char *> &info) {
      std::string name = info.param;
      name = name.substr(0, name.find('/')) + "_" + name.substr(name.find("/test_") + 6);
      for (char &c : name)
        if (!isalnum(static_cast<unsigned char>(c)))
          c = '_';
      return name;
    });

} // namespace
