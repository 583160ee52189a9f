// JSON (de)serialisation of schedule traces: [{"primitive":..., "names":[...], "ints":[...]}].
#include "passes/schedule/Trace.h"

#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace kiln::schedule {

json::Value Trace::toJSON() const {
  json::Array steps_;
  for (const TraceStep &step : steps) {
    json::Array names, ints;
    for (const std::string &name : step.names)
      names.push_back(name);
    for (int64_t i : step.ints)
      ints.push_back(i);
    steps_.push_back(json::Object{
        {"primitive", step.primitive}, {"names", std::move(names)}, {"ints", std::move(ints)}});
  }
  return json::Value(std::move(steps_));
}

static Error traceError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), "bad schedule trace: " + message);
}

Expected<Trace> Trace::fromJSON(const json::Value &value) {
  const json::Array *steps = value.getAsArray();
  if (!steps)
    return traceError("expected an array of steps");
  Trace trace;
  for (auto [index, stepValue] : llvm::enumerate(*steps)) {
    const json::Object *object = stepValue.getAsObject();
    if (!object)
      return traceError("step " + Twine(index) + " is not an object");
    TraceStep step;
    std::optional<StringRef> primitive = object->getString("primitive");
    if (!primitive || primitive->empty())
      return traceError("step " + Twine(index) + " has no \"primitive\" string");
    step.primitive = primitive->str();
    for (const auto &entry : *object)
      if (entry.first != "primitive" && entry.first != "names" && entry.first != "ints")
        return traceError("step " + Twine(index) + " has unknown key \"" + entry.first.str() +
                          "\"");
    if (const json::Value *names = object->get("names")) {
      const json::Array *array = names->getAsArray();
      if (!array)
        return traceError("step " + Twine(index) + ": \"names\" is not an array");
      for (const json::Value &name : *array) {
        std::optional<StringRef> s = name.getAsString();
        if (!s)
          return traceError("step " + Twine(index) + ": a name is not a string");
        step.names.push_back(s->str());
      }
    }
    if (const json::Value *ints = object->get("ints")) {
      const json::Array *array = ints->getAsArray();
      if (!array)
        return traceError("step " + Twine(index) + ": \"ints\" is not an array");
      for (const json::Value &i : *array) {
        std::optional<int64_t> v = i.getAsInteger();
        if (!v)
          return traceError("step " + Twine(index) + ": an int is not an integer");
        step.ints.push_back(*v);
      }
    }
    trace.steps.push_back(std::move(step));
  }
  return trace;
}

std::string Trace::toString() const {
  std::string text;
  raw_string_ostream os(text);
  os << toJSON();
  return text;
}

Expected<Trace> Trace::parse(StringRef text) {
  Expected<json::Value> value = json::parse(text);
  if (!value)
    return traceError(llvm::toString(value.takeError()));
  return fromJSON(*value);
}

} // namespace kiln::schedule
