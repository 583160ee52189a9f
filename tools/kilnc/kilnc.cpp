// kilnc: compiles an ONNX model into a self-contained shared object (or prints a stage).
#include "compiler/capi/kiln_compiler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <string>
#include <vector>

static const char kUsage[] =
    "usage: kilnc MODEL.onnx -o MODEL.so [--target=cpu] [--mcpu=native|NAME] [--mtriple=T]\n"
    "             [-O0..-O3] [--input-shape NAME=1x3x224x224]... [--emit=graph|loop|llvm|asm|obj|so]\n"
    "             [--dim-range SYMBOL=MIN:MAX]...   (symbolic dims stay symbolic: one .so runs\n"
    "              every size in range, default 1:128; --input-shape fixes an input's dims)\n"
    "             [--tuning-db DB.jsonl]   (use the fastest tuned schedule of each kernel in DB)\n"
    "             [--conv-layout=nhwc|nchw]   (convolutions run channels last unless nchw)\n"
    "             [--conv-algorithm=auto|direct|winograd]   (3x3 stride-1 convolutions: auto\n"
    "              tunes direct and Winograd forms and builds the faster by DB's records)\n"
    "             [--tune [--trials N] [--trials-per-task N] [--tune-threads N] [--tune-seed S]\n"
    "              [--no-progress]]   (first tune every task, appending to DB; Ctrl-C stops\n"
    "              with every record kept, and a rerun resumes; N counts DB's trials too)\n"
    "       kilnc --check MODEL.onnx [--input-shape NAME=DIMS]...   (list every unsupported op\n"
    "             and shape problem without compiling; exit 1 if there is one)\n"
    "       kilnc --tune-report DB.jsonl -o CURVES.html|CURVES.svg   (draw the tuning curves)\n";

// Usage errors are one line too (exit 2); `kilnc --help` prints the usage.
static int usageError(const std::string &message) {
  std::fprintf(stderr, "kilnc: error: %s (see kilnc --help)\n", message.c_str());
  return 2;
}

// Accepts "--flag=value" and "--flag value".
static bool takeValue(int argc, char **argv, int &i, const char *flag, std::string &value) {
  size_t n = std::strlen(flag);
  if (std::strncmp(argv[i], flag, n) != 0)
    return false;
  if (argv[i][n] == '=') {
    value = argv[i] + n + 1;
    return true;
  }
  if (argv[i][n] == '\0' && i + 1 < argc) {
    value = argv[++i];
    return true;
  }
  return false;
}

// A non-negative decimal integer option value.
static bool parseCount(const std::string &text, int64_t &out) {
  char *end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0)
    return false;
  out = v;
  return true;
}

static int runTuneReport(const std::string &db, const std::string &output) {
  char *error = nullptr;
  if (kiln_tune_report(db.c_str(), output.c_str(), &error) != 0) {
    std::fprintf(stderr, "kilnc: error: %s\n", error ? error : "cannot write the report");
    kiln_compiler_free_string(error);
    return 1;
  }
  std::printf("wrote %s\n", output.c_str());
  return 0;
}

// --tune: the final table goes to stdout; 0 to go on and compile, else kilnc's exit status.
static int runTune(const std::string &model, const kiln_compile_options &options,
                   const kiln_tune_options &tuneOptions) {
  char *report = nullptr, *error = nullptr;
  int rc = kiln_tune(model.c_str(), &options, &tuneOptions, &report, &error);
  if (report)
    std::fputs(report, stdout);
  std::fflush(stdout);
  kiln_compiler_free_string(report);
  if (rc == KILN_TUNE_INTERRUPTED) {
    std::fprintf(stderr, "kilnc: tuning interrupted; every record so far is in %s, and the same "
                         "command resumes\n", options.tuning_db);
    return 130;
  }
  if (rc != 0) {
    std::fprintf(stderr, "kilnc: error: %s\n", error ? error : "tuning failed");
    kiln_compiler_free_string(error);
    return 1;
  }
  return 0;
}

// --check: the problems go to stdout, one per line, so that they can be read as a list.
static int runCheck(const std::string &model, const kiln_compile_options &options) {
  char *report = nullptr;
  if (kiln_compile_check(model.c_str(), &options, &report) == 0) {
    std::printf("%s: ok: every node is supported and every shape is known\n", model.c_str());
    return 0;
  }
  std::string text = report ? report : "check failed\n";
  kiln_compiler_free_string(report);
  size_t count = 0;
  for (char c : text)
    count += c == '\n';
  std::printf("%s: %zu problem%s:\n", model.c_str(), count, count == 1 ? "" : "s");
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    std::printf("  %s\n", text.substr(start, end - start).c_str());
  return 1;
}

int main(int argc, char **argv) {
  std::string model, output, emit = "so", target = "cpu", mcpu = "native", mtriple, value;
  int optLevel = 3;
  bool checkOnly = false, tune = false;
  std::string tuningDb, tuneReport, convLayout, convAlgorithm;
  kiln_tune_options tuneOptions;
  kiln_tune_options_init(&tuneOptions);
  int64_t count = 0;
  std::vector<std::string> shapes, ranges;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--check") {
      checkOnly = true;
    } else if (arg == "-o") {
      if (i + 1 >= argc)
        return usageError("-o needs an output file");
      output = argv[++i];
    } else if (arg.size() == 3 && arg.compare(0, 2, "-O") == 0 && arg[2] >= '0' && arg[2] <= '3') {
      optLevel = arg[2] - '0';
    } else if (takeValue(argc, argv, i, "--emit", value)) {
      emit = value;
    } else if (takeValue(argc, argv, i, "--target", value)) {
      target = value;
    } else if (takeValue(argc, argv, i, "--mcpu", value)) {
      mcpu = value;
    } else if (takeValue(argc, argv, i, "--mtriple", value)) {
      mtriple = value;
    } else if (takeValue(argc, argv, i, "--input-shape", value)) {
      shapes.push_back(value);
    } else if (takeValue(argc, argv, i, "--dim-range", value)) {
      ranges.push_back(value);
    } else if (arg == "--tune") {
      tune = true;
    } else if (arg == "--no-progress") {
      tuneOptions.progress = 0;
    } else if (takeValue(argc, argv, i, "--tuning-db", value)) {
      tuningDb = value;
    } else if (takeValue(argc, argv, i, "--conv-layout", value)) {
      convLayout = value;
    } else if (takeValue(argc, argv, i, "--conv-algorithm", value)) {
      convAlgorithm = value;
    } else if (takeValue(argc, argv, i, "--tune-report", value)) {
      tuneReport = value;
    } else if (takeValue(argc, argv, i, "--trials-per-task", value)) {
      if (!parseCount(value, tuneOptions.trials_per_task))
        return usageError("--trials-per-task needs a non-negative integer, got '" + value + "'");
    } else if (takeValue(argc, argv, i, "--trials", value)) {
      if (!parseCount(value, tuneOptions.trials))
        return usageError("--trials needs a non-negative integer, got '" + value + "'");
    } else if (takeValue(argc, argv, i, "--tune-threads", value)) {
      if (!parseCount(value, count) || count > 4096)
        return usageError("--tune-threads needs a thread count, got '" + value + "'");
      tuneOptions.threads = int32_t(count);
    } else if (takeValue(argc, argv, i, "--tune-seed", value)) {
      if (!parseCount(value, count))
        return usageError("--tune-seed needs a non-negative integer, got '" + value + "'");
      tuneOptions.seed = uint64_t(count);
    } else if (!arg.empty() && arg[0] == '-') {
      return usageError("unknown option '" + arg + "'");
    } else if (model.empty()) {
      model = arg;
    } else {
      return usageError("more than one model given ('" + model + "', '" + arg + "')");
    }
  }
  if (!tuneReport.empty()) {
    if (output.empty())
      return usageError("--tune-report needs an output file (-o CURVES.html)");
    if (!model.empty())
      return usageError("--tune-report takes a tuning database, not a model");
    return runTuneReport(tuneReport, output);
  }
  if (model.empty())
    return usageError("no model given");
  if (tune && tuningDb.empty())
    return usageError("--tune needs a tuning database (--tuning-db DB.jsonl)");
  bool textual = emit == "graph" || emit == "loop" || emit == "llvm" || emit == "asm";
  if (!textual && emit != "so" && emit != "obj")
    return usageError("unknown --emit form '" + emit + "'");
  if (!textual && output.empty() && !checkOnly)
    return usageError("no output file given (-o MODEL.so)");

  std::vector<const char *> shapePtrs;
  for (const std::string &s : shapes)
    shapePtrs.push_back(s.c_str());
  kiln_compile_options options;
  kiln_compile_options_init(&options);
  options.target = target.c_str();
  options.opt_level = optLevel;
  options.mcpu = mcpu.c_str();
  options.mtriple = mtriple.empty() ? nullptr : mtriple.c_str();
  options.num_input_shapes = int32_t(shapePtrs.size());
  options.input_shapes = shapePtrs.data();
  options.tuning_db = tuningDb.empty() ? nullptr : tuningDb.c_str();
  options.conv_layout = convLayout.empty() ? nullptr : convLayout.c_str();
  options.conv_algorithm = convAlgorithm.empty() ? nullptr : convAlgorithm.c_str();
  std::vector<const char *> rangePtrs;
  for (const std::string &r : ranges)
    rangePtrs.push_back(r.c_str());
  options.num_dim_ranges = int32_t(rangePtrs.size());
  options.dim_ranges = rangePtrs.data();

  if (checkOnly)
    return runCheck(model, options);
  if (tune)
    if (int rc = runTune(model, options, tuneOptions))
      return rc;

  char *error = nullptr;
  int rc;
  if (textual) {
    char *text = nullptr;
    rc = kiln_compile_emit(model.c_str(), &options, emit.c_str(), &text, &error);
    if (rc == 0) {
      // Remove a partial file only if kilnc created it: never a user's existing file or device.
      bool existed = !output.empty() && access(output.c_str(), F_OK) == 0;
      FILE *out = output.empty() ? stdout : std::fopen(output.c_str(), "w");
      bool written = out && std::fputs(text, out) >= 0;
      if (out && out != stdout)
        written = std::fclose(out) == 0 && written;
      kiln_compiler_free_string(text);
      if (!written) {
        if (!output.empty() && !existed)
          std::remove(output.c_str());
        std::fprintf(stderr, "kilnc: error: cannot write %s\n",
                     output.empty() ? "to standard output" : output.c_str());
        return 1;
      }
    }
  } else {
    rc = emit == "so" ? kiln_compile_file(model.c_str(), &options, output.c_str(), &error)
                      : kiln_compile_object(model.c_str(), &options, output.c_str(), &error);
  }
  if (rc != 0) {
    std::fprintf(stderr, "kilnc: error: %s\n", error ? error : "compilation failed");
    kiln_compiler_free_string(error);
    return 1;
  }
  return 0;
}
