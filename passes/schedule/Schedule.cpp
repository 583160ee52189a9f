// The primitive registry (name -> how a trace step is applied), replay, and the round-trip check.
//
// A new primitive touches its family file, Schedule.h, this registry and a lit test.
#include "passes/schedule/Schedule.h"

#include "ir/loop/Analysis.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::schedule {

namespace {
struct PrimitiveInfo {
  llvm::StringLiteral name;
  unsigned numNames; // 0: one or more
  int numInts;       // -1: any number
  LogicalResult (*apply)(Schedule &, const TraceStep &);
};

template <typename T> LogicalResult asResult(const FailureOr<T> &r) { return failure(failed(r)); }

const PrimitiveInfo kPrimitives[] = {
    {"split", 1, -1,
     [](Schedule &s, const TraceStep &t) { return asResult(s.split(t.names[0], t.ints)); }},
    {"fuse", 0, 0,
     [](Schedule &s, const TraceStep &t) {
       return asResult(s.fuse(SmallVector<std::string>(t.names.begin(), t.names.end())));
     }},
    {"reorder", 0, 0,
     [](Schedule &s, const TraceStep &t) {
       return s.reorder(SmallVector<std::string>(t.names.begin(), t.names.end()));
     }},
    {"fuse_siblings", 2, 0,
     [](Schedule &s, const TraceStep &t) { return s.fuseSiblings(t.names[0], t.names[1]); }},
    {"parallel", 1, 0, [](Schedule &s, const TraceStep &t) { return s.parallel(t.names[0]); }},
    {"vectorize", 1, 0,
     [](Schedule &s, const TraceStep &t) { return s.vectorize(t.names[0]); }},
    {"unroll", 1, 0, [](Schedule &s, const TraceStep &t) { return s.unroll(t.names[0]); }},
    {"compute_at", 2, 0,
     [](Schedule &s, const TraceStep &t) { return s.computeAt(t.names[0], t.names[1]); }},
    {"reverse_compute_at", 2, 0,
     [](Schedule &s, const TraceStep &t) { return s.reverseComputeAt(t.names[0], t.names[1]); }},
    {"compute_inline", 1, 0,
     [](Schedule &s, const TraceStep &t) { return s.computeInline(t.names[0]); }},
    {"cache_write", 1, 0,
     [](Schedule &s, const TraceStep &t) { return asResult(s.cacheWrite(t.names[0])); }},
    {"cache_read", 2, 1,
     [](Schedule &s, const TraceStep &t) {
       return asResult(s.cacheRead(t.names[0], t.ints[0], t.names[1]));
     }},
    {"layout_rewrite", 2, 1,
     [](Schedule &s, const TraceStep &t) {
       return asResult(s.layoutRewrite(t.names[0], t.ints[0], t.names[1]));
     }},
    {"rfactor", 2, 0,
     [](Schedule &s, const TraceStep &t) { return asResult(s.rfactor(t.names[0], t.names[1])); }},
    {"decompose_reduction", 2, 0,
     [](Schedule &s, const TraceStep &t) {
       return asResult(s.decomposeReduction(t.names[0], t.names[1]));
     }},
};
} // namespace

SmallVector<StringRef> primitiveNames() {
  SmallVector<StringRef> names;
  for (const PrimitiveInfo &info : kPrimitives)
    names.push_back(info.name);
  return names;
}

LogicalResult Schedule::fail(const Twine &message) {
  error = message.str();
  return failure();
}

loop::ForOp Schedule::getLoop(StringRef name) {
  loop::ForOp loop = loop::findLoop(kernel, name);
  if (!loop)
    (void)fail("no loop named '" + name + "'");
  return loop;
}

loop::BlockOp Schedule::getBlock(StringRef name) {
  loop::BlockOp block = loop::findBlock(kernel, name);
  if (!block)
    (void)fail("no block named '" + name + "'");
  return block;
}

LogicalResult Schedule::apply(const TraceStep &step) {
  const PrimitiveInfo *info =
      llvm::find_if(kPrimitives, [&](const PrimitiveInfo &i) { return i.name == step.primitive; });
  if (info == std::end(kPrimitives))
    return fail("unknown primitive '" + step.primitive + "'");
  if (info->numNames ? step.names.size() != info->numNames : step.names.empty())
    return fail(step.primitive + " takes " +
                (info->numNames ? Twine(info->numNames) : Twine("at least one")) + " name(s)");
  if (info->numInts >= 0 && step.ints.size() != size_t(info->numInts))
    return fail(step.primitive + " takes " + Twine(info->numInts) + " integer argument(s)");
  return info->apply(*this, step);
}

LogicalResult Schedule::replay(const Trace &trace) {
  for (auto [index, step] : llvm::enumerate(trace.steps))
    if (failed(apply(step)))
      return fail("step " + Twine(index) + " (" + step.primitive + "): " + error);
  return success();
}

static std::string printed(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os, OpPrintingFlags().useLocalScope().assumeVerified());
  return text;
}

std::optional<std::string> checkTraceRoundTrip(func::FuncOp original, func::FuncOp scheduled,
                                               const Trace &trace) {
  std::string text = trace.toString();
  llvm::Expected<Trace> parsed = Trace::parse(text);
  if (!parsed)
    return "trace does not parse back: " + llvm::toString(parsed.takeError());
  if (parsed->toString() != text)
    return "trace changes through JSON: " + text + " vs " + parsed->toString();
  auto copy = llvm::cast<func::FuncOp>(original->clone());
  Schedule replayed(copy);
  std::optional<std::string> result;
  if (failed(replayed.replay(*parsed)))
    result = "replay failed: " + replayed.lastError();
  else if (printed(copy) != printed(scheduled))
    result = "replayed IR differs from the scheduled IR:\n" + printed(copy);
  copy->erase();
  return result;
}

} // namespace kiln::schedule
