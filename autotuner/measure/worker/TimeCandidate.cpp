#include "autotuner/measure/worker/TimeCandidate.h"

#include "tools/kiln-run/model.h"
#include "tools/kiln-run/tensor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>
#include <climits>
#include <cstdlib>

namespace kiln::autotuner {

using run::HostTensor;

// Reference outputs are stored as the raw bytes of each output, in order.
static bool storeOutputs(const std::string &path, const std::vector<HostTensor> &outputs,
                         std::string &error) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  for (const HostTensor &t : outputs)
    file.write(static_cast<const char *>(t.data()), std::streamsize(t.byteSize()));
  if (!file) {
    error = "cannot write reference outputs to " + path;
    return false;
  }
  return true;
}

static bool compareOutputs(const std::string &path, const run::Model &model,
                           const std::vector<HostTensor> &outputs, const TimeRequest &request,
                           std::string &error) {
  std::ifstream file(path, std::ios::binary);
  for (size_t k = 0; k < outputs.size(); ++k) {
    const HostTensor &got = outputs[k];
    HostTensor want(got.dtype(), got.shape());
    if (!file.read(static_cast<char *>(want.data()), std::streamsize(want.byteSize()))) {
      error = "cannot read reference outputs from " + path;
      return false;
    }
    bool isFloat = run::isFloatDtype(got.dtype());
    double scale = 0;
    for (size_t i = 0; isFloat && i < want.numElements(); ++i)
      scale = std::max(scale, std::fabs(want.valueAsDouble(i)));
    for (size_t i = 0; i < got.numElements(); ++i) {
      double a = got.valueAsDouble(i), b = want.valueAsDouble(i);
      bool same = isFloat ? (std::isnan(a) && std::isnan(b)) ||
                                std::fabs(a - b) <= request.atol * scale + request.rtol * std::fabs(b)
                          : a == b;
      if (!same) {
        error = "wrong result: output '" + model.outputs()[k].name + "' element " +
                std::to_string(i) + " is " + std::to_string(a) + ", the default schedule gives " +
                std::to_string(b);
        return false;
      }
    }
  }
  return true;
}

namespace {
// The model's read-only and data mappings (its weights), found in /proc/self/maps by the
// resolved path of the .so. Flushing them before a run times the kernel with its weights
// coming from memory, as they do inside a model whose weights exceed the caches; a kernel
// timed warm would favour schedules that re-read the whole weight per row tile.
struct WeightMappings {
  std::vector<std::pair<const char *, const char *>> ranges;

  explicit WeightMappings(const std::string &modelPath) {
    char resolved[PATH_MAX];
    if (!realpath(modelPath.c_str(), resolved))
      return;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
      std::istringstream fields(line);
      std::string range, perms, offset, device, inode, path;
      fields >> range >> perms >> offset >> device >> inode >> path;
      if (path != resolved || perms.size() < 3 || perms[0] != 'r' || perms[2] == 'x')
        continue;
      size_t dash = range.find('-');
      ranges.emplace_back(reinterpret_cast<const char *>(std::stoull(range.substr(0, dash), nullptr, 16)),
                          reinterpret_cast<const char *>(std::stoull(range.substr(dash + 1), nullptr, 16)));
    }
  }

  void flush() const {
#if defined(__x86_64__)
    for (auto [begin, end] : ranges)
      for (const char *p = begin; p < end; p += 64)
        __builtin_ia32_clflush(p);
    __builtin_ia32_mfence();
#endif
  }
};
} // namespace

bool timeCandidate(const TimeRequest &request, std::vector<double> &latenciesSec,
                   std::string &error) {
  run::Model model;
  if (!model.load(request.modelPath, &error))
    return false;
  const run::ModelApi &api = model.api();
  std::vector<HostTensor> inputs, outputs;
  for (size_t i = 0; i < model.inputs().size(); ++i) {
    inputs.emplace_back(model.inputs()[i].dtype, model.inputs()[i].shape);
    run::fillRandom(inputs.back(), 0x9e3779b97f4a7c15ull * (i + 1));
  }
  for (const run::TensorSpec &spec : model.outputs())
    outputs.emplace_back(spec.dtype, spec.shape);

  kiln_context_options contextOptions;
  api.context_options_init_sized(&contextOptions, sizeof contextOptions);
  contextOptions.num_threads = request.threads;
  kiln_context rawContext = nullptr;
  if (kiln_status status = api.context_create(&contextOptions, &rawContext)) {
    error = "cannot create a context: " + model.consumeStatus(status);
    return false;
  }
  std::unique_ptr<kiln_context_s, decltype(api.context_destroy)> context(rawContext,
                                                                         api.context_destroy);
  std::vector<kiln_tensor> inputViews, outputViews;
  for (const HostTensor &t : inputs)
    inputViews.push_back({t.dtype(), int32_t(t.shape().size()), t.shape().data(), t.data()});
  for (const HostTensor &t : outputs)
    outputViews.push_back({t.dtype(), int32_t(t.shape().size()), t.shape().data(), t.data()});
  WeightMappings weights(request.modelPath);
  // Runs `count` times, each with cold weights when asked; returns the mean seconds per run
  // (flushes not counted), or a negative value on failure.
  auto timeRuns = [&](int64_t count) -> double {
    std::chrono::duration<double> elapsed{0};
    for (int64_t i = 0; i < count; ++i) {
      if (request.coldWeights)
        weights.flush();
      auto start = std::chrono::steady_clock::now();
      if (kiln_status status = api.context_run(context.get(), inputViews.data(), inputViews.size(),
                                               outputViews.data(), outputViews.size())) {
        error = "run failed: " + model.consumeStatus(status);
        return -1;
      }
      elapsed += std::chrono::steady_clock::now() - start;
    }
    return elapsed.count() / double(count);
  };

  // The first run warms the caches and the thread pool and produces the outputs to check.
  double first = timeRuns(1);
  if (first < 0)
    return false;
  if (!request.writeOutputs.empty() && !storeOutputs(request.writeOutputs, outputs, error))
    return false;
  if (!request.checkOutputs.empty() &&
      !compareOutputs(request.checkOutputs, model, outputs, request, error))
    return false;
  int64_t runsPerSample =
      std::clamp<int64_t>(int64_t(request.minRepeatMs * 1e-3 / std::max(first, 1e-7)), 1, 100000);
  for (int r = 0; r < request.repeats; ++r) {
    double seconds = timeRuns(runsPerSample);
    if (seconds < 0)
      return false;
    latenciesSec.push_back(seconds);
  }
  return true;
}

} // namespace kiln::autotuner
