// The compiler C API over the driver.
#include "compiler/capi/kiln_compiler.h"
#include "autotuner/database/Database.h"
#include "autotuner/database/Report.h"
#include "compiler/driver/Compiler.h"
#include "compiler/driver/SymbolicInputs.h"

#include <cstddef>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

char *duplicate(const std::string &s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (out)
    std::memcpy(out, s.c_str(), s.size() + 1);
  return out;
}

// "NAME=1x3x224x224" -> (NAME, dims); false when malformed.
bool parseInputShape(const std::string &spec, std::pair<std::string, std::vector<int64_t>> &out) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return false;
  out.first = spec.substr(0, eq);
  out.second.clear();
  std::string dims = spec.substr(eq + 1);
  size_t pos = 0;
  while (pos <= dims.size()) {
    size_t x = dims.find('x', pos);
    std::string part = dims.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    char *end = nullptr;
    long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v <= 0)
      return false;
    out.second.push_back(v);
    if (x == std::string::npos)
      break;
    pos = x + 1;
  }
  return true;
}

bool toDriverOptions(const kiln_compile_options *in, kiln::driver::CompileOptions &out,
                     std::string &error) {
  if (!in)
    return true;
  if (in->target)
    out.target = in->target;
  out.optLevel = in->opt_level;
  if (in->mcpu)
    out.mcpu = in->mcpu;
  if (in->mtriple)
    out.mtriple = in->mtriple;
  for (int32_t i = 0; i < in->num_input_shapes; ++i) {
    std::pair<std::string, std::vector<int64_t>> shape;
    if (!in->input_shapes || !in->input_shapes[i] || !parseInputShape(in->input_shapes[i], shape)) {
      error = std::string("malformed input shape '") +
              (in->input_shapes && in->input_shapes[i] ? in->input_shapes[i] : "") +
              "' (expected NAME=1x3x224x224)";
      return false;
    }
    out.inputShapes.push_back(shape);
  }
  // Callers built before tuning_db existed pass a smaller struct.
  if (in->struct_size >= offsetof(kiln_compile_options, tuning_db) + sizeof(const char *) &&
      in->tuning_db)
    out.tuningDb = in->tuning_db;
  const char *layout =
      in->struct_size >= offsetof(kiln_compile_options, conv_layout) + sizeof(const char *)
          ? in->conv_layout
          : nullptr;
  if (layout && std::strcmp(layout, "nhwc") && std::strcmp(layout, "nchw")) {
    error = std::string("unknown conv layout '") + layout + "' (expected nhwc or nchw)";
    return false;
  }
  out.channelsLast = !layout || !std::strcmp(layout, "nhwc");
  const char *algorithm =
      in->struct_size >= offsetof(kiln_compile_options, conv_algorithm) + sizeof(const char *)
          ? in->conv_algorithm
          : nullptr;
  if (algorithm) {
    out.convAlgorithm = algorithm;
    if (out.convAlgorithm != "auto" && out.convAlgorithm != "direct" &&
        out.convAlgorithm != "winograd") {
      error = std::string("unknown conv algorithm '") + algorithm +
              "' (expected auto, direct or winograd)";
      return false;
    }
  }
  if (in->struct_size < offsetof(kiln_compile_options, dim_ranges) + sizeof(const char *const *))
    return true;
  for (int32_t i = 0; i < in->num_dim_ranges; ++i) {
    kiln::driver::CompileOptions::DimRange range;
    const char *text = in->dim_ranges ? in->dim_ranges[i] : nullptr;
    if (!text || !kiln::driver::parseDimRange(text, range.symbol, range.min, range.max)) {
      error = std::string("malformed dim range '") + (text ? text : "") +
              "' (expected SYMBOL=MIN:MAX with 1 <= MIN <= MAX)";
      return false;
    }
    out.dimRanges.push_back(range);
  }
  return true;
}

int run(const char *modelPath, const kiln_compile_options *options, kiln::driver::Emit emit,
        const char *outputPath, char **outText, char **outError) {
  std::string error, text;
  kiln::driver::CompileOptions driverOptions;
  bool ok = modelPath && toDriverOptions(options, driverOptions, error);
  if (!modelPath)
    error = "no model path given";
  if (ok)
    ok = kiln::driver::compile(modelPath, driverOptions, emit, outputPath ? outputPath : "", text,
                               error);
  if (ok && outText)
    *outText = duplicate(text);
  if (!ok && outError)
    *outError = duplicate(error);
  return ok ? 0 : 1;
}

} // namespace

extern "C" {

void kiln_compile_options_init(kiln_compile_options *options) {
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->target = "cpu";
  options->opt_level = 3;
  options->mcpu = "native";
}

int kiln_compile_file(const char *modelPath, const kiln_compile_options *options,
                      const char *outputPath, char **outError) {
  if (!outputPath) {
    if (outError)
      *outError = duplicate("no output path given");
    return 1;
  }
  return run(modelPath, options, kiln::driver::Emit::SharedObject, outputPath, nullptr, outError);
}

int kiln_compile_object(const char *modelPath, const kiln_compile_options *options,
                        const char *outputPath, char **outError) {
  if (!outputPath) {
    if (outError)
      *outError = duplicate("no output path given");
    return 1;
  }
  return run(modelPath, options, kiln::driver::Emit::Object, outputPath, nullptr, outError);
}

int kiln_compile_emit(const char *modelPath, const kiln_compile_options *options,
                      const char *emit, char **outText, char **outError) {
  kiln::driver::Emit kind;
  if (!emit || !kiln::driver::parseEmit(emit, kind) || kind == kiln::driver::Emit::Object ||
      kind == kiln::driver::Emit::SharedObject) {
    if (outError)
      *outError = duplicate(std::string("unknown textual form '") + (emit ? emit : "") +
                            "' (expected graph, loop, llvm or asm)");
    return 1;
  }
  return run(modelPath, options, kind, nullptr, outText, outError);
}

int kiln_compile_check(const char *modelPath, const kiln_compile_options *options,
                       char **outReport) {
  std::string error;
  std::vector<std::string> problems;
  kiln::driver::CompileOptions driverOptions;
  if (!modelPath)
    problems.push_back("no model path given");
  else if (!toDriverOptions(options, driverOptions, error))
    problems.push_back(error);
  else
    kiln::driver::check(modelPath, driverOptions, problems);
  if (problems.empty())
    return 0;
  std::string report;
  for (const std::string &problem : problems)
    report += problem + "\n";
  if (outReport)
    *outReport = duplicate(report);
  return 1;
}

void kiln_tune_options_init(kiln_tune_options *options) {
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->trials = 1000;
  options->progress = 1;
}

int kiln_tune(const char *modelPath, const kiln_compile_options *options,
              const kiln_tune_options *tuneOptions, char **outReport, char **outError) {
  std::string error, report;
  kiln::driver::CompileOptions driverOptions;
  kiln::driver::TuneRequest request;
  if (tuneOptions) {
    request.trials = tuneOptions->trials;
    request.trialsPerTask = tuneOptions->trials_per_task;
    request.threads = tuneOptions->threads;
    request.progress = tuneOptions->progress != 0;
    request.seed = tuneOptions->seed;
    if (tuneOptions->work_dir)
      request.workDir = tuneOptions->work_dir;
  }
  bool interrupted = false;
  bool ok = modelPath && toDriverOptions(options, driverOptions, error);
  if (!modelPath)
    error = "no model path given";
  if (ok)
    ok = kiln::driver::tune(modelPath, driverOptions, request, report, interrupted, error);
  if (ok && outReport)
    *outReport = duplicate(report);
  if (!ok && outError)
    *outError = duplicate(error);
  return !ok ? 1 : interrupted ? KILN_TUNE_INTERRUPTED : 0;
}

int kiln_tune_report(const char *tuningDb, const char *outputPath, char **outError) {
  std::string error;
  if (!tuningDb || !outputPath) {
    error = "kiln_tune_report needs a tuning database and an output path";
  } else if (auto db = kiln::autotuner::Database::open(tuningDb, /*create=*/false); !db) {
    error = llvm::toString(db.takeError());
  } else if (llvm::Error e = kiln::autotuner::writeTuningReport(**db, outputPath)) {
    error = llvm::toString(std::move(e));
  }
  if (!error.empty() && outError)
    *outError = duplicate(error);
  return error.empty() ? 0 : 1;
}

void kiln_compiler_free_string(char *str) { std::free(str); }

} // extern "C"
