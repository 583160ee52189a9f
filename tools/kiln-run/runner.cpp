// kiln-run's main flow. Every failure becomes one "kiln-run: error: ..." line and exit code 1.
#include "tools/kiln-run/runner.h"

#include "tools/kiln-run/bench.h"
#include "tools/kiln-run/model.h"
#include "tools/kiln-run/npy.h"
#include "tools/kiln-run/tensor.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <sys/stat.h>

namespace kiln::run {
namespace {

constexpr size_t kPrintedValues = 8;

int fail(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return 1;
}

std::string describe(kiln_dtype dtype, const std::vector<int64_t> &shape) {
  return std::string(dtypeName(dtype)) + " " + formatShape(shape);
}

// "float32 batchxseqx768": symbolic dims by name.
std::string describe(const TensorSpec &spec) {
  std::string text = std::string(dtypeName(spec.dtype)) + " ";
  if (spec.shape.empty())
    return text + "scalar";
  for (size_t d = 0; d < spec.shape.size(); ++d)
    text += (d ? "x" : "") + (spec.dimNames[d].empty() ? std::to_string(spec.shape[d])
                                                       : spec.dimNames[d]);
  return text;
}

// The size of every dim of `spec` for random inputs: symbols at --dim, else at their maximum.
bool randomShape(const Options &options, const Model &model, const TensorSpec &spec,
                 std::vector<int64_t> *shape, std::string *error) {
  *shape = spec.shape;
  for (size_t d = 0; d < shape->size(); ++d) {
    if ((*shape)[d] >= 0)
      continue;
    const std::string &name = spec.dimNames[d];
    int64_t size = -1;
    for (const SymbolSpec &symbol : model.symbols())
      if (symbol.name == name)
        size = symbol.max;
    for (const auto &[symbol, value] : options.dims)
      if (symbol == name)
        size = value;
    if (size < 0) {
      *error = "input '" + spec.name + "' dim " + std::to_string(d) + " is '" + name +
               "'; give it a size with --dim or an input file";
      return false;
    }
    (*shape)[d] = size;
  }
  return true;
}

void printInfo(const std::string &path, const Model &model) {
  std::printf("model: %s (Kiln ABI %d)\n", path.c_str(), KILN_ABI_VERSION);
  for (int pass = 0; pass < 2; ++pass) {
    const auto &specs = pass == 0 ? model.inputs() : model.outputs();
    std::printf("%s:\n", pass == 0 ? "inputs" : "outputs");
    for (const TensorSpec &spec : specs)
      std::printf("  '%s': %s\n", spec.name.c_str(), describe(spec).c_str());
  }
  if (!model.symbols().empty()) {
    std::printf("symbols:\n");
    for (const SymbolSpec &symbol : model.symbols())
      std::printf("  '%s': %lld..%lld\n", symbol.name.c_str(), (long long)symbol.min,
                  (long long)symbol.max);
  }
}

bool prepareInputs(const Options &options, const Model &model, std::vector<HostTensor> *inputs,
                   std::string *error) {
  for (const auto &[name, size] : options.dims) {
    bool known = false;
    std::string names;
    for (const SymbolSpec &symbol : model.symbols()) {
      known |= symbol.name == name;
      names += (names.empty() ? "'" : ", '") + symbol.name + "'";
    }
    if (!known) {
      *error = "--dim names '" + name + "', which is not a symbolic dim of the model (" +
               (names.empty() ? std::string("it has none") : "its symbols: " + names) + ")";
      return false;
    }
  }
  for (const InputFile &file : options.inputs) {
    bool known = false;
    for (const TensorSpec &spec : model.inputs())
      known |= spec.name == file.name;
    if (!known) {
      std::string names;
      for (const TensorSpec &spec : model.inputs())
        names += (names.empty() ? "'" : ", '") + spec.name + "'";
      *error = "unknown input '" + file.name +
               "' (model inputs: " + (names.empty() ? "none" : names) + ")";
      return false;
    }
  }
  for (size_t i = 0; i < model.inputs().size(); ++i) {
    const TensorSpec &spec = model.inputs()[i];
    const InputFile *file = nullptr;
    for (const InputFile &candidate : options.inputs)
      if (candidate.name == spec.name)
        file = &candidate;
    if (!file) {
      std::vector<int64_t> shape;
      if (!randomShape(options, model, spec, &shape, error))
        return false;
      inputs->emplace_back(spec.dtype, shape);
      // A seed per input, so giving one input a file leaves the others' values unchanged.
      fillRandom(inputs->back(), options.seed ^ (0x9e3779b97f4a7c15ull * (i + 1)));
      continue;
    }
    HostTensor tensor;
    std::string reason;
    if (!readNpy(file->path, spec.dtype, &tensor, &reason)) {
      *error = "input '" + spec.name + "' (" + file->path + "): " + reason;
      return false;
    }
    bool shapeFits = tensor.shape().size() == spec.shape.size();
    for (size_t d = 0; shapeFits && d < spec.shape.size(); ++d)
      shapeFits = spec.shape[d] < 0 || spec.shape[d] == tensor.shape()[d];
    if (tensor.dtype() != spec.dtype || !shapeFits) {
      *error = "input '" + spec.name + "' (" + file->path + "): expected " + describe(spec) +
               ", got " +
               describe(tensor.dtype(), tensor.shape());
      return false;
    }
    inputs->push_back(std::move(tensor));
  }
  return true;
}

// mkdir -p.
bool makeDirectories(const std::string &path, std::string *error) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/')
      continue;
    std::string prefix = path.substr(0, pos);
    struct stat info;
    if (stat(prefix.c_str(), &info) == 0) {
      if (S_ISDIR(info.st_mode))
        continue;
      *error = "cannot create output folder " + path + ": " + prefix + " is not a folder";
      return false;
    }
    if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      *error = "cannot create output folder " + prefix + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

bool writeOutputs(const std::string &dir, const Model &model,
                  const std::vector<HostTensor> &outputs, std::string *error) {
  if (!makeDirectories(dir, error))
    return false;
  std::set<std::string> written;
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::string file = outputFileName(model.outputs()[i].name);
    if (!written.insert(file).second) {
      *error = "outputs '" + model.outputs()[i].name + "' and another map to the same file " + file;
      return false;
    }
    if (!writeNpy(dir + "/" + file, outputs[i], error))
      return false;
  }
  return true;
}

int runLoaded(const Options &options, const Model &model) {
  const ModelApi &api = model.api();
  std::string error;
  std::vector<HostTensor> inputs, outputs;
  if (!prepareInputs(options, model, &inputs, &error))
    return fail(error);
  std::vector<kiln_tensor> inputViews, outputViews;
  for (const HostTensor &t : inputs)
    inputViews.push_back({t.dtype(), int32_t(t.shape().size()), t.shape().data(), t.data()});
  for (size_t i = 0; i < model.outputs().size(); ++i) {
    std::vector<int64_t> shape(model.outputs()[i].shape.size());
    if (kiln_status status = api.model_output_shape(inputViews.data(), inputViews.size(),
                                                    int32_t(i), shape.data()))
      return fail(model.consumeStatus(status));
    outputs.emplace_back(model.outputs()[i].dtype, shape);
  }

  kiln_context_options contextOptions;
  api.context_options_init_sized(&contextOptions, sizeof contextOptions);
  contextOptions.num_threads = options.numThreads;
  contextOptions.thread_affinity = options.threadAffinity;
  kiln_context rawContext = nullptr;
  if (kiln_status status = api.context_create(&contextOptions, &rawContext))
    return fail("cannot create a context: " + model.consumeStatus(status));
  std::unique_ptr<kiln_context_s, decltype(api.context_destroy)> context(rawContext,
                                                                         api.context_destroy);

  for (const HostTensor &t : outputs)
    outputViews.push_back({t.dtype(), int32_t(t.shape().size()), t.shape().data(), t.data()});
  auto runOnce = [&] {
    return api.context_run(context.get(), inputViews.data(), inputViews.size(), outputViews.data(),
                           outputViews.size());
  };

  int64_t timed = options.benchIterations, warmup = timed ? warmupRuns(timed) : 0;
  std::vector<double> samplesMs;
  for (int64_t i = 0; i < warmup + std::max<int64_t>(timed, 1); ++i) {
    auto start = std::chrono::steady_clock::now();
    if (kiln_status status = runOnce())
      return fail("run failed: " + model.consumeStatus(status));
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    if (timed && i >= warmup)
      samplesMs.push_back(elapsed.count());
  }

  if (!options.outputDir.empty()) {
    if (!writeOutputs(options.outputDir, model, outputs, &error))
      return fail(error);
  } else {
    for (size_t i = 0; i < outputs.size(); ++i)
      std::printf("output '%s': %s = %s\n", model.outputs()[i].name.c_str(),
                  describe(outputs[i].dtype(), outputs[i].shape()).c_str(),
                  formatValues(outputs[i], kPrintedValues).c_str());
  }
  if (timed) {
    LatencyStats stats = summarizeLatencies(samplesMs);
    std::printf("bench: %lld runs after %lld warm-up, %d threads\n", (long long)timed,
                (long long)warmup, api.context_num_threads(context.get()));
    std::printf("latency ms: mean %.4f p50 %.4f p90 %.4f p99 %.4f min %.4f\n", stats.mean,
                stats.p50, stats.p90, stats.p99, stats.min);
  }
  return 0;
}

} // namespace

std::string outputFileName(const std::string &name) {
  std::string file = name;
  for (char &c : file)
    if (c == '/')
      c = '_';
  return file + ".npy";
}

int runModel(const Options &options) {
  try {
    Model model;
    std::string error;
    if (!model.load(options.modelPath, &error))
      return fail(error);
    if (options.info) {
      printInfo(options.modelPath, model);
      return 0;
    }
    return runLoaded(options, model);
  } catch (const std::bad_alloc &) {
    return fail("out of memory");
  }
}

} // namespace kiln::run
