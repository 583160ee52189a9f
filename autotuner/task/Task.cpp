#include "autotuner/task/Task.h"
#include "autotuner/task/Variants.h"

#include "ir/loop/LoopDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln::autotuner {

std::string targetDescription(const std::string &mcpu, const std::string &mtriple) {
  std::string triple = mtriple.empty() ? llvm::sys::getDefaultTargetTriple() : mtriple;
  std::string cpu = mcpu.empty() || mcpu == "native" ? llvm::sys::getHostCPUName().str() : mcpu;
  return triple + "/" + cpu;
}

std::string workloadKey(func::FuncOp kernel) {
  // The symbol name is the only part of a kernel that depends on where it sits in a model.
  OwningOpRef<func::FuncOp> copy = kernel.clone();
  copy->setSymName("kernel");
  std::string text;
  llvm::raw_string_ostream os(text);
  copy->print(os, OpPrintingFlags().useLocalScope());
  llvm::SHA256 hash;
  hash.update(text);
  std::array<uint8_t, 32> digest = hash.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

// Arithmetic: arith ops other than constants, casts and index arithmetic, and math ops.
static bool isArithmetic(Operation *op) {
  if (llvm::isa<math::MathDialect>(op->getDialect()))
    return true;
  if (!llvm::isa<arith::ArithDialect>(op->getDialect()) || llvm::isa<arith::ConstantOp>(op) ||
      llvm::isa<arith::IndexCastOp, arith::IndexCastUIOp>(op))
    return false;
  return op->getNumResults() == 1 && !op->getResult(0).getType().isIndex() &&
         op->getNumOperands() >= 2;
}

double countOperations(func::FuncOp kernel) {
  double total = 0;
  kernel.walk([&](loop::BlockOp block) {
    double iterations = 1;
    for (int64_t domain : block.getDomains())
      iterations *= double(domain);
    int64_t ops = 0;
    block.getBody().walk([&](Operation *op) { ops += isArithmetic(op); });
    total += iterations * double(ops);
  });
  return total;
}

std::vector<TuningTask> extractTasks(ModuleOp lowered) {
  llvm::StringMap<std::string> keyOf; // kernel name -> workload key, each hashed once
  for (auto kernel : lowered.getOps<func::FuncOp>())
    if (kernel->hasAttr("kiln.kernel"))
      keyOf[kernel.getSymName()] = workloadKey(kernel);
  std::vector<TuningTask> tasks;
  llvm::StringMap<size_t> byKey;
  for (auto kernel : lowered.getOps<func::FuncOp>()) {
    if (!kernel->hasAttr("kiln.kernel"))
      continue;
    const std::string &key = keyOf[kernel.getSymName()];
    auto [it, inserted] = byKey.try_emplace(key, tasks.size());
    if (!inserted) {
      tasks[it->second].weight += 1;
      continue;
    }
    TuningTask task;
    task.kernelName = kernel.getSymName().str();
    llvm::StringRef name = kernel.getSymName();
    task.name = name.consume_back(kKernelSuffix) ? name.str() : task.kernelName;
    task.workloadKey = key;
    task.weight = 1;
    task.flops = countOperations(kernel);
    auto direct = keyOf.find(directKernelName(lowered, task.kernelName));
    task.formOf = direct == keyOf.end() ? key : direct->second;
    tasks.push_back(std::move(task));
  }
  return tasks;
}

FailureOr<std::string> taskModuleText(ModuleOp lowered, llvm::StringRef kernelName) {
  auto kernel = lowered.lookupSymbol<func::FuncOp>(kernelName);
  llvm::StringRef taskName = kernelName;
  if (!kernel || !taskName.consume_back(kKernelSuffix))
    return failure();
  auto task = lowered.lookupSymbol<func::FuncOp>(taskName);
  if (!task || task.getNumResults() != 1)
    return failure();

  MLIRContext *ctx = lowered.getContext();
  OpBuilder b(ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(lowered.getLoc());
  // A kernel with run-time domains reads the model's symbols; with no input to bind them, the
  // task runs at their maxima, guards included, as the model's largest call does.
  if (Attribute symbols = lowered->getAttr("kiln.symbols"))
    (*module)->setAttr("kiln.symbols", symbols);
  b.setInsertionPointToEnd(module->getBody());
  FunctionType type = task.getFunctionType();
  auto main = b.create<func::FuncOp>(lowered.getLoc(), "main", type);
  for (unsigned i = 0; i < type.getNumInputs(); ++i)
    main.setArgAttr(i, "kg.name", b.getStringAttr("in" + std::to_string(i)));
  main.setResultAttr(0, "kg.name", b.getStringAttr("out0"));
  Block *entry = main.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  auto call = b.create<func::CallOp>(lowered.getLoc(), task, entry->getArguments());
  b.create<func::ReturnOp>(lowered.getLoc(), call.getResults());
  b.setInsertionPointToEnd(module->getBody());
  b.clone(*task.getOperation());
  b.clone(*kernel.getOperation());

  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

} // namespace kiln::autotuner
