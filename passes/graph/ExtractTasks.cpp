// Fusion into anchor + elementwise-epilogue groups, each outlined into a task function.
#include "passes/graph/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

using namespace mlir;

namespace kiln::graph {
#define GEN_PASS_DEF_EXTRACTTASKS
#include "passes/graph/Passes.h.inc"

bool isElementwise(Operation *op) { return op->hasTrait<ElementwiseOpTrait>(); }

namespace {

// Ops that stay in @main: they produce no kernel.
bool staysInMain(Operation *op) { return llvm::isa<ConstantOp, ReshapeOp>(op); }

// Anchors take elementwise epilogues; data movement and multi-stage ops stand alone.
bool acceptsEpilogue(Operation *op) {
  return isElementwise(op) ||
         llvm::isa<ConvOp, ConvTransposeOp, MatMulOp, GemmOp, MaxPoolOp, AveragePoolOp,
                   GlobalAveragePoolOp, BatchNormOp, ReduceSumOp, ReduceMeanOp, LayerNormOp,
                   SoftmaxOp>(op);
}

std::string shortName(Operation *op) {
  StringRef name = op->getName().stripDialect();
  return name.str();
}

struct Group {
  SmallVector<Operation *> ops;
  Operation *anchor() const { return ops.front(); }
  Value output() const { return ops.back()->getResult(0); }
};

SmallVector<Group> formGroups(func::FuncOp main) {
  SmallVector<Group> groups;
  DenseMap<Operation *, unsigned> groupOf;
  for (Operation &op : main.getBody().front()) {
    if (staysInMain(&op) || llvm::isa<func::ReturnOp>(op))
      continue;
    std::optional<unsigned> joined;
    if (isElementwise(&op)) {
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto it = def ? groupOf.find(def) : groupOf.end();
        if (it == groupOf.end())
          continue;
        Group &g = groups[it->second];
        // Join only the group's current output, and only when nothing else reads it.
        if (g.output() == operand && operand.hasOneUse() && acceptsEpilogue(g.anchor()) &&
            llvm::cast<ShapedType>(operand.getType()).getShape() ==
                llvm::cast<ShapedType>(op.getResult(0).getType()).getShape()) {
          joined = it->second;
          break;
        }
      }
    }
    if (!joined) {
      joined = groups.size();
      groups.emplace_back();
    }
    groups[*joined].ops.push_back(&op);
    groupOf[&op] = *joined;
  }
  return groups;
}

// Outlines a group into `func.func private @name(inputs) -> output` and calls it in place.
void outline(Group &group, func::FuncOp main, SymbolTable &symbols, unsigned index) {
  llvm::SetVector<Value> inputs;
  llvm::SmallPtrSet<Operation *, 8> members(group.ops.begin(), group.ops.end());
  for (Operation *op : group.ops)
    for (Value v : op->getOperands())
      if (!v.getDefiningOp() || !members.contains(v.getDefiningOp()))
        inputs.insert(v);
  std::string name = "fused";
  for (Operation *op : group.ops)
    name += "_" + shortName(op);
  if (name.size() > 60)
    name.resize(60);
  name += "_" + std::to_string(index);

  // Tasks follow @main in the module, in call order.
  OpBuilder b(main.getContext());
  b.setInsertionPointToEnd(main->getParentOfType<ModuleOp>().getBody());
  SmallVector<Type> inputTypes;
  for (Value v : inputs)
    inputTypes.push_back(v.getType());
  Value output = group.output();
  auto task = b.create<func::FuncOp>(group.anchor()->getLoc(), name,
                                     b.getFunctionType(inputTypes, {output.getType()}));
  task.setPrivate();
  task->setAttr("kiln.task", b.getUnitAttr());
  symbols.insert(task);
  Block *entry = task.addEntryBlock();
  IRMapping mapping;
  for (auto [v, arg] : llvm::zip(inputs, entry->getArguments()))
    mapping.map(v, arg);
  b.setInsertionPointToEnd(entry);
  for (Operation *op : group.ops)
    b.clone(*op, mapping);
  b.create<func::ReturnOp>(group.anchor()->getLoc(), mapping.lookup(output));

  b.setInsertionPoint(group.ops.back());
  auto call = b.create<func::CallOp>(group.ops.back()->getLoc(), task, inputs.getArrayRef());
  output.replaceAllUsesWith(call.getResult(0));
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
}

struct ExtractTasksPass : impl::ExtractTasksBase<ExtractTasksPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main) {
      module.emitError("no @main function to extract tasks from");
      return signalPassFailure();
    }
    SymbolTable symbols(module);
    SmallVector<Group> groups = formGroups(main);
    for (auto [i, group] : llvm::enumerate(groups))
      outline(group, main, symbols, i);
    // List the tasks in execution order (a group is called where its last op was), so that
    // printed kernels and per-stage profiles read top to bottom.
    main.walk([&](func::CallOp call) {
      if (auto task = symbols.lookup<func::FuncOp>(call.getCallee()))
        task->moveBefore(module.getBody(), module.getBody()->end());
    });
  }
};

} // namespace
} // namespace kiln::graph
