// Loading a model.so: dlopen, dlsym of every C API function, ABI check, input/output specs.
#include "tools/kiln-run/model.h"

#include <dlfcn.h>
#include <type_traits>

namespace kiln::run {

Model::~Model() {
  if (handle_)
    dlclose(handle_);
}

std::string Model::consumeStatus(kiln_status status) const {
  std::string message = api_.status_get_message(status);
  api_.status_free(status);
  return message;
}

bool Model::load(const std::string &path, std::string *error) {
  // Without a '/', dlopen would search the library path instead of the current folder.
  std::string openPath = path.find('/') == std::string::npos ? "./" + path : path;
  handle_ = dlopen(openPath.c_str(), RTLD_LOCAL | RTLD_NOW);
  if (!handle_) {
    const char *reason = dlerror();
    *error = "cannot load " + path + ": " + (reason ? reason : "unknown dlopen error");
    return false;
  }
  bool missing = false;
  auto resolve = [&](auto &slot, const char *name) {
    if (missing)
      return;
    void *symbol = dlsym(handle_, name);
    if (!symbol) {
      *error = path + " is not a Kiln model: it does not export " + name;
      missing = true;
      return;
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  resolve(api_.status_get_code, "kiln_status_get_code");
  resolve(api_.status_get_message, "kiln_status_get_message");
  resolve(api_.status_free, "kiln_status_free");
  resolve(api_.model_abi_version, "kiln_model_abi_version");
  resolve(api_.model_num_inputs, "kiln_model_num_inputs");
  resolve(api_.model_num_outputs, "kiln_model_num_outputs");
  resolve(api_.model_input_info, "kiln_model_input_info");
  resolve(api_.model_output_info, "kiln_model_output_info");
  resolve(api_.model_num_symbols, "kiln_model_num_symbols");
  resolve(api_.model_symbol_info, "kiln_model_symbol_info");
  resolve(api_.model_output_shape, "kiln_model_output_shape");
  resolve(api_.context_options_init_sized, "kiln_context_options_init_sized");
  resolve(api_.context_create, "kiln_context_create");
  resolve(api_.context_destroy, "kiln_context_destroy");
  resolve(api_.context_num_threads, "kiln_context_num_threads");
  resolve(api_.context_run, "kiln_context_run");
  if (missing)
    return false;

  int32_t abi = api_.model_abi_version();
  if (abi != KILN_ABI_VERSION) {
    *error = path + " has ABI version " + std::to_string(abi) + ", kiln-run expects " +
             std::to_string(KILN_ABI_VERSION) + " (recompile the model)";
    return false;
  }
  if (!readSpecs(true, error) || !readSpecs(false, error))
    return false;
  for (int32_t i = 0; i < api_.model_num_symbols(); ++i) {
    SymbolSpec symbol;
    const char *name = nullptr;
    if (kiln_status status = api_.model_symbol_info(i, &name, &symbol.min, &symbol.max)) {
      *error = consumeStatus(status);
      return false;
    }
    symbol.name = name;
    symbols_.push_back(symbol);
  }
  return true;
}

bool Model::readSpecs(bool inputs, std::string *error) {
  int32_t count = inputs ? api_.model_num_inputs() : api_.model_num_outputs();
  auto info = inputs ? api_.model_input_info : api_.model_output_info;
  if (count < 0) {
    // The count functions cannot carry a status; the info query returns the reason.
    kiln_tensor_info unused;
    kiln_status status = info(0, &unused);
    *error = status ? consumeStatus(status) : "the model reports a negative tensor count";
    return false;
  }
  std::vector<TensorSpec> &specs = inputs ? inputs_ : outputs_;
  for (int32_t i = 0; i < count; ++i) {
    kiln_tensor_info tensor;
    if (kiln_status status = info(i, &tensor)) {
      *error = consumeStatus(status);
      return false;
    }
    specs.push_back({tensor.name, tensor.dtype,
                     std::vector<int64_t>(tensor.shape, tensor.shape + tensor.rank), {}});
    for (int32_t d = 0; d < tensor.rank; ++d)
      specs.back().dimNames.push_back(tensor.dim_names && tensor.dim_names[d] ? tensor.dim_names[d]
                                                                              : "");
  }
  return true;
}

} // namespace kiln::run
