// Parsing of kiln-run's command line: "--flag value" and "--flag=value" both work.
#include "tools/kiln-run/options.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace kiln::run {

const char kUsage[] =
    "usage: kiln-run MODEL.so [--input NAME=FILE.npy]... [--output-dir DIR] [--bench N]\n"
    "                [--threads N] [--thread-affinity auto|none|spread] [--seed S]\n"
    "                [--dim SYMBOL=N]... [--info]\n"
    "\n"
    "Runs a model compiled by kilnc. Inputs without --input get deterministic random values\n"
    "(uniform [-1, 1) for floats, [0, 10) for integers) from --seed.\n"
    "\n"
    "  --input NAME=FILE.npy  value of input NAME (little-endian, C-order .npy; bfloat16 as <u2)\n"
    "  --output-dir DIR       write each output as DIR/<name>.npy ('/' in names becomes '_');\n"
    "                         without it the outputs' first values are printed\n"
    "  --bench N              time N runs after a warm-up; print latency mean/p50/p90/p99/min\n"
    "  --threads N            threads including the caller (default 0: all cores)\n"
    "  --thread-affinity A    auto (default): pin the workers when there is one thread per\n"
    "                         CPU; none: leave them to the OS; spread: always pin\n"
    "  --seed S               seed of the random inputs (default 0)\n"
    "  --dim SYMBOL=N         size of a symbolic dim in random inputs (default: its maximum)\n"
    "  --info                 print the model's inputs and outputs and exit\n"
    "  --help                 print this help\n";

namespace {

bool parseInteger(const std::string &text, int64_t min, int64_t max, int64_t *out) {
  if (text.empty() || text[0] == ' ')
    return false;
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno || *end || value < min || value > max)
    return false;
  *out = value;
  return true;
}

bool parseUnsigned(const std::string &text, uint64_t *out) {
  if (text.empty() || text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  char *end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (errno || *end)
    return false;
  *out = value;
  return true;
}

} // namespace

bool parseOptions(int argc, const char *const *argv, Options *out, std::string *error) {
  *out = Options();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (!out->modelPath.empty()) {
        *error = "unexpected argument '" + arg + "' (one model at a time)";
        return false;
      }
      out->modelPath = arg;
      continue;
    }
    std::string flag = arg, value;
    bool inlineValue = false;
    if (size_t eq = arg.find('='); eq != std::string::npos && arg.rfind("--", 0) == 0) {
      flag = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inlineValue = true;
    }
    if (flag == "--help" || flag == "-h" || flag == "--info") {
      if (inlineValue) {
        *error = flag + " takes no value";
        return false;
      }
      (flag == "--info" ? out->info : out->help) = true;
      continue;
    }
    if (flag != "--input" && flag != "--output-dir" && flag != "--bench" && flag != "--threads" &&
        flag != "--thread-affinity" && flag != "--seed" && flag != "--dim") {
      *error = "unknown option '" + flag + "' (see --help)";
      return false;
    }
    if (!inlineValue) {
      if (i + 1 >= argc) {
        *error = flag + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    int64_t number = 0;
    if (flag == "--input") {
      size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
        *error = "--input expects NAME=FILE.npy, got '" + value + "'";
        return false;
      }
      std::string name = value.substr(0, eq);
      for (const InputFile &input : out->inputs)
        if (input.name == name) {
          *error = "input '" + name + "' given twice";
          return false;
        }
      out->inputs.push_back({name, value.substr(eq + 1)});
    } else if (flag == "--dim") {
      size_t eq = value.rfind('=');
      if (eq == std::string::npos || eq == 0 ||
          !parseInteger(value.substr(eq + 1), 0, INT64_MAX, &number)) {
        *error = "--dim expects SYMBOL=N, got '" + value + "'";
        return false;
      }
      out->dims.push_back({value.substr(0, eq), number});
    } else if (flag == "--output-dir") {
      if (value.empty()) {
        *error = "--output-dir needs a directory";
        return false;
      }
      out->outputDir = value;
    } else if (flag == "--bench") {
      if (!parseInteger(value, 1, 1000000000, &number)) {
        *error = "--bench expects a positive number of runs, got '" + value + "'";
        return false;
      }
      out->benchIterations = number;
    } else if (flag == "--threads") {
      if (!parseInteger(value, 0, 1024, &number)) {
        *error = "--threads expects a number in [0, 1024], got '" + value + "'";
        return false;
      }
      out->numThreads = static_cast<int32_t>(number);
    } else if (flag == "--thread-affinity") {
      if (value == "auto")
        out->threadAffinity = KILN_THREAD_AFFINITY_AUTO;
      else if (value == "none")
        out->threadAffinity = KILN_THREAD_AFFINITY_NONE;
      else if (value == "spread")
        out->threadAffinity = KILN_THREAD_AFFINITY_SPREAD;
      else {
        *error = "--thread-affinity expects auto, none or spread, got '" + value + "'";
        return false;
      }
    } else if (!parseUnsigned(value, &out->seed)) {
      *error = "--seed expects a non-negative integer, got '" + value + "'";
      return false;
    }
  }
  if (out->modelPath.empty() && !out->help) {
    *error = "no model given (usage: kiln-run MODEL.so [options], see --help)";
    return false;
  }
  return true;
}

} // namespace kiln::run
