// Planning the executor: storage of every tensor of @main, kernel arguments, memory plan.
#include "codegen/cpu/Executor.h"
#include "codegen/cpu/MemoryPlan.h"

#include "ir/graph/ConstantData.h"
#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace kiln::codegen {

static std::string dtypeName(Type t) {
  if (t.isF32()) return "float32";
  if (t.isF16()) return "float16";
  if (t.isBF16()) return "bfloat16";
  if (t.isF64()) return "float64";
  if (t.isInteger(1)) return "bool";
  // Unsigned first: isInteger(w) holds for every signedness.
  if (t.isUnsignedInteger(8)) return "uint8";
  if (t.isUnsignedInteger(16)) return "uint16";
  if (t.isUnsignedInteger(32)) return "uint32";
  if (t.isUnsignedInteger(64)) return "uint64";
  if (t.isInteger(8)) return "int8";
  if (t.isInteger(16)) return "int16";
  if (t.isInteger(32)) return "int32";
  if (t.isInteger(64)) return "int64";
  return "";
}

static std::string percentEncode(StringRef name) {
  std::string out;
  for (unsigned char c : name) {
    if (isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-')
      out += char(c);
    else {
      char buf[4];
      snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

static std::string valueName(func::FuncOp main, bool isInput, unsigned i) {
  StringAttr attr = isInput ? main.getArgAttrOfType<StringAttr>(i, "kg.name")
                            : main.getResultAttrOfType<StringAttr>(i, "kg.name");
  if (attr)
    return attr.str();
  return (isInput ? "input_" : "output_") + std::to_string(i);
}

// A dim of a model input or output: its size, or "$S,A,B" for one that is A * symbol S + B
// (`kiln.dims`, set when the model keeps symbolic dims; the static size is then the maximum).
static std::string dimToken(DenseI64ArrayAttr dims, unsigned d, int64_t size) {
  if (!dims || dims.size() <= int64_t(3 * d + 2) || dims[3 * d] < 0)
    return std::to_string(size);
  return "$" + std::to_string(dims[3 * d]) + "," + std::to_string(dims[3 * d + 1]) + "," +
         std::to_string(dims[3 * d + 2]);
}

static FailureOr<std::string> describe(func::FuncOp main, bool isInput, unsigned i, Type type) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  std::string dtype = dtypeName(tensor.getElementType());
  if (dtype.empty())
    return main.emitError("unsupported element type for model ") << (isInput ? "input " : "output ") << i;
  std::string line = std::string(isInput ? "input " : "output ") +
                     percentEncode(valueName(main, isInput, i)) + " " + dtype + " " +
                     std::to_string(tensor.getRank());
  auto dims = isInput ? main.getArgAttrOfType<DenseI64ArrayAttr>(i, "kiln.dims")
                      : main.getResultAttrOfType<DenseI64ArrayAttr>(i, "kiln.dims");
  for (auto [d, size] : llvm::enumerate(tensor.getShape()))
    line += " " + dimToken(dims, d, size);
  return line + "\n";
}

FailureOr<ExecutionPlan> planExecution(ModuleOp module, const std::vector<LoweredKernel> &kernels) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function");
  llvm::StringMap<const LoweredKernel *> kernelByName;
  for (const LoweredKernel &k : kernels)
    kernelByName[k.name] = &k;

  ExecutionPlan plan;
  unsigned numInputs = main.getNumArguments();
  plan.numInputs = numInputs;
  DenseMap<Value, BufferRef> storage;  // storage root of each value
  DenseMap<Value, Value> root;         // reshape aliases -> defining value
  auto rootOf = [&](Value v) { auto it = root.find(v); return it == root.end() ? v : it->second; };
  for (unsigned i = 0; i < numInputs; ++i)
    storage[main.getArgument(i)] = {BufferRef::Input, i, 0};

  // Outputs produced by kernels are written in place into the caller's output buffers. The
  // results after the outputs are run-time check flags (`kg.check` says what they verify).
  auto ret = llvm::cast<func::ReturnOp>(main.getBody().front().getTerminator());
  unsigned numOutputs = 0;
  while (numOutputs < ret.getNumOperands() && !main.getResultAttr(numOutputs, "kg.check"))
    ++numOutputs;
  auto outputs = ret.getOperands().take_front(numOutputs);
  // A check that folded to a constant after import (e.g. once --input-shape or unrolling made
  // its values known) is decided now: passed, it needs no flag; failed, the model is invalid.
  SmallVector<Value> checks;
  for (unsigned j = numOutputs; j < ret.getNumOperands(); ++j) {
    Value flag = ret.getOperand(j);
    auto folded = flag.getDefiningOp<graph::ConstantOp>();
    if (!folded) {
      checks.push_back(flag);
      continue;
    }
    auto values = graph::readAsInt64(folded.getValue());
    auto message = main.getResultAttrOfType<StringAttr>(j, "kg.check");
    if (!values || llvm::any_of(*values, [](int64_t v) { return v == 0; }))
      return main.emitError(message.getValue());
  }
  DenseMap<Value, int64_t> outputSlot;
  for (Value v : outputs)
    plan.outputBytes.push_back(byteSize(v.getType()));

  // First pass: aliases and weights.
  std::vector<Value> intermediates;
  std::vector<BufferLifetime> lifetimes;
  DenseMap<Value, size_t> lifetimeOf;
  std::vector<std::vector<size_t>> scratchOf;
  int step = 0;
  for (Operation &op : main.getBody().front()) {
    if (auto c = llvm::dyn_cast<graph::ConstantOp>(op)) {
      storage[c.getResult()] = {BufferRef::Weight, int64_t(plan.weights.size()), 0};
      plan.weights.push_back(c.getValue());
    } else if (auto r = llvm::dyn_cast<graph::ReshapeOp>(op)) {
      root[r.getResult()] = rootOf(r.getInput());
    } else if (auto call = llvm::dyn_cast<func::CallOp>(op)) {
      Value result = call.getResult(0);
      lifetimeOf[result] = lifetimes.size();
      lifetimes.push_back({byteSize(result.getType()), step, step});
      intermediates.push_back(result);
      for (Value operand : call.getOperands()) {
        auto it = lifetimeOf.find(rootOf(operand));
        if (it != lifetimeOf.end())
          lifetimes[it->second].lastStep = step;
      }
      auto k = kernelByName.find((call.getCallee() + "_kernel").str());
      if (k == kernelByName.end())
        return call.emitError("no kernel lowered for task ") << call.getCallee();
      scratchOf.emplace_back();
      for (int64_t bytes : k->second->scratchBytes) {
        scratchOf.back().push_back(lifetimes.size());
        lifetimes.push_back({bytes, step, step});
      }
      ++step;
    }
  }
  // Check flags are read after the last kernel: they live to the end.
  for (Value flag : checks) {
    auto it = lifetimeOf.find(rootOf(flag));
    if (it == lifetimeOf.end())
      return main.emitError("a run-time check flag is not computed by a kernel");
    lifetimes[it->second].lastStep = step;
  }
  for (auto [j, v] : llvm::enumerate(outputs)) {
    Value r = rootOf(v);
    bool producedHere = lifetimeOf.count(r) && !outputSlot.count(r);
    if (producedHere)
      outputSlot[r] = j;
  }
  // Outputs not computed in place (inputs, weights, a value returned twice) are copied.
  for (auto [j, v] : llvm::enumerate(outputs)) {
    Value r = rootOf(v);
    auto slot = outputSlot.find(r);
    if (slot == outputSlot.end() || slot->second != int64_t(j))
      plan.outputCopies.push_back({BufferRef{}, j}); // source resolved below
  }
  // A value written in place into an output keeps no workspace bytes.
  for (auto [v, j] : outputSlot)
    lifetimes[lifetimeOf[v]].bytes = 0;
  MemoryPlan memory = planMemory(lifetimes);
  plan.workspaceBytes = memory.workspaceBytes;
  for (Value v : intermediates) {
    auto slot = outputSlot.find(v);
    storage[v] = slot != outputSlot.end()
                     ? BufferRef{BufferRef::Output, int64_t(numInputs) + slot->second, 0}
                     : BufferRef{BufferRef::Workspace, 0, memory.offsets[lifetimeOf[v]]};
  }
  for (auto &[src, j] : plan.outputCopies)
    src = storage.lookup(rootOf(ret.getOperand(j)));
  for (Value flag : checks)
    plan.checkFlags.push_back(storage.lookup(rootOf(flag)));

  // Second pass: kernel calls with their argument buffers.
  step = 0;
  for (Operation &op : main.getBody().front()) {
    auto call = llvm::dyn_cast<func::CallOp>(op);
    if (!call)
      continue;
    KernelCall kc{*kernelByName[(call.getCallee() + "_kernel").str()], {}};
    for (Value operand : call.getOperands())
      kc.args.push_back(storage.lookup(rootOf(operand)));
    kc.args.push_back(storage.lookup(call.getResult(0)));
    for (size_t s : scratchOf[step])
      kc.args.push_back({BufferRef::Workspace, 0, memory.offsets[s]});
    if (kc.kernel.usesSymbols)
      kc.args.push_back({BufferRef::Symbols, 0, 0});
    plan.calls.push_back(std::move(kc));
    ++step;
  }

  plan.metadata = "kiln-model 1\nworkspace " + std::to_string(plan.workspaceBytes) + "\n";
  if (auto symbols = module->getAttrOfType<ArrayAttr>("kiln.symbols"))
    for (Attribute entry : symbols) {
      auto fields = llvm::cast<ArrayAttr>(entry).getValue();
      plan.metadata += "symbol " + percentEncode(llvm::cast<StringAttr>(fields[0]).getValue()) +
                       " " + std::to_string(llvm::cast<IntegerAttr>(fields[1]).getInt()) + " " +
                       std::to_string(llvm::cast<IntegerAttr>(fields[2]).getInt()) + "\n";
    }
  for (unsigned i = 0; i < numInputs; ++i) {
    auto line = describe(main, true, i, main.getArgument(i).getType());
    if (failed(line))
      return failure();
    plan.metadata += *line;
  }
  for (auto [j, v] : llvm::enumerate(outputs)) {
    auto line = describe(main, false, j, v.getType());
    if (failed(line))
      return failure();
    plan.metadata += *line;
  }
  for (unsigned j = numOutputs; j < ret.getNumOperands(); ++j)
    if (llvm::is_contained(checks, ret.getOperand(j)))
      plan.metadata +=
          "check " + percentEncode(main.getResultAttrOfType<StringAttr>(j, "kg.check")) + "\n";

  SmallVector<Operation *> toErase;
  for (auto f : module.getOps<func::FuncOp>())
    if (f.getSymName() == "main" || f->hasAttr("kiln.task"))
      toErase.push_back(f);
  for (Operation *op : toErase)
    op->erase();
  return plan;
}

} // namespace kiln::codegen
