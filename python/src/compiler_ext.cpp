// kiln._kiln_compiler: pybind11 bindings of the compiler C API (compiler/capi/kiln_compiler.h).
// Only the C API is bound (no internal C++ classes); the `kiln` package wraps these functions.

#include "compiler/capi/kiln_compiler.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

// Owns the strings a kiln_compile_options points into, for the duration of one call.
class CompileOptions {
public:
  CompileOptions(std::string target, int optLevel, std::string mcpu,
                 std::optional<std::string> mtriple, std::vector<std::string> inputShapes,
                 std::optional<std::string> tuningDb = std::nullopt,
                 std::vector<std::string> dimRanges = {},
                 std::optional<std::string> convLayout = std::nullopt,
                 std::optional<std::string> convAlgorithm = std::nullopt)
      : target_(std::move(target)), mcpu_(std::move(mcpu)), mtriple_(std::move(mtriple)),
        inputShapes_(std::move(inputShapes)), dimRanges_(std::move(dimRanges)),
        tuningDb_(std::move(tuningDb)), convLayout_(std::move(convLayout)),
        convAlgorithm_(std::move(convAlgorithm)) {
    kiln_compile_options_init(&options_);
    options_.target = target_.c_str();
    options_.opt_level = optLevel;
    options_.mcpu = mcpu_.c_str();
    options_.mtriple = mtriple_ ? mtriple_->c_str() : nullptr;
    for (const std::string &shape : inputShapes_)
      shapePointers_.push_back(shape.c_str());
    options_.num_input_shapes = static_cast<int32_t>(shapePointers_.size());
    options_.input_shapes = shapePointers_.empty() ? nullptr : shapePointers_.data();
    options_.tuning_db = tuningDb_ ? tuningDb_->c_str() : nullptr;
    for (const std::string &range : dimRanges_)
      rangePointers_.push_back(range.c_str());
    options_.num_dim_ranges = static_cast<int32_t>(rangePointers_.size());
    options_.dim_ranges = rangePointers_.empty() ? nullptr : rangePointers_.data();
    options_.conv_layout = convLayout_ ? convLayout_->c_str() : nullptr;
    options_.conv_algorithm = convAlgorithm_ ? convAlgorithm_->c_str() : nullptr;
  }
  CompileOptions(const CompileOptions &) = delete;
  CompileOptions &operator=(const CompileOptions &) = delete;

  const kiln_compile_options *get() const { return &options_; }

private:
  std::string target_;
  std::string mcpu_;
  std::optional<std::string> mtriple_;
  std::vector<std::string> inputShapes_;
  std::vector<const char *> shapePointers_;
  std::vector<std::string> dimRanges_;
  std::vector<const char *> rangePointers_;
  std::optional<std::string> tuningDb_;
  std::optional<std::string> convLayout_;
  std::optional<std::string> convAlgorithm_;
  kiln_compile_options options_;
};

// Takes ownership of a C API string.
std::string takeString(char *str, const char *fallback) {
  std::string result = str ? str : fallback;
  kiln_compiler_free_string(str);
  return result;
}

// Raises kiln.CompileError, a Python class, so that `import kiln` works without this module.
[[noreturn]] void raiseCompileError(const std::string &message) {
  py::object cls = py::module_::import("kiln._errors").attr("CompileError");
  // "replace": a message quoting a malformed file must still reach the user.
  py::object text = py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF8(
      message.data(), static_cast<Py_ssize_t>(message.size()), "replace"));
  if (!text)
    throw py::error_already_set();
  PyErr_SetObject(cls.ptr(), text.ptr());
  throw py::error_already_set();
}

void compileFile(const std::string &modelPath, const std::string &outputPath,
                 const std::string &target, int optLevel, const std::string &mcpu,
                 std::optional<std::string> mtriple, std::vector<std::string> inputShapes,
                 std::optional<std::string> tuningDb, std::vector<std::string> dimRanges,
                 std::optional<std::string> convLayout,
                 std::optional<std::string> convAlgorithm) {
  CompileOptions options(target, optLevel, mcpu, std::move(mtriple), std::move(inputShapes),
                         std::move(tuningDb), std::move(dimRanges), std::move(convLayout),
                         std::move(convAlgorithm));
  char *error = nullptr;
  int rc;
  {
    // Compiling takes a while and the C API is thread-safe: let other Python threads run.
    py::gil_scoped_release release;
    rc = kiln_compile_file(modelPath.c_str(), options.get(), outputPath.c_str(), &error);
  }
  if (rc != 0)
    raiseCompileError(takeString(error, "kiln: compilation failed"));
  kiln_compiler_free_string(error);
}

std::string compileEmit(const std::string &modelPath, const std::string &emit,
                        const std::string &target, int optLevel, const std::string &mcpu,
                        std::optional<std::string> mtriple,
                        std::vector<std::string> inputShapes) {
  CompileOptions options(target, optLevel, mcpu, std::move(mtriple), std::move(inputShapes));
  char *text = nullptr;
  char *error = nullptr;
  int rc;
  {
    py::gil_scoped_release release;
    rc = kiln_compile_emit(modelPath.c_str(), options.get(), emit.c_str(), &text, &error);
  }
  if (rc != 0) {
    kiln_compiler_free_string(text);
    raiseCompileError(takeString(error, "kiln: compilation failed"));
  }
  kiln_compiler_free_string(error);
  return takeString(text, "");
}

std::vector<std::string> compileCheck(const std::string &modelPath,
                                      std::vector<std::string> inputShapes) {
  CompileOptions options("cpu", 0, "native", std::nullopt, std::move(inputShapes));
  char *report = nullptr;
  {
    py::gil_scoped_release release;
    kiln_compile_check(modelPath.c_str(), options.get(), &report);
  }
  std::string text = takeString(report, "");
  std::vector<std::string> problems;
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    problems.push_back(text.substr(start, end - start));
  return problems;
}

// Returns (report table, interrupted).
std::pair<std::string, bool> tune(const std::string &modelPath, const std::string &tuningDb,
                                  int64_t trials, int64_t trialsPerTask, int threads,
                                  bool progress, uint64_t seed, const std::string &mcpu,
                                  std::vector<std::string> inputShapes,
                                  std::vector<std::string> dimRanges,
                                  std::optional<std::string> convLayout,
                                  std::optional<std::string> convAlgorithm) {
  CompileOptions options("cpu", 3, mcpu, std::nullopt, std::move(inputShapes), tuningDb,
                         std::move(dimRanges), std::move(convLayout), std::move(convAlgorithm));
  kiln_tune_options tuneOptions;
  kiln_tune_options_init(&tuneOptions);
  tuneOptions.trials = trials;
  tuneOptions.trials_per_task = trialsPerTask;
  tuneOptions.threads = threads;
  tuneOptions.progress = progress;
  tuneOptions.seed = seed;
  char *report = nullptr, *error = nullptr;
  int rc;
  {
    // While tuning, Ctrl-C is caught by the tuner, which stops between candidates.
    py::gil_scoped_release release;
    rc = kiln_tune(modelPath.c_str(), options.get(), &tuneOptions, &report, &error);
  }
  if (rc != 0 && rc != KILN_TUNE_INTERRUPTED) {
    kiln_compiler_free_string(report);
    raiseCompileError(takeString(error, "kiln: tuning failed"));
  }
  kiln_compiler_free_string(error);
  return {takeString(report, ""), rc == KILN_TUNE_INTERRUPTED};
}

void tuneReport(const std::string &tuningDb, const std::string &outputPath) {
  char *error = nullptr;
  if (kiln_tune_report(tuningDb.c_str(), outputPath.c_str(), &error) != 0)
    raiseCompileError(takeString(error, "kiln: cannot write the tuning report"));
}

} // namespace

PYBIND11_MODULE(_kiln_compiler, m) {
  m.doc() = "Bindings of the Kiln compiler C API; use the kiln package instead.";
  m.def("compile_file", &compileFile, py::arg("model_path"), py::arg("output_path"),
        py::kw_only(), py::arg("target") = "cpu", py::arg("opt_level") = 3,
        py::arg("mcpu") = "native", py::arg("mtriple") = py::none(),
        py::arg("input_shapes") = std::vector<std::string>{},
        py::arg("tuning_db") = py::none(), py::arg("dim_ranges") = std::vector<std::string>{},
        py::arg("conv_layout") = py::none(), py::arg("conv_algorithm") = py::none(),
        "Compiles the ONNX model at model_path into a shared object at output_path.");
  m.def("tune", &tune, py::arg("model_path"), py::arg("tuning_db"), py::kw_only(),
        py::arg("trials") = 1000, py::arg("trials_per_task") = 0, py::arg("threads") = 0,
        py::arg("progress") = true, py::arg("seed") = 0, py::arg("mcpu") = "native",
        py::arg("input_shapes") = std::vector<std::string>{},
        py::arg("dim_ranges") = std::vector<std::string>{}, py::arg("conv_layout") = py::none(),
        py::arg("conv_algorithm") = py::none(),
        "Tunes every task of the model into tuning_db; returns (report, interrupted).");
  m.def("tune_report", &tuneReport, py::arg("tuning_db"), py::arg("output_path"),
        "Draws the tuning curves of tuning_db to an HTML page or an SVG file.");
  m.def("compile_emit", &compileEmit, py::arg("model_path"), py::arg("emit"), py::kw_only(),
        py::arg("target") = "cpu", py::arg("opt_level") = 3, py::arg("mcpu") = "native",
        py::arg("mtriple") = py::none(), py::arg("input_shapes") = std::vector<std::string>{},
        "Returns an intermediate form (graph, loop, llvm or asm) of the model as text.");
  m.def("compile_check", &compileCheck, py::arg("model_path"), py::kw_only(),
        py::arg("input_shapes") = std::vector<std::string>{},
        "Lists every unsupported op and shape problem of the model (empty: it compiles).");
}
