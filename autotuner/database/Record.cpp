// TuningRecord <-> JSON. Required fields are checked strictly; descriptive ones default.
#include "autotuner/database/Record.h"

#include "llvm/Support/raw_ostream.h"

#include <ctime>
#include <limits>
#include <numeric>

using namespace llvm;

namespace kiln::autotuner {

double TuningRecord::meanLatency() const {
  if (latenciesSec.empty())
    return std::numeric_limits<double>::infinity();
  return std::accumulate(latenciesSec.begin(), latenciesSec.end(), 0.0) /
         static_cast<double>(latenciesSec.size());
}

bool TuningRecord::ok() const { return error.empty() && !latenciesSec.empty(); }

json::Value TuningRecord::toJSON() const {
  json::Array latencies;
  for (double latency : latenciesSec)
    latencies.push_back(latency);
  return json::Object{{"version", kFormatVersion},
                      {"workload_key", workloadKey},
                      {"target", target},
                      {"task_name", taskName},
                      {"source", source},
                      {"trace", trace},
                      {"latencies_sec", std::move(latencies)},
                      {"error", error},
                      {"flops", flops},
                      {"weight", weight},
                      {"trial", trial},
                      {"time", time}};
}

static Error fieldError(StringRef field, StringRef what) {
  return createStringError(inconvertibleErrorCode(), "tuning record: field '%s' %s",
                           field.str().c_str(), what.str().c_str());
}

// Reads a string field; `required` makes its absence an error.
static Error readString(const json::Object &object, StringRef field, bool required,
                        std::string &out) {
  const json::Value *value = object.get(field);
  if (!value)
    return required ? fieldError(field, "is missing") : Error::success();
  std::optional<StringRef> text = value->getAsString();
  if (!text)
    return fieldError(field, "is not a string");
  out = text->str();
  return Error::success();
}

static Error readNumber(const json::Object &object, StringRef field, double &out) {
  const json::Value *value = object.get(field);
  if (!value)
    return Error::success();
  std::optional<double> number = value->getAsNumber();
  if (!number)
    return fieldError(field, "is not a number");
  out = *number;
  return Error::success();
}

Expected<TuningRecord> TuningRecord::fromJSON(const json::Value &value) {
  const json::Object *object = value.getAsObject();
  if (!object)
    return createStringError(inconvertibleErrorCode(), "tuning record: not a JSON object");
  const json::Value *version = object->get("version");
  if (!version)
    return fieldError("version", "is missing");
  std::optional<int64_t> versionNumber = version->getAsInteger();
  if (!versionNumber || *versionNumber != kFormatVersion) {
    std::string text;
    raw_string_ostream(text) << *version;
    return createStringError(inconvertibleErrorCode(),
                             "tuning record: unknown format version %s (this reader knows %d)",
                             text.c_str(), kFormatVersion);
  }

  TuningRecord record;
  if (Error err = readString(*object, "workload_key", true, record.workloadKey))
    return std::move(err);
  if (Error err = readString(*object, "target", true, record.target))
    return std::move(err);
  if (Error err = readString(*object, "source", true, record.source))
    return std::move(err);
  if (Error err = readString(*object, "task_name", false, record.taskName))
    return std::move(err);
  if (Error err = readString(*object, "error", false, record.error))
    return std::move(err);
  if (Error err = readString(*object, "time", false, record.time))
    return std::move(err);
  if (Error err = readNumber(*object, "flops", record.flops))
    return std::move(err);
  if (Error err = readNumber(*object, "weight", record.weight))
    return std::move(err);

  const json::Value *trace = object->get("trace");
  if (!trace || !trace->getAsArray())
    return fieldError("trace", "is missing or not an array");
  record.trace = *trace;

  const json::Array *latencies = object->getArray("latencies_sec");
  if (!latencies)
    return fieldError("latencies_sec", "is missing or not an array");
  for (const json::Value &latency : *latencies) {
    std::optional<double> seconds = latency.getAsNumber();
    if (!seconds)
      return fieldError("latencies_sec", "holds a value that is not a number");
    record.latenciesSec.push_back(*seconds);
  }

  if (const json::Value *trial = object->get("trial")) {
    std::optional<int64_t> number = trial->getAsInteger();
    if (!number)
      return fieldError("trial", "is not an integer");
    record.trial = *number;
  }
  return record;
}

std::string currentTimeUTC() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

} // namespace kiln::autotuner
