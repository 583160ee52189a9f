// A compiled model.so opened with dlopen, its C API resolved with dlsym. kiln-run never links
// the runtime: each model carries its own copy, and this is how any host program uses one.
#ifndef KILN_TOOLS_KILN_RUN_MODEL_H
#define KILN_TOOLS_KILN_RUN_MODEL_H

#include "kiln/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln::run {

// The C API of kiln/runtime.h, one pointer per function.
struct ModelApi {
  decltype(&kiln_status_get_code) status_get_code;
  decltype(&kiln_status_get_message) status_get_message;
  decltype(&kiln_status_free) status_free;
  decltype(&kiln_model_abi_version) model_abi_version;
  decltype(&kiln_model_num_inputs) model_num_inputs;
  decltype(&kiln_model_num_outputs) model_num_outputs;
  decltype(&kiln_model_input_info) model_input_info;
  decltype(&kiln_model_output_info) model_output_info;
  decltype(&kiln_model_num_symbols) model_num_symbols;
  decltype(&kiln_model_symbol_info) model_symbol_info;
  decltype(&kiln_model_output_shape) model_output_shape;
  decltype(&kiln_context_options_init_sized) context_options_init_sized;
  decltype(&kiln_context_create) context_create;
  decltype(&kiln_context_destroy) context_destroy;
  decltype(&kiln_context_num_threads) context_num_threads;
  decltype(&kiln_context_run) context_run;
};

struct TensorSpec {
  std::string name;
  kiln_dtype dtype;
  std::vector<int64_t> shape;         // -1 for a symbolic dim
  std::vector<std::string> dimNames;  // per dim: "" when fixed, else its expression ("seq")
};

struct SymbolSpec {
  std::string name;
  int64_t min, max;
};

class Model {
public:
  Model() = default;
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  // Opens `path`, resolves the API, checks the ABI version and reads the input/output specs.
  bool load(const std::string &path, std::string *error);

  const ModelApi &api() const { return api_; }
  const std::vector<TensorSpec> &inputs() const { return inputs_; }
  const std::vector<TensorSpec> &outputs() const { return outputs_; }
  const std::vector<SymbolSpec> &symbols() const { return symbols_; }

  // Takes ownership of `status`: returns its message and frees it.
  std::string consumeStatus(kiln_status status) const;

private:
  bool readSpecs(bool inputs, std::string *error);

  void *handle_ = nullptr;
  ModelApi api_{};
  std::vector<TensorSpec> inputs_, outputs_;
  std::vector<SymbolSpec> symbols_;
};

} // namespace kiln::run

#endif
