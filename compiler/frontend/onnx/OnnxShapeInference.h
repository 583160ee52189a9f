// ONNX's own shape inference behind a no-exceptions interface: libonnx reports errors by
// throwing, so only OnnxShapeInference.cpp is compiled with exceptions.
#ifndef KILN_COMPILER_FRONTEND_ONNX_ONNXSHAPEINFERENCE_H
#define KILN_COMPILER_FRONTEND_ONNX_ONNXSHAPEINFERENCE_H

#include <cstdint>
#include <string>

namespace onnx {
class ModelProto;
} // namespace onnx

namespace kiln::onnx_frontend {

// Adds inferred value_info to `model`. Returns false with a one-line `error` when inference
// throws (inconsistent declared shapes, malformed nodes).
bool runOnnxShapeInference(onnx::ModelProto &model, std::string &error);

// The newest default-domain opset whose schemas this libonnx has; inference of newer models
// would apply older semantics.
int64_t maxOnnxInferenceOpset();

} // namespace kiln::onnx_frontend

#endif
