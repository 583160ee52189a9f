// kiln-apply-schedule: replays a schedule trace on kernels (tuning records, lit tests).
//
// The trace comes from the `trace` / `trace-file` options (JSON text, for one kernel) or from
// a kernel's `kiln.trace` attribute: the same objects written as MLIR attributes,
// `[{primitive = "split", names = ["i"], ints = [-1, 8]}]`, so tests read naturally.
#include "passes/schedule/Passes.h"
#include "passes/schedule/Schedule.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::schedule {

#define GEN_PASS_DEF_APPLYSCHEDULE
#include "passes/schedule/Passes.h.inc"

LogicalResult reportTrace(func::FuncOp kernel, func::FuncOp original, const Trace &trace,
                          bool print, bool check) {
  if (print)
    llvm::outs() << "// kiln-trace @" << kernel.getSymName() << ": " << trace.toString() << "\n";
  if (!check)
    return success();
  if (std::optional<std::string> error = checkTraceRoundTrip(original, kernel, trace))
    return kernel.emitError("trace round trip failed: ") << *error;
  return success();
}

// Arrays, dictionaries, strings and integers as their JSON counterparts.
static std::optional<llvm::json::Value> toJSON(Attribute attr) {
  if (auto s = llvm::dyn_cast<StringAttr>(attr))
    return llvm::json::Value(s.getValue().str());
  if (auto i = llvm::dyn_cast<IntegerAttr>(attr))
    return llvm::json::Value(i.getInt());
  if (auto array = llvm::dyn_cast<ArrayAttr>(attr)) {
    llvm::json::Array values;
    for (Attribute element : array) {
      std::optional<llvm::json::Value> v = toJSON(element);
      if (!v)
        return std::nullopt;
      values.push_back(std::move(*v));
    }
    return llvm::json::Value(std::move(values));
  }
  if (auto dict = llvm::dyn_cast<DictionaryAttr>(attr)) {
    llvm::json::Object object;
    for (NamedAttribute entry : dict) {
      std::optional<llvm::json::Value> v = toJSON(entry.getValue());
      if (!v)
        return std::nullopt;
      object[entry.getName().getValue()] = std::move(*v);
    }
    return llvm::json::Value(std::move(object));
  }
  return std::nullopt;
}

namespace {
struct ApplySchedulePass : impl::ApplyScheduleBase<ApplySchedulePass> {
  using Base::Base;

  llvm::Expected<Trace> readTrace(func::FuncOp kernel, bool fromOptions) {
    if (!fromOptions) {
      std::optional<llvm::json::Value> json = toJSON(kernel->getAttr("kiln.trace"));
      if (!json)
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "kiln.trace must hold arrays, dictionaries, strings and "
                                       "integers");
      return Trace::fromJSON(*json);
    }
    if (traceFile.empty())
      return Trace::parse(trace);
    auto buffer = llvm::MemoryBuffer::getFile(traceFile);
    if (!buffer)
      return llvm::createStringError(buffer.getError(),
                                     "cannot read trace file '" + traceFile + "'");
    return Trace::parse((*buffer)->getBuffer());
  }

  // The trace for `kernel`, or failure (with an error emitted).
  FailureOr<Trace> traceFor(func::FuncOp kernel, bool fromOptions) {
    llvm::Expected<Trace> parsed = readTrace(kernel, fromOptions);
    if (!parsed)
      return kernel.emitError() << llvm::toString(parsed.takeError());
    return std::move(*parsed);
  }

  LogicalResult schedule(func::FuncOp kernel, bool fromOptions) {
    FailureOr<Trace> steps = traceFor(kernel, fromOptions);
    if (failed(steps))
      return failure();
    kernel->removeAttr("kiln.trace");
    func::FuncOp original =
        checkRoundTrip ? llvm::cast<func::FuncOp>(kernel->clone()) : func::FuncOp();
    Schedule s(kernel);
    LogicalResult result = s.replay(*steps);
    if (failed(result))
      kernel.emitError() << s.lastError();
    else
      result = reportTrace(kernel, original, s.trace(), printTrace, checkRoundTrip);
    if (original)
      original->erase();
    return result;
  }

  void runOnOperation() override {
    SmallVector<func::FuncOp> kernels;
    getOperation().walk([&](func::FuncOp f) {
      if (f->hasAttr("kiln.kernel"))
        kernels.push_back(f);
    });
    bool fromOptions = !trace.empty() || !traceFile.empty();
    if (fromOptions) {
      auto named = llvm::make_filter_range(
          kernels, [&](func::FuncOp f) { return kernel.empty() || f.getSymName() == kernel; });
      SmallVector<func::FuncOp> selected(named.begin(), named.end());
      if (selected.size() != 1) {
        getOperation().emitError("kiln-apply-schedule: ")
            << (selected.empty() ? "no kernel" : "more than one kernel")
            << (kernel.empty() ? std::string() : " named '" + kernel + "'")
            << " to apply the trace option to";
        return signalPassFailure();
      }
      if (failed(schedule(selected.front(), true)))
        signalPassFailure();
      return;
    }
    for (func::FuncOp f : kernels)
      if (f->hasAttr("kiln.trace") && failed(schedule(f, false)))
        signalPassFailure();
  }
};
} // namespace

} // namespace kiln::schedule
