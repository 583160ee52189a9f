#include "autotuner/task/Variants.h"

#include "autotuner/database/Database.h"
#include "autotuner/task/Task.h"
#include "ir/graph/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace kiln::autotuner {

static constexpr llvm::StringLiteral kVariantOf = "kiln.variant_of",
                                     kVariantWeight = "kiln.variant_weight",
                                     kVariantWeightArg = "kiln.variant_weight_arg";

static std::string kernelNameOf(llvm::StringRef task) { return (task + kKernelSuffix).str(); }

std::string directKernelName(ModuleOp lowered, llvm::StringRef kernelName) {
  llvm::StringRef taskName = kernelName;
  if (!taskName.consume_back(kKernelSuffix))
    return kernelName.str();
  auto task = lowered.lookupSymbol<func::FuncOp>(taskName);
  auto variantOf = task ? task->getAttrOfType<FlatSymbolRefAttr>(kVariantOf) : nullptr;
  return variantOf ? kernelNameOf(variantOf.getValue()) : kernelName.str();
}

// Calls `variant` where @main called `direct`, with the transformed weight as a constant.
static LogicalResult callVariant(func::FuncOp main, func::FuncOp direct, func::FuncOp variant) {
  auto weight = variant->getAttrOfType<ElementsAttr>(kVariantWeight);
  auto weightArg = variant->getAttrOfType<IntegerAttr>(kVariantWeightArg);
  if (!weight || !weightArg)
    return variant.emitError("variant without its transformed weight");
  SmallVector<func::CallOp> calls;
  main.walk([&](func::CallOp call) {
    if (call.getCallee() == direct.getSymName())
      calls.push_back(call);
  });
  for (func::CallOp call : calls) {
    unsigned index = unsigned(weightArg.getInt());
    Operation *old = call.getOperand(index).getDefiningOp();
    OpBuilder b(call);
    auto constant = b.create<graph::ConstantOp>(call.getLoc(), weight);
    call.setOperand(index, constant.getResult());
    call.setCallee(variant.getSymName());
    if (old && old->use_empty())
      old->erase();
  }
  return success();
}

static void eraseForm(ModuleOp lowered, func::FuncOp task) {
  if (auto kernel = lowered.lookupSymbol<func::FuncOp>(kernelNameOf(task.getSymName())))
    kernel->erase();
  task->erase();
}

LogicalResult chooseVariants(ModuleOp lowered, const Database *db, const std::string &target,
                             std::vector<std::string> &choices) {
  llvm::MapVector<Operation *, SmallVector<func::FuncOp>> variantsOf;
  for (auto task : lowered.getOps<func::FuncOp>())
    if (auto of = task->getAttrOfType<FlatSymbolRefAttr>(kVariantOf)) {
      auto direct = lowered.lookupSymbol<func::FuncOp>(of.getValue());
      if (!direct)
        return task.emitError("variant of a missing task ") << of;
      variantsOf[direct].push_back(task);
    }
  auto main = lowered.lookupSymbol<func::FuncOp>("main");
  auto bestLatency = [&](func::FuncOp task) -> std::optional<double> {
    auto kernel = lowered.lookupSymbol<func::FuncOp>(kernelNameOf(task.getSymName()));
    const TuningRecord *best = db && kernel ? db->best(workloadKey(kernel), target) : nullptr;
    return best ? std::optional<double>(best->meanLatency()) : std::nullopt;
  };
  for (auto &[op, variants] : variantsOf) {
    auto direct = llvm::cast<func::FuncOp>(op);
    func::FuncOp chosen = direct;
    std::optional<double> best = bestLatency(direct);
    for (func::FuncOp variant : variants)
      if (std::optional<double> latency = bestLatency(variant); best && latency && *latency < *best) {
        best = latency;
        chosen = variant;
      }
    if (chosen != direct) {
      if (!main || failed(callVariant(main, direct, chosen)))
        return failure();
      choices.push_back(direct.getSymName().str() + " runs as " + chosen.getSymName().str());
    }
    for (func::FuncOp form : variants)
      if (form != chosen)
        eraseForm(lowered, form);
    if (chosen != direct)
      eraseForm(lowered, direct);
    for (llvm::StringRef attr : {kVariantOf, kVariantWeight, kVariantWeightArg})
      chosen->removeAttr(attr);
  }
  return success();
}

} // namespace kiln::autotuner
