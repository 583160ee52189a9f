// The one translation unit built with exceptions: it catches what libonnx's inference throws.
#include "compiler/frontend/onnx/OnnxShapeInference.h"

#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

#include <algorithm>
#include <exception>

namespace kiln::onnx_frontend {

bool runOnnxShapeInference(onnx::ModelProto &model, std::string &error) {
  try {
    onnx::shape_inference::InferShapes(model);
    return true;
  } catch (const std::exception &e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  std::replace(error.begin(), error.end(), '\n', ' ');
  return false;
}

int64_t maxOnnxInferenceOpset() {
  const auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find(onnx::ONNX_DOMAIN);
  return it == ranges.end() ? 0 : it->second.second;
}

} // namespace kiln::onnx_frontend
