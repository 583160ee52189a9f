// Builds small ONNX models in memory with the protobuf API, and imports them, for the
// importer's unit tests.
#ifndef KILN_TEST_UNIT_FRONTEND_ONNX_TEST_UTIL_H
#define KILN_TEST_UNIT_FRONTEND_ONNX_TEST_UTIL_H

#include "compiler/frontend/onnx/Importer.h"
#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "onnx/onnx_pb.h"

#include <string>
#include <vector>

namespace kiln::onnx_test {

inline onnx::ModelProto makeModel(int64_t opset) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  auto *import = model.add_opset_import();
  import->set_domain("");
  import->set_version(opset);
  model.mutable_graph()->set_name("test");
  return model;
}

// dims < 0 become the symbolic dim "N".
inline void setType(onnx::ValueInfoProto *info, int32_t elemType,
                    const std::vector<int64_t> &dims) {
  auto *tensor = info->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(elemType);
  auto *shape = tensor->mutable_shape();
  for (int64_t d : dims) {
    auto *dim = shape->add_dim();
    if (d < 0)
      dim->set_dim_param("N");
    else
      dim->set_dim_value(d);
  }
}

inline void addInput(onnx::ModelProto &model, const std::string &name,
                     const std::vector<int64_t> &dims,
                     int32_t elemType = onnx::TensorProto::FLOAT) {
  auto *input = model.mutable_graph()->add_input();
  input->set_name(name);
  setType(input, elemType, dims);
}

inline void addOutput(onnx::ModelProto &model, const std::string &name,
                      int32_t elemType = onnx::TensorProto::FLOAT) {
  auto *output = model.mutable_graph()->add_output();
  output->set_name(name);
  output->mutable_type()->mutable_tensor_type()->set_elem_type(elemType);
}

inline onnx::NodeProto *addNode(onnx::ModelProto &model, const std::string &opType,
                                const std::vector<std::string> &inputs,
                                const std::vector<std::string> &outputs,
                                const std::string &name = "") {
  auto *node = model.mutable_graph()->add_node();
  node->set_op_type(opType);
  node->set_name(name.empty() ? outputs.front() : name);
  for (const auto &i : inputs)
    node->add_input(i);
  for (const auto &o : outputs)
    node->add_output(o);
  return node;
}

inline void setInt(onnx::NodeProto *node, const std::string &name, int64_t v) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

inline void setFloat(onnx::NodeProto *node, const std::string &name, float v) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

inline void setInts(onnx::NodeProto *node, const std::string &name, const std::vector<int64_t> &v) {
  auto *a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}

// A float initializer filled with 0.01 * i (raw_data, as exporters write it).
inline onnx::TensorProto *addWeights(onnx::ModelProto &model, const std::string &name,
                                     const std::vector<int64_t> &dims) {
  auto *t = model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t->add_dims(d);
    n *= d;
  }
  std::vector<float> values(n);
  for (int64_t i = 0; i < n; ++i)
    values[i] = 0.01f * float(i);
  t->set_raw_data(std::string(reinterpret_cast<const char *>(values.data()), n * sizeof(float)));
  return t;
}

// An int64 initializer in the typed int64_data field.
inline void addInts(onnx::ModelProto &model, const std::string &name,
                    const std::vector<int64_t> &values, bool scalar = false) {
  auto *t = model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT64);
  if (!scalar)
    t->add_dims(int64_t(values.size()));
  for (int64_t v : values)
    t->add_int64_data(v);
}

struct Imported {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string error;
  mlir::func::FuncOp main() { return module->lookupSymbol<mlir::func::FuncOp>("main"); }
  // Number of ops named `name` (e.g. "kg.reshape") in the module.
  int count(llvm::StringRef name) {
    int n = 0;
    module->walk([&](mlir::Operation *op) { n += op->getName().getStringRef() == name; });
    return n;
  }
  std::string text() {
    std::string s;
    llvm::raw_string_ostream os(s);
    module->print(os);
    return s;
  }
};

inline Imported import(mlir::MLIRContext &ctx, const onnx::ModelProto &model,
                       const onnx_frontend::ImportOptions &opts = {},
                       const std::string &modelDir = "") {
  Imported result;
  result.module = onnx_frontend::importOnnxModel(ctx, model, modelDir, opts, result.error);
  return result;
}

} // namespace kiln::onnx_test

#endif
