// Public entry points of the ONNX importer: an ONNX model → a module of kg ops.
//
// The module holds one `func.func @main` whose arguments are the graph inputs (initializers
// excluded) and whose results are the graph outputs, each carrying its ONNX name as the
// `kg.name` argument/result attribute. Every tensor has a static shape. On failure the
// functions return a null module and set `error` to one line: every problem found, joined
// with "; " (all unsupported ops at once, each with its op type, node name and opset).
#ifndef KILN_COMPILER_FRONTEND_ONNX_IMPORTER_H
#define KILN_COMPILER_FRONTEND_ONNX_IMPORTER_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mlir {
class MLIRContext;
class ModuleOp;
template <typename OpTy> class OwningOpRef;
} // namespace mlir

namespace onnx {
class ModelProto;
} // namespace onnx

namespace kiln::onnx_frontend {

struct ImportOptions {
  // NAME -> dims (`--input-shape NAME=1x3x224x224`): fixes the symbolic dims of a graph input.
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputShapes;
};

// A graph input as the model declares it: `dims[i]` is -1 where dim i is symbolic, and
// `dimParams[i]` its ONNX dim_param ("" when unnamed or fixed).
struct InputSignature {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<std::string> dimParams;
};

// The graph inputs (initializers excluded) of the model at `path`, in order; inputs without a
// tensor shape are left out (the importer reports them). False with `error` when unreadable.
bool readInputSignatures(const std::string &path, std::vector<InputSignature> &inputs,
                         std::string &error);

// Reads, validates and converts the model at `path`; external data is read from its folder.
mlir::OwningOpRef<mlir::ModuleOp> importOnnxFile(mlir::MLIRContext &ctx, const std::string &path,
                                                 const ImportOptions &opts, std::string &error);

// The preflight behind `kilnc --check`: every problem importing the model at `path` meets
// (each unsupported op, each node that fails to convert, each input shape problem), one entry
// each, instead of stopping at the first failing node. Empty when the model imports.
std::vector<std::string> checkOnnxFile(mlir::MLIRContext &ctx, const std::string &path,
                                       const ImportOptions &opts);

// Converts an in-memory model; `modelDir` is the folder external data is read from (may be
// empty when the model has none).
mlir::OwningOpRef<mlir::ModuleOp> importOnnxModel(mlir::MLIRContext &ctx,
                                                  const onnx::ModelProto &model,
                                                  const std::string &modelDir,
                                                  const ImportOptions &opts, std::string &error);

} // namespace kiln::onnx_frontend

#endif
